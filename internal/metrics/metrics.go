// Package metrics holds the Prometheus metrics of the scan pipeline and the
// build: stage durations (it implements scan.Observer), verdicts by label,
// rule hits, and scamscope_build_info. Everything is registered with the
// prometheus.Registerer passed in; there are no globals. It does not serve
// HTTP and knows nothing of gRPC (internal/server has the call metrics).
package metrics

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scamscope/scamscope/internal/score"
)

// Scan are the pipeline metrics:
//
//	scamscope_scan_stage_duration_seconds{stage}   time per stage (extract, match, score, ...)
//	scamscope_scan_verdicts_total{label}           verdicts handed out (clean, suspicious, scam)
//	scamscope_rules_hits_total{rule_id}            verdicts each rule fired in
//
// A Scan is safe for concurrent use.
type Scan struct {
	stage    *prometheus.HistogramVec
	verdicts *prometheus.CounterVec
	hits     *prometheus.CounterVec
}

// NewScan creates the pipeline metrics and registers them with reg. The
// counters of every label and of every rule in ruleIDs start at zero, so
// that rates and "never fired" queries work before the first hit.
func NewScan(reg prometheus.Registerer, ruleIDs []string) (*Scan, error) {
	m := &Scan{
		stage: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "scamscope", Subsystem: "scan", Name: "stage_duration_seconds",
			Help:    "Time each pipeline stage took per scan.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"stage"}),
		verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "scamscope", Subsystem: "scan", Name: "verdicts_total",
			Help: "Verdicts handed out, by label.",
		}, []string{"label"}),
		hits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "scamscope", Subsystem: "rules", Name: "hits_total",
			Help: "Verdicts in which each rule fired.",
		}, []string{"rule_id"}),
	}
	for _, c := range []prometheus.Collector{m.stage, m.verdicts, m.hits} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register scan metrics: %w", err)
		}
	}
	for _, l := range []score.Label{score.Clean, score.Suspicious, score.Scam} {
		m.verdicts.WithLabelValues(labelValue(l))
	}
	for _, id := range ruleIDs {
		m.hits.WithLabelValues(id)
	}
	return m, nil
}

// ObserveStage implements scan.Observer.
func (m *Scan) ObserveStage(stage string, d time.Duration) {
	m.stage.WithLabelValues(stage).Observe(d.Seconds())
}

// ObserveVerdict counts a verdict and the rules that fired in it.
func (m *Scan) ObserveVerdict(v *score.Verdict) {
	m.verdicts.WithLabelValues(labelValue(v.Label)).Inc()
	for _, f := range v.Fired {
		m.hits.WithLabelValues(f.ID).Inc()
	}
}

func labelValue(l score.Label) string { return strings.ToLower(l.String()) }

// RegisterBuildInfo registers scamscope_build_info{version,goversion,rule_set_version},
// a gauge that is always 1.
func RegisterBuildInfo(reg prometheus.Registerer, version, ruleSetVersion string) error {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: "scamscope", Name: "build_info",
		Help: "Always 1; the labels say which build and rule set are running.",
		ConstLabels: prometheus.Labels{
			"version":          version,
			"goversion":        runtime.Version(),
			"rule_set_version": ruleSetVersion,
		},
	})
	g.Set(1)
	if err := reg.Register(g); err != nil {
		return fmt.Errorf("register build info: %w", err)
	}
	return nil
}

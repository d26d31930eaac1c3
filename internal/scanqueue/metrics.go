package scanqueue

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scamscope/scamscope/internal/verdict"
)

// Metrics are the queue's:
//
//	scamscope_scanqueue_waiting                 scans waiting for a worker
//	scamscope_scanqueue_running                 scans running
//	scamscope_scanqueue_submitted_total{outcome}  submitted URLs: queued, deduplicated, rejected
//	scamscope_scanqueue_finished_total{state}   scans finished: done, failed
//
// A nil *Metrics counts nothing.
type Metrics struct {
	waiting, runningG prometheus.Gauge
	submittedC        *prometheus.CounterVec
	finishedC         *prometheus.CounterVec
}

// NewMetrics creates the queue metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		waiting: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "scamscope", Subsystem: "scanqueue", Name: "waiting",
			Help: "Submitted URL scans waiting for a worker.",
		}),
		runningG: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "scamscope", Subsystem: "scanqueue", Name: "running",
			Help: "Submitted URL scans running.",
		}),
		submittedC: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "scamscope", Subsystem: "scanqueue", Name: "submitted_total",
			Help: "Submitted URLs, by outcome: queued, deduplicated (a recent scan's ID returned), rejected (queue full).",
		}, []string{"outcome"}),
		finishedC: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "scamscope", Subsystem: "scanqueue", Name: "finished_total",
			Help: "Submitted URL scans finished, by state: done or failed.",
		}, []string{"state"}),
	}
	for _, c := range []prometheus.Collector{m.waiting, m.runningG, m.submittedC, m.finishedC} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register scan queue metrics: %w", err)
		}
	}
	for _, o := range []string{"queued", "deduplicated", "rejected"} {
		m.submittedC.WithLabelValues(o)
	}
	for _, s := range []verdict.State{verdict.StateDone, verdict.StateFailed} {
		m.finishedC.WithLabelValues(string(s))
	}
	return m, nil
}

func (m *Metrics) setQueued(n int) {
	if m != nil {
		m.waiting.Set(float64(n))
	}
}

func (m *Metrics) running(d int) {
	if m != nil {
		m.runningG.Add(float64(d))
	}
}

func (m *Metrics) submitted(outcome string, n int) {
	if m != nil && n > 0 {
		m.submittedC.WithLabelValues(outcome).Add(float64(n))
	}
}

func (m *Metrics) finished(s verdict.State) {
	if m != nil {
		m.finishedC.WithLabelValues(string(s)).Inc()
	}
}

package metrics

import (
	"maps"
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/scamscope/scamscope/internal/scan"
	"github.com/scamscope/scamscope/internal/score"
)

var _ scan.Observer = (*Scan)(nil)

func TestScanCounts(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewScan(reg, []string{"alarm.infected", "brand.microsoft", "never.fires"})
	if err != nil {
		t.Fatal(err)
	}
	m.ObserveStage("extract", 2*time.Millisecond)
	m.ObserveStage("extract", 3*time.Millisecond)
	m.ObserveStage("match", time.Millisecond)
	m.ObserveVerdict(&score.Verdict{Label: score.Scam, Fired: []score.FiredRule{{ID: "alarm.infected"}, {ID: "brand.microsoft"}}})
	m.ObserveVerdict(&score.Verdict{Label: score.Scam, Fired: []score.FiredRule{{ID: "alarm.infected"}}})
	m.ObserveVerdict(&score.Verdict{Label: score.Clean})

	tests := []struct {
		c    prometheus.Collector
		want float64
	}{
		{m.verdicts.WithLabelValues("scam"), 2},
		{m.verdicts.WithLabelValues("clean"), 1},
		{m.verdicts.WithLabelValues("suspicious"), 0},
		{m.hits.WithLabelValues("alarm.infected"), 2},
		{m.hits.WithLabelValues("brand.microsoft"), 1},
		{m.hits.WithLabelValues("never.fires"), 0},
	}
	for _, tc := range tests {
		ms := collect(t, tc.c)
		if got := ms[0].GetCounter().GetValue(); got != tc.want {
			t.Errorf("%v = %v, want %v", ms[0].GetLabel(), got, tc.want)
		}
	}
	// Labels and rules start at zero, so they are exposed before any hit.
	if n := len(collect(t, m.verdicts)); n != 3 {
		t.Errorf("verdicts_total has %d series, want 3 (clean, suspicious, scam)", n)
	}
	if n := len(collect(t, m.hits)); n != 3 {
		t.Errorf("rules_hits_total has %d series, want one per rule (3)", n)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]uint64{}
	sums := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "scamscope_scan_stage_duration_seconds" {
			continue
		}
		for _, mt := range mf.GetMetric() {
			stage := mt.GetLabel()[0].GetValue()
			counts[stage] = mt.GetHistogram().GetSampleCount()
			sums[stage] = mt.GetHistogram().GetSampleSum()
		}
	}
	if counts["extract"] != 2 || counts["match"] != 1 || len(counts) != 2 {
		t.Errorf("stage observation counts = %v, want extract:2 match:1", counts)
	}
	if d := sums["extract"] - 0.005; d > 1e-9 || d < -1e-9 {
		t.Errorf("extract stage seconds sum = %v, want 0.005", sums["extract"])
	}
}

// collect returns what c exposes.
func collect(t *testing.T, c prometheus.Collector) []*dto.Metric {
	t.Helper()
	ch := make(chan prometheus.Metric, 16)
	c.Collect(ch)
	close(ch)
	var out []*dto.Metric
	for m := range ch {
		var d dto.Metric
		if err := m.Write(&d); err != nil {
			t.Fatal(err)
		}
		out = append(out, &d)
	}
	return out
}

func TestRegisterTwiceFails(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := NewScan(reg, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := NewScan(reg, nil); err == nil {
		t.Error("NewScan on a registry that has the metrics succeeded, want an error")
	}
}

func TestBuildInfo(t *testing.T) {
	reg := prometheus.NewRegistry()
	if err := RegisterBuildInfo(reg, "v1.2.3", "abc123"); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) != 1 || mfs[0].GetName() != "scamscope_build_info" || len(mfs[0].GetMetric()) != 1 {
		t.Fatalf("Gather() = %v, want one scamscope_build_info series", mfs)
	}
	m := mfs[0].GetMetric()[0]
	got := map[string]string{}
	for _, l := range m.GetLabel() {
		got[l.GetName()] = l.GetValue()
	}
	want := map[string]string{"version": "v1.2.3", "goversion": runtime.Version(), "rule_set_version": "abc123"}
	if !maps.Equal(got, want) || m.GetGauge().GetValue() != 1 {
		t.Errorf("build info = %v %v, want %v 1", got, m.GetGauge().GetValue(), want)
	}
	if err := RegisterBuildInfo(reg, "v1.2.3", "abc123"); err == nil {
		t.Error("registering build info twice succeeded, want an error")
	}
}

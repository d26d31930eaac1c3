package browser

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the browser pool's metrics. One Metrics may serve several
// Pools; a nil *Metrics records nothing. Labels never carry URLs or hosts.
type Metrics struct {
	renders  *prometheus.CounterVec // result
	duration prometheus.Histogram
	queue    prometheus.Gauge
	restarts prometheus.Counter
	stops    *prometheus.CounterVec // when
}

// Render results, the values of the result label.
const (
	resultOK         = "ok"         // a Page with nothing truncated
	resultTruncated  = "truncated"  // a Page with Truncated notes
	resultBusy       = "busy"       // ErrBusy
	resultBadURL     = "bad_url"    // ErrBadURL
	resultTimeout    = "timeout"    // deadline exceeded before the page committed
	resultCanceled   = "canceled"   // ctx canceled
	resultBlocked    = "blocked"    // ErrBlocked
	resultNavigation = "navigation" // ErrNavigation
	resultCrashed    = "crashed"    // ErrCrashed
	resultUnavail    = "unavailable"
	resultClosed     = "closed"
	resultError      = "error" // anything else
)

// NewMetrics registers the browser metrics with reg:
//
//	scamscope_browser_renders_total{result}
//	scamscope_browser_render_duration_seconds
//	scamscope_browser_queue_depth
//	scamscope_browser_restarts_total
//	scamscope_browser_script_stops_total{when}
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		renders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scamscope_browser_renders_total",
			Help: "Page renders by result (ok, truncated, busy, bad_url, timeout, canceled, blocked, navigation, crashed, unavailable, closed, error).",
		}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "scamscope_browser_render_duration_seconds",
			Help:    "Time from Render to its result, queueing included.",
			Buckets: []float64{0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60},
		}),
		queue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "scamscope_browser_queue_depth",
			Help: "Renders waiting for a free tab.",
		}),
		restarts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "scamscope_browser_restarts_total",
			Help: "Chromium relaunches after the browser died.",
		}),
		stops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scamscope_browser_script_stops_total",
			Help: "Page scripts stopped for holding the main thread, by when: load (the watchdog, before the load event) or read (while the page was read).",
		}, []string{"when"}),
	}
	for _, c := range []prometheus.Collector{m.renders, m.duration, m.queue, m.restarts, m.stops} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) render(result string, d time.Duration) {
	if m == nil {
		return
	}
	m.renders.WithLabelValues(result).Inc()
	m.duration.Observe(d.Seconds())
}

func (m *Metrics) queueDepth(n int64) {
	if m != nil {
		m.queue.Set(float64(n))
	}
}

func (m *Metrics) restart() {
	if m != nil {
		m.restarts.Inc()
	}
}

// When a busy script was stopped, the values of the when label.
const (
	stopAtLoad = "load"
	stopAtRead = "read"
)

func (m *Metrics) scriptStop(when string) {
	if m != nil {
		m.stops.WithLabelValues(when).Inc()
	}
}

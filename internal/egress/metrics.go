package egress

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the egress counters. One Metrics serves every proxy in the
// process; a nil *Metrics records nothing. Labels never carry URLs or hosts.
type Metrics struct {
	requests *prometheus.CounterVec // result: allowed|blocked
	blockedC *prometheus.CounterVec // reason
	cutC     *prometheus.CounterVec // reason
	bytesC   prometheus.Counter
}

// NewMetrics registers the egress counters with reg:
//
//	scamscope_egress_requests_total{result="allowed|blocked"}
//	scamscope_egress_blocked_total{reason}
//	scamscope_egress_cut_total{reason}
//	scamscope_egress_response_bytes_total
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scamscope_egress_requests_total",
			Help: "Browser requests and tunnels seen by the egress proxy, by result.",
		}, []string{"result"}),
		blockedC: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scamscope_egress_blocked_total",
			Help: "Requests refused by the egress proxy, by reason.",
		}, []string{"reason"}),
		cutC: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scamscope_egress_cut_total",
			Help: "Responses and tunnels cut short at a byte cap, by reason.",
		}, []string{"reason"}),
		bytesC: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "scamscope_egress_response_bytes_total",
			Help: "Bytes relayed from upstream servers to the browser.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.blockedC, m.cutC, m.bytesC} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) request(result string) {
	if m != nil {
		m.requests.WithLabelValues(result).Inc()
	}
}

func (m *Metrics) blocked(r Reason) {
	if m != nil {
		m.blockedC.WithLabelValues(string(r)).Inc()
	}
}

func (m *Metrics) cut(r Reason) {
	if m != nil {
		m.cutC.WithLabelValues(string(r)).Inc()
	}
}

func (m *Metrics) bytes(n int64) {
	if m != nil {
		m.bytesC.Add(float64(n))
	}
}

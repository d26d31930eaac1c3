package server

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Metrics are the gRPC server's request metrics:
//
//	scamscope_grpc_server_handled_total{method,code}        calls finished, by status code
//	scamscope_grpc_server_handling_seconds{method}           time from call start to finish
//	scamscope_grpc_server_stream_items_total{method,code}    ScanContents items answered, by code
//
// method is the service and method without the leading slash, e.g.
// "scamscope.v1.ScanService/ScanContent"; code is a codes.Code name
// ("OK", "InvalidArgument", ...).
type Metrics struct {
	handled  *prometheus.CounterVec
	handling *prometheus.HistogramVec
	items    *prometheus.CounterVec
	methods  sync.Map // full method name -> *methodMetrics
}

// methodMetrics are one method's series, looked up once rather than by
// label values on every call (which hashes them byte by byte).
type methodMetrics struct {
	handling prometheus.Observer
	handled  [maxCode + 1]atomic.Pointer[prometheus.Counter] // by code, made on first use
}

// maxCode is the largest gRPC status code; handledFor looks up codes
// above it by label values.
const maxCode = codes.Unauthenticated

// NewMetrics creates the gRPC server metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "scamscope", Subsystem: "grpc_server", Name: "handled_total",
			Help: "gRPC calls finished on the server, by method and status code.",
		}, []string{"method", "code"}),
		handling: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "scamscope", Subsystem: "grpc_server", Name: "handling_seconds",
			Help:    "Time gRPC calls took on the server, from start to finish (streams: the whole stream).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method"}),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "scamscope", Subsystem: "grpc_server", Name: "stream_items_total",
			Help: "Items of streaming calls answered, by method and status code (OK for a verdict).",
		}, []string{"method", "code"}),
	}
	for _, c := range []prometheus.Collector{m.handled, m.handling, m.items} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register gRPC server metrics: %w", err)
		}
	}
	return m, nil
}

func methodLabel(fullMethod string) string { return strings.TrimPrefix(fullMethod, "/") }

func (m *Metrics) observe(fullMethod string, start time.Time, err error) {
	mm := m.method(fullMethod)
	m.handledFor(mm, fullMethod, status.Code(err)).Inc()
	mm.handling.Observe(time.Since(start).Seconds())
}

func (m *Metrics) method(fullMethod string) *methodMetrics {
	if v, ok := m.methods.Load(fullMethod); ok {
		return v.(*methodMetrics)
	}
	v, _ := m.methods.LoadOrStore(fullMethod, &methodMetrics{handling: m.handling.WithLabelValues(methodLabel(fullMethod))})
	return v.(*methodMetrics)
}

func (m *Metrics) handledFor(mm *methodMetrics, fullMethod string, c codes.Code) prometheus.Counter {
	if c > maxCode {
		return m.handled.WithLabelValues(methodLabel(fullMethod), c.String())
	}
	if p := mm.handled[c].Load(); p != nil {
		return *p
	}
	ctr := m.handled.WithLabelValues(methodLabel(fullMethod), c.String())
	mm.handled[c].Store(&ctr) // a race stores the same series twice: harmless
	return ctr
}

func (m *Metrics) observeItem(fullMethod string, c codes.Code) {
	m.items.WithLabelValues(methodLabel(fullMethod), c.String()).Inc()
}

// UnaryInterceptor counts and times unary calls.
func (m *Metrics) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		start := time.Now()
		resp, err := handler(ctx, req)
		m.observe(info.FullMethod, start, err)
		return resp, err
	}
}

// StreamInterceptor counts and times streaming calls.
func (m *Metrics) StreamInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		start := time.Now()
		err := handler(srv, ss)
		m.observe(info.FullMethod, start, err)
		return err
	}
}

package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/peer"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
	"github.com/scamscope/scamscope/internal/auth"
	"github.com/scamscope/scamscope/internal/verdict"
	"github.com/scamscope/scamscope/internal/verdict/boltstore"
	"github.com/scamscope/scamscope/internal/verdictcache"
)

// benchVerdicts returns a VerdictService over a bbolt store of n SCAM
// scans, the options of a server with every interceptor, and the URLs.
func benchVerdicts(b *testing.B, n int) (*VerdictService, Options, []string) {
	b.Helper()
	st, err := boltstore.Open(filepath.Join(b.TempDir(), "v.db"), boltstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	var scans []*verdict.Scan
	var urls []string
	for i := range n {
		raw := fmt.Sprintf("https://host-%d.example/path/%d?id=%d", i%1000, i, i)
		sc, err := storedScan(fmt.Sprintf("%032x", i), raw, "windows-desktop",
			&scamscopev1.ScanURLResponse{Verdict: &scamscopev1.Verdict{Label: scamscopev1.Label_LABEL_SCAM, Score: 90}}, time.Now(), time.Now())
		if err != nil {
			b.Fatal(err)
		}
		scans = append(scans, sc)
		urls = append(urls, raw)
	}
	if err := st.PutScans(context.Background(), scans); err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	vs := NewVerdictService(VerdictConfig{}, verdictcache.New(st, verdictcache.Options{TTL: time.Minute}), nil, log)
	m, err := NewMetrics(nopRegisterer{})
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{
		Scan: NewScanService(Config{}, nil, log, nil), Verdict: vs, Metrics: m, Logger: log,
		Access: NewAccess(AccessConfig{Limiter: auth.NewLimiter(auth.LimiterConfig{Rate: 1e9, Burst: 1e9})}),
	}
	return vs, opts, urls
}

// BenchmarkLookupURLHandler is the server's own work for one lookup: the
// interceptor chain and the handler, without the transport.
func BenchmarkLookupURLHandler(b *testing.B) {
	vs, opts, urls := benchVerdicts(b, 10_000)
	icpt := opts.UnaryInterceptor()
	info := &grpc.UnaryServerInfo{FullMethod: scamscopev1.VerdictService_LookupURL_FullMethodName}
	ctx := peer.NewContext(context.Background(), &peer.Peer{Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5}})
	handler := func(ctx context.Context, req any) (any, error) {
		return vs.LookupURL(ctx, req.(*scamscopev1.LookupURLRequest))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		resp, err := icpt(ctx, &scamscopev1.LookupURLRequest{Url: urls[i%len(urls)]}, info, handler)
		if err != nil || !resp.(*scamscopev1.LookupURLResponse).GetKnown() {
			b.Fatalf("LookupURL = %v, %v", resp, err)
		}
		i++
	}
}

// BenchmarkLookupURLGRPC is a lookup over a real loopback connection,
// client and server in this process.
func BenchmarkLookupURLGRPC(b *testing.B) {
	_, opts, urls := benchVerdicts(b, 10_000)
	gs, _ := NewGRPC(opts)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go gs.Serve(lis)
	defer gs.Stop()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	c := scamscopev1.NewVerdictServiceClient(conn)
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer() // not the store's filling
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := c.LookupURL(context.Background(), &scamscopev1.LookupURLRequest{Url: urls[i%len(urls)]}); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// reportCPU reports the process's CPU time (client and server here) per
// operation, which other work on the machine disturbs less than ns/op.
// Call the function it returns when the timed part ends.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// nopRegisterer accepts metrics without exposing them.
type nopRegisterer struct{}

func (nopRegisterer) Register(c prometheus.Collector) error  { return nil }
func (nopRegisterer) MustRegister(...prometheus.Collector)   {}
func (nopRegisterer) Unregister(c prometheus.Collector) bool { return true }

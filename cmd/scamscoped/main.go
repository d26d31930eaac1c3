// Command scamscoped is the ScamScope server: it serves
// scamscope.v1.ScanService and VerdictService over gRPC, with the
// grpc.health.v1 service and server reflection, and Prometheus metrics
// (/metrics) and a liveness check (/healthz) over HTTP.
//
// Flags have environment variables (SCAMSCOPE_GRPC_ADDR, ...) that replace
// their defaults; a flag given on the command line wins. `scamscoped --help`
// lists them. Logs are JSON lines (log/slog) on stderr. SIGTERM or SIGINT
// drains in-flight calls for up to --shutdown-timeout, then cuts them off.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/scamscope/scamscope/internal/metrics"
	"github.com/scamscope/scamscope/internal/rules"
	"github.com/scamscope/scamscope/internal/scan"
	"github.com/scamscope/scamscope/internal/server"
	rulefiles "github.com/scamscope/scamscope/rules"
)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "scamscoped:", err)
		os.Exit(1)
	}
}

// run starts the server and serves until ctx is done, then shuts down
// gracefully. It returns nil after a clean shutdown.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if cfg.Version {
		fmt.Fprintf(stdout, "scamscoped %s (%s)\n", version, runtime.Version())
		return nil
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))

	rs, err := loadRules(cfg.RulesDir)
	if err != nil {
		return err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if err := metrics.RegisterBuildInfo(reg, version, rs.Version()); err != nil {
		return err
	}
	ids := make([]string, 0, len(rs.Rules()))
	for _, r := range rs.Rules() {
		ids = append(ids, r.ID)
	}
	scanMetrics, err := metrics.NewScan(reg, ids)
	if err != nil {
		return err
	}
	grpcMetrics, err := server.NewMetrics(reg)
	if err != nil {
		return err
	}

	scanner := scan.New(scan.Config{MaxContentBytes: cfg.MaxContentBytes}, rs, scanMetrics)
	pool, err := startBrowser(ctx, cfg, reg, log)
	if err != nil {
		return err
	}
	if pool != nil {
		defer pool.Close()
		scanner = scanner.WithRenderer(pool)
	}
	svc := server.NewScanService(server.Config{MaxConcurrentItems: cfg.MaxConcurrentItems, URLScanTimeout: cfg.URLScanTimeout}, scanner, log, scanMetrics)
	gs, hs := server.NewGRPC(server.Options{
		Scan:            svc,
		Metrics:         grpcMetrics,
		Logger:          log,
		MaxRecvMsgBytes: cfg.MaxContentBytes + recvSlack,
	})

	var lc net.ListenConfig
	grpcLis, err := lc.Listen(ctx, "tcp", cfg.GRPCAddr)
	if err != nil {
		return fmt.Errorf("listen for gRPC on %s: %w", cfg.GRPCAddr, err)
	}
	var (
		httpSrv *http.Server
		httpLis net.Listener
	)
	if cfg.MetricsAddr != "" {
		httpLis, err = lc.Listen(ctx, "tcp", cfg.MetricsAddr)
		if err != nil {
			grpcLis.Close()
			return fmt.Errorf("listen for metrics on %s: %w", cfg.MetricsAddr, err)
		}
		httpSrv = &http.Server{
			Handler:           httpHandler(reg, hs, log),
			ReadHeaderTimeout: 5 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
	}

	errc := make(chan error, 2)
	go func() {
		if err := gs.Serve(grpcLis); err != nil {
			errc <- fmt.Errorf("serve gRPC: %w", err)
		}
	}()
	log.InfoContext(ctx, "serving gRPC", slog.String("addr", grpcLis.Addr().String()),
		slog.String("version", version), slog.String("rule_set_version", rs.Version()),
		slog.Int("rules", len(rs.Rules())), slog.Int("max_content_bytes", cfg.MaxContentBytes))
	if httpSrv != nil {
		go func() {
			if err := httpSrv.Serve(httpLis); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serve metrics: %w", err)
			}
		}()
		log.InfoContext(ctx, "serving metrics", slog.String("addr", httpLis.Addr().String()))
	}

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down", slog.String("timeout", cfg.ShutdownTimeout.String()))
	case serveErr = <-errc:
		log.Error("server failed; shutting down", slog.Any("error", serveErr))
	}
	shutdown(gs, hs, httpSrv, cfg.ShutdownTimeout, log)
	return serveErr
}

// shutdown reports NOT_SERVING, lets in-flight calls finish for up to
// timeout, then cuts off what is left.
func shutdown(gs *grpc.Server, hs *health.Server, httpSrv *http.Server, timeout time.Duration, log *slog.Logger) {
	hs.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	done := make(chan struct{})
	go func() {
		gs.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		log.Warn("gRPC calls still running after the shutdown timeout; stopping them")
		gs.Stop()
		<-done
	}
	if httpSrv != nil {
		if err := httpSrv.Shutdown(ctx); err != nil {
			httpSrv.Close()
		}
	}
	log.Info("stopped")
}

// httpHandler serves /metrics from reg and /healthz from the gRPC health
// server's overall status (200 SERVING, 503 otherwise).
func httpHandler(reg *prometheus.Registry, hs *health.Server, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		Registry: reg,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError),
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		resp, err := hs.Check(r.Context(), &healthpb.HealthCheckRequest{})
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not serving")
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// loadRules loads the rule files in dir, or the embedded ones when dir is
// empty.
func loadRules(dir string) (*rules.Set, error) {
	var (
		fsys fs.FS = rulefiles.FS()
		from       = "embedded rules"
	)
	if dir != "" {
		fsys, from = os.DirFS(dir), dir
	}
	rs, err := rules.Load(fsys)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", from, err)
	}
	return rs, nil
}

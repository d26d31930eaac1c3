// Command scamscoped is the ScamScope server: it serves
// scamscope.v1.ScanService and VerdictService over gRPC, with the
// grpc.health.v1 service and server reflection, the same API as JSON over
// HTTP (--http-addr, internal/gateway), and Prometheus metrics (/metrics)
// and a liveness check (/healthz) over HTTP (--metrics-addr).
//
// Verdicts and scans live in a bbolt file under --data-dir (default
// $XDG_STATE_HOME/scamscope, else ~/.local/state/scamscope), or in
// PostgreSQL with --postgres-dsn. Expired verdicts are purged every
// --purge-interval. Submitted scans run on the browser pool in the
// background; on shutdown they drain within --shutdown-timeout, and what
// is left stays queued and runs after the next start.
//
// Access: API keys (--api-keys-file, --api-keys; scamscoped
// --new-api-key=ID:ROLES makes one) with the roles submit and analyst.
// Without any key, a server whose gRPC and JSON listeners are all on
// loopback runs open (every caller has every role: `make run` needs no
// set-up), and any other server refuses submitting and analyst queries.
// Anonymous ScanContent, LookupURL and SearchHashes calls are rate-limited
// per client address (--rate-limit, --rate-burst); ScanContent stays open
// to anonymous callers, for ad networks, within that limit.
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
	"net/http/pprof"
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

	"github.com/scamscope/scamscope/internal/auth"
	"github.com/scamscope/scamscope/internal/gateway"
	"github.com/scamscope/scamscope/internal/metrics"
	"github.com/scamscope/scamscope/internal/rules"
	"github.com/scamscope/scamscope/internal/scan"
	"github.com/scamscope/scamscope/internal/scanqueue"
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
	if cfg.NewAPIKey != "" {
		out, err := newAPIKey(cfg.NewAPIKey)
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, out)
		return nil
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))

	rs, err := loadRules(cfg.RulesDir)
	if err != nil {
		return err
	}
	keys, err := loadKeys(cfg)
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
	accessMetrics, err := server.NewAccessMetrics(reg)
	if err != nil {
		return err
	}

	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close the verdict store", slog.Any("error", err))
		}
	}()

	scanner := scan.New(scan.Config{MaxContentBytes: cfg.MaxContentBytes}, rs, scanMetrics)
	pool, err := startBrowser(ctx, cfg, reg, log)
	if err != nil {
		return err
	}
	if pool != nil {
		defer pool.Close()
		scanner = scanner.WithRenderer(pool)
	}
	svc := server.NewScanService(server.Config{MaxConcurrentItems: cfg.MaxConcurrentItems, URLScanTimeout: cfg.URLScanTimeout}, scanner, log, scanMetrics).WithStore(st)

	var (
		queue     *scanqueue.Queue
		submitter server.Submitter
	)
	if pool != nil {
		qm, err := scanqueue.NewMetrics(reg)
		if err != nil {
			return err
		}
		queue = scanqueue.New(scanqueue.Config{
			Workers: cfg.BrowserPool, QueueSize: cfg.SubmitQueue, DedupWindow: dedupWindow(cfg.DedupWindow),
		}, st, server.NewURLScanRunner(svc), log, qm)
		submitter = queue
		defer queue.Close(context.Background()) // after an early return; shutdown closes it first otherwise
	}
	vs := server.NewVerdictService(server.VerdictConfig{}, st, submitter, log)

	var lc net.ListenConfig
	grpcLis, err := lc.Listen(ctx, "tcp", cfg.GRPCAddr)
	if err != nil {
		return fmt.Errorf("listen for gRPC on %s: %w", cfg.GRPCAddr, err)
	}
	var lis []net.Listener
	closeAll := func() {
		grpcLis.Close()
		for _, l := range lis {
			l.Close()
		}
	}
	var (
		httpSrv, apiSrv *http.Server
		httpLis, apiLis net.Listener
	)
	if cfg.MetricsAddr != "" {
		httpLis, err = lc.Listen(ctx, "tcp", cfg.MetricsAddr)
		if err != nil {
			closeAll()
			return fmt.Errorf("listen for metrics on %s: %w", cfg.MetricsAddr, err)
		}
		lis = append(lis, httpLis)
	}
	if cfg.HTTPAddr != "" {
		apiLis, err = lc.Listen(ctx, "tcp", cfg.HTTPAddr)
		if err != nil {
			closeAll()
			return fmt.Errorf("listen for the JSON API on %s: %w", cfg.HTTPAddr, err)
		}
		lis = append(lis, apiLis)
	}

	// Without keys, a server only loopback can reach runs open (local
	// development); any other refuses what needs a key.
	open := keys.Len() == 0 && loopback(grpcLis, apiLis)
	switch {
	case open:
		log.WarnContext(ctx, "no API keys configured: every caller may submit scans and read stored scans, which is safe only because every API listener is on loopback; set --api-keys-file before listening elsewhere")
	case keys.Len() == 0:
		log.WarnContext(ctx, "no API keys configured: submitting scans and analyst queries are refused; set --api-keys-file (scamscoped --new-api-key=ID:ROLES makes a key)")
	default:
		log.InfoContext(ctx, "API keys loaded", slog.Int("keys", keys.Len()))
	}
	proxies, err := auth.ParseProxies(cfg.TrustedProxies)
	if err != nil { // validated with the flags
		closeAll()
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	if proxies.Len() > 0 {
		log.InfoContext(ctx, "client addresses from X-Forwarded-For of trusted proxies", slog.Int("prefixes", proxies.Len()))
	}
	access := server.NewAccess(server.AccessConfig{
		Keys:    keys,
		Open:    open,
		Limiter: auth.NewLimiter(auth.LimiterConfig{Rate: cfg.RateLimit, Burst: cfg.RateBurst}),
		Proxies: proxies,
		Metrics: accessMetrics,
		Logger:  log,
	})
	opts := server.Options{
		Scan:            svc,
		Verdict:         vs,
		Access:          access,
		Metrics:         grpcMetrics,
		Logger:          log,
		MaxRecvMsgBytes: cfg.MaxContentBytes + recvSlack,
	}
	gs, hs := server.NewGRPC(opts)
	errorLog := slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	if httpLis != nil {
		httpSrv = &http.Server{
			Handler:           httpHandler(reg, hs, cfg.DebugPprof, log),
			ReadHeaderTimeout: 5 * time.Second,
			ErrorLog:          errorLog,
		}
	}
	if apiLis != nil {
		gw, err := gateway.New(gateway.Config{
			Verdict:      vs,
			Scan:         svc,
			Interceptor:  opts.UnaryInterceptor(),
			CORSOrigins:  cfg.CORSOrigins,
			MaxBodyBytes: int64(cfg.MaxContentBytes)*4/3 + recvSlack, // base64 in JSON
			Logger:       log,
		})
		if err != nil {
			closeAll()
			return fmt.Errorf("--cors-origins: %w", err)
		}
		apiSrv = &http.Server{
			Handler:           gw,
			ReadHeaderTimeout: 5 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          errorLog,
		}
	}

	errc := make(chan error, 3)
	go func() {
		if err := gs.Serve(grpcLis); err != nil {
			errc <- fmt.Errorf("serve gRPC: %w", err)
		}
	}()
	log.InfoContext(ctx, "serving gRPC", slog.String("addr", grpcLis.Addr().String()),
		slog.String("version", version), slog.String("rule_set_version", rs.Version()),
		slog.Int("rules", len(rs.Rules())), slog.Int("max_content_bytes", cfg.MaxContentBytes))
	for _, hsrv := range []struct {
		srv  *http.Server
		lis  net.Listener
		what string
	}{{httpSrv, httpLis, "metrics"}, {apiSrv, apiLis, "JSON API"}} {
		if hsrv.srv == nil {
			continue
		}
		go func() {
			if err := hsrv.srv.Serve(hsrv.lis); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serve %s: %w", hsrv.what, err)
			}
		}()
		log.InfoContext(ctx, "serving "+hsrv.what, slog.String("addr", hsrv.lis.Addr().String()))
	}

	stopPurge := make(chan struct{})
	purged := make(chan struct{})
	go func() {
		defer close(purged)
		purgeLoop(st, cfg.PurgeInterval, stopPurge, log)
	}()
	recovered := make(chan struct{})
	if queue == nil {
		close(recovered)
	} else {
		go func() {
			defer close(recovered)
			// Scans a previous run left queued or running run again.
			n, err := queue.Recover(ctx, time.Now().Add(-recoverWindow))
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("recover queued scans", slog.Any("error", err))
			case n > 0:
				log.Info("queued scans left by the previous run again", slog.Int("scans", n))
			}
		}()
	}

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down", slog.String("timeout", cfg.ShutdownTimeout.String()))
	case serveErr = <-errc:
		log.Error("server failed; shutting down", slog.Any("error", serveErr))
	}
	shutdown(gs, hs, []*http.Server{apiSrv, httpSrv}, queue, cfg.ShutdownTimeout, log)
	close(stopPurge)
	<-purged
	<-recovered
	return serveErr
}

// recoverWindow is how far back a start looks for scans left queued.
const recoverWindow = 24 * time.Hour

// dedupWindow turns the flag's 0 (off) into the queue's negative.
func dedupWindow(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// shutdown reports NOT_SERVING, lets in-flight calls finish for up to
// timeout, then cuts off what is left; the scan queue drains in what time
// remains, and scans it cannot finish stay queued for the next start.
func shutdown(gs *grpc.Server, hs *health.Server, httpSrvs []*http.Server, queue *scanqueue.Queue, timeout time.Duration, log *slog.Logger) {
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
	for _, srv := range httpSrvs {
		if srv == nil {
			continue
		}
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close()
		}
	}
	if queue != nil {
		if left := queue.Close(ctx); left > 0 {
			log.Warn("submitted scans left queued; they run after the next start", slog.Int("scans", left))
		}
	}
	log.Info("stopped")
}

// httpHandler serves /metrics from reg and /healthz from the gRPC health
// server's overall status (200 SERVING, 503 otherwise), and with pprof the
// runtime profiles under /debug/pprof/.
func httpHandler(reg *prometheus.Registry, hs *health.Server, pprofOn bool, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	if pprofOn {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
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

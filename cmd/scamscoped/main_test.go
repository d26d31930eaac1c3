package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
	"github.com/scamscope/scamscope/internal/rules"
	rulefiles "github.com/scamscope/scamscope/rules"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(c config) string // returns what is wrong, or ""
		wantErr string
	}{
		{name: "defaults", check: func(c config) string {
			if c.GRPCAddr != "127.0.0.1:9090" || c.MetricsAddr != "127.0.0.1:9091" || c.MaxContentBytes != 8<<20 ||
				c.RulesDir != "" || c.LogLevel != slog.LevelInfo || c.ShutdownTimeout != 15*time.Second || c.MaxConcurrentItems != 0 {
				return "not the documented defaults"
			}
			return ""
		}},
		{name: "environment replaces defaults", env: map[string]string{
			"SCAMSCOPE_GRPC_ADDR": ":7000", "SCAMSCOPE_METRICS_ADDR": "", "SCAMSCOPE_MAX_CONTENT_BYTES": "1024",
			"SCAMSCOPE_MAX_CONCURRENT_ITEMS": "3", "SCAMSCOPE_RULES_DIR": "/etc/rules", "SCAMSCOPE_LOG_LEVEL": "debug",
			"SCAMSCOPE_SHUTDOWN_TIMEOUT": "2s",
		}, check: func(c config) string {
			if c.GRPCAddr != ":7000" || c.MaxContentBytes != 1024 || c.MaxConcurrentItems != 3 || c.RulesDir != "/etc/rules" ||
				c.LogLevel != slog.LevelDebug || c.ShutdownTimeout != 2*time.Second {
				return "environment not applied"
			}
			if c.MetricsAddr != "127.0.0.1:9091" {
				return "an empty variable replaced the default"
			}
			return ""
		}},
		{name: "flag wins over environment",
			args: []string{"--grpc-addr=127.0.0.1:7001", "--max-content-bytes=2048", "--log-level=warn", "--metrics-addr="},
			env:  map[string]string{"SCAMSCOPE_GRPC_ADDR": ":7000", "SCAMSCOPE_MAX_CONTENT_BYTES": "1024", "SCAMSCOPE_LOG_LEVEL": "debug"},
			check: func(c config) string {
				if c.GRPCAddr != "127.0.0.1:7001" || c.MaxContentBytes != 2048 || c.LogLevel != slog.LevelWarn || c.MetricsAddr != "" {
					return "flags did not win"
				}
				return ""
			}},
		{name: "bad environment number", env: map[string]string{"SCAMSCOPE_MAX_CONTENT_BYTES": "8MB"},
			wantErr: `SCAMSCOPE_MAX_CONTENT_BYTES="8MB"`},
		{name: "bad environment level", env: map[string]string{"SCAMSCOPE_LOG_LEVEL": "loud"},
			wantErr: "SCAMSCOPE_LOG_LEVEL"},
		{name: "bad environment duration", env: map[string]string{"SCAMSCOPE_SHUTDOWN_TIMEOUT": "soon"},
			wantErr: "SCAMSCOPE_SHUTDOWN_TIMEOUT"},
		{name: "unknown flag", args: []string{"--grpc-port=1"}, wantErr: "grpc-port"},
		{name: "stray argument", args: []string{"serve"}, wantErr: "unexpected arguments"},
		{name: "zero limit", args: []string{"--max-content-bytes=0"}, wantErr: "--max-content-bytes must be positive"},
		{name: "negative concurrency", args: []string{"--max-concurrent-items=-1"}, wantErr: "--max-concurrent-items"},
		{name: "same addresses", args: []string{"--grpc-addr=127.0.0.1:7000", "--metrics-addr=127.0.0.1:7000"}, wantErr: "both"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(k string) string { return tc.env[k] }
			c, err := parseConfig(tc.args, getenv, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseConfig(%q) error = %v, want one containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseConfig(%q) error = %v", tc.args, err)
			}
			if msg := tc.check(c); msg != "" {
				t.Errorf("parseConfig(%q) = %+v: %s", tc.args, c, msg)
			}
		})
	}
}

func TestRunVersionAndHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"--version"}, &out, &errOut); err != nil {
		t.Fatalf("run --version: %v", err)
	}
	if !strings.HasPrefix(out.String(), "scamscoped dev ") {
		t.Errorf("run --version printed %q, want it to start with %q", out.String(), "scamscoped dev ")
	}
	out.Reset()
	if err := run(t.Context(), []string{"--help"}, &out, &errOut); err != nil {
		t.Fatalf("run --help: %v", err)
	}
	if !strings.Contains(errOut.String(), "SCAMSCOPE_GRPC_ADDR") {
		t.Errorf("run --help printed %q, want the environment variables named", errOut.String())
	}
}

func TestRunBadRulesDir(t *testing.T) {
	err := run(t.Context(), []string{"--data-dir=" + t.TempDir(), "--http-addr=", "--rules-dir=testdata/no-such-dir", "--grpc-addr=127.0.0.1:0", "--metrics-addr=", "--browser=off"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "testdata/no-such-dir") {
		t.Errorf("run with a missing rules dir = %v, want an error naming it", err)
	}
}

// syncBuffer collects the server's logs while it writes them.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// logAddr waits for the log line with message msg and returns its addr.
func logAddr(t *testing.T, logs *syncBuffer, msg string, runErr <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(logs.String(), "\n") {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == msg {
				return rec.Addr
			}
		}
		select {
		case err := <-runErr:
			t.Fatalf("run returned %v before logging %q; logs:\n%s", err, msg, logs)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("no %q log line after 10s; logs:\n%s", msg, logs)
	return ""
}

// rulesArgs runs the server on the embedded rules when they load, else on
// testdata/rules: these tests are about serving, not about the rules.
func rulesArgs(t *testing.T) []string {
	if _, err := rules.Load(rulefiles.FS()); err != nil {
		t.Logf("embedded rules do not load (%v); using testdata/rules", err)
		return []string{"--rules-dir=testdata/rules"}
	}
	return nil
}

// TestRunServesAndShutsDownGracefully runs the server on ephemeral loopback
// ports, waits until it is SERVING, scans, scrapes metrics, then cancels
// the context mid-stream: the open stream still completes, run returns nil,
// and no goroutine is left behind.
func TestRunServesAndShutsDownGracefully(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logs := &syncBuffer{}
	args := append([]string{"--data-dir=" + t.TempDir(), "--http-addr=", "--grpc-addr=127.0.0.1:0", "--metrics-addr=127.0.0.1:0", "--max-content-bytes=100000", "--browser=off"}, rulesArgs(t)...)
	runErr := make(chan error, 1)
	go func() { runErr <- run(ctx, args, io.Discard, logs) }()

	grpcAddr := logAddr(t, logs, "serving gRPC", runErr)
	metricsAddr := logAddr(t, logs, "serving metrics", runErr)

	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	callCtx, callCancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer callCancel()

	hc := healthpb.NewHealthClient(conn)
	hr, err := hc.Check(callCtx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
	if err != nil || hr.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health Check = %v, %v; want SERVING", hr.GetStatus(), err)
	}

	sc := scamscopev1.NewScanServiceClient(conn)
	resp, err := sc.ScanContent(callCtx, &scamscopev1.ScanContentRequest{Content: []byte("<p>Your computer is infected. Call support.</p>")})
	if err != nil {
		t.Fatalf("ScanContent: %v", err)
	}
	if resp.GetVerdict().GetRuleSetVersion() == "" {
		t.Errorf("verdict has no rule_set_version: %v", resp.GetVerdict())
	}
	// The limit from the flag applies, past the gRPC message limit too.
	for _, n := range []int{100_001, 100_000 + recvSlack + 1} {
		_, err = sc.ScanContent(callCtx, &scamscopev1.ScanContentRequest{Content: bytes.Repeat([]byte("a"), n)})
		if status.Code(err) != codes.ResourceExhausted {
			t.Errorf("ScanContent(%d bytes) = %v, want ResourceExhausted", n, err)
		}
	}

	httpc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	for path, want := range map[string]string{
		"/metrics": `scamscope_build_info{goversion="` + runtime.Version() + `",rule_set_version="` + resp.GetVerdict().GetRuleSetVersion() + `",version="dev"} 1`,
		"/healthz": "ok",
	} {
		body, code := get(t, httpc, "http://"+metricsAddr+path)
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s = %d, want 200 with %q; body:\n%.2000s", path, code, want, body)
		}
	}
	body, _ := get(t, httpc, "http://"+metricsAddr+"/metrics")
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "scamscope_grpc_server_handled_total",
		"scamscope_scan_stage_duration_seconds", "scamscope_scan_verdicts_total"} {
		if !strings.Contains(body, name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}

	// Open a stream, shut down, and finish the stream afterwards.
	stream, err := sc.ScanContents(callCtx)
	if err != nil {
		t.Fatal(err)
	}
	item := func(id string) *scamscopev1.ScanContentsRequest {
		return &scamscopev1.ScanContentsRequest{ClientId: id, Content: &scamscopev1.ScanContentRequest{Content: []byte("<p>hello</p>")}}
	}
	if err := stream.Send(item("before")); err != nil {
		t.Fatal(err)
	}
	if r, err := stream.Recv(); err != nil || r.GetClientId() != "before" {
		t.Fatalf("Recv = %v, %v; want the answer for %q", r, err, "before")
	}
	// New calls cannot start once the server drains, so watch health from
	// before: it must turn NOT_SERVING.
	watchCtx, watchCancel := context.WithCancel(callCtx)
	defer watchCancel()
	watch, err := hc.Watch(watchCtx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if hr, err := watch.Recv(); err != nil || hr.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health Watch = %v, %v; want SERVING first", hr.GetStatus(), err)
	}
	cancel()
	if hr, err := watch.Recv(); err != nil || hr.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("health Watch after cancel = %v, %v; want NOT_SERVING", hr.GetStatus(), err)
	}
	watchCancel()
	if err := stream.Send(item("during")); err != nil {
		t.Fatalf("Send during shutdown: %v", err)
	}
	if r, err := stream.Recv(); err != nil || r.GetClientId() != "during" {
		t.Fatalf("Recv during shutdown = %v, %v; want the answer for %q", r, err, "during")
	}
	stream.CloseSend()
	if _, err := stream.Recv(); err != io.EOF {
		t.Errorf("Recv after CloseSend = %v, want io.EOF", err)
	}
	select {
	case err := <-runErr:
		if err != nil {
			t.Errorf("run = %v, want nil after a graceful shutdown", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return within 15s of cancel")
	}
	if !strings.Contains(logs.String(), `"msg":"stopped"`) {
		t.Errorf("no stopped log line; logs:\n%s", logs)
	}

	conn.Close()
	httpc.CloseIdleConnections()
	checkGoroutines(t, before)
}

// TestRunShutdownTimeout holds a stream open past --shutdown-timeout: run
// cuts it off and still returns nil.
func TestRunShutdownTimeout(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logs := &syncBuffer{}
	args := append([]string{"--data-dir=" + t.TempDir(), "--http-addr=", "--grpc-addr=127.0.0.1:0", "--metrics-addr=", "--shutdown-timeout=200ms", "--browser=off"}, rulesArgs(t)...)
	runErr := make(chan error, 1)
	go func() { runErr <- run(ctx, args, io.Discard, logs) }()
	addr := logAddr(t, logs, "serving gRPC", runErr)

	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stream, err := scamscopev1.NewScanServiceClient(conn).ScanContents(t.Context(), grpc.WaitForReady(true))
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&scamscopev1.ScanContentsRequest{ClientId: "a", Content: &scamscopev1.ScanContentRequest{Content: []byte("<p>x</p>")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cancel()
	select {
	case err := <-runErr:
		if err != nil {
			t.Errorf("run = %v, want nil", err)
		}
		if d := time.Since(start); d < 150*time.Millisecond {
			t.Errorf("run returned after %v with a stream open, want it to wait about the 200ms timeout", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return within 10s although the shutdown timeout is 200ms")
	}
	if _, err := stream.Recv(); err == nil || errors.Is(err, io.EOF) {
		t.Errorf("Recv on the cut-off stream = %v, want an error", err)
	}
	if !strings.Contains(logs.String(), "still running after the shutdown timeout") {
		t.Errorf("no log line about cutting calls off; logs:\n%s", logs)
	}
	conn.Close()
	checkGoroutines(t, before)
}

func get(t *testing.T, c *http.Client, url string) (string, int) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return string(b), resp.StatusCode
}

// checkGoroutines waits briefly for the goroutine count to fall back to
// what it was before the server started, and dumps the stacks if not.
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Errorf("%d goroutines after shutdown, %d before; stacks:\n%s", runtime.NumGoroutine(), before, buf[:n])
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

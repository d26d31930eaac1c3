package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
)

// daemonEnv, when set to 1, makes the test binary run the server instead of
// the tests, with the arguments in daemonArgsEnv (one per line): the
// durability test kills it with SIGKILL.
const (
	daemonEnv     = "SCAMSCOPED_TEST_DAEMON"
	daemonArgsEnv = "SCAMSCOPED_TEST_DAEMON_ARGS"
)

func TestMain(m *testing.M) {
	if os.Getenv(daemonEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, strings.Split(os.Getenv(daemonArgsEnv), "\n"), os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "scamscoped:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// daemon is the server running in a child process.
type daemon struct {
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
	done chan error
}

// startDaemon runs the server in a child process and waits for its gRPC
// address.
func startDaemon(t *testing.T, args ...string) *daemon {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), daemonEnv+"=1", daemonArgsEnv+"="+strings.Join(args, "\n"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &daemon{cmd: cmd, logs: &syncBuffer{}, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			d.logs.Write([]byte(line + "\n"))
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "serving gRPC" {
				addr <- rec.Addr
			}
		}
		d.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-d.done
		}
	})
	select {
	case d.addr = <-addr:
	case err := <-d.done:
		t.Fatalf("daemon exited (%v) before serving; logs:\n%s", err, d.logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("daemon not serving after 60s; logs:\n%s", d.logs)
	}
	return d
}

func (d *daemon) client(t *testing.T) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(d.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

const smallPage = `<!doctype html><html><head><title>Notes</title></head><body><p>Water the tomatoes twice a week.</p></body></html>`

// TestSIGKILLLosesNoAcknowledgedScan drives a stream of stored scans
// (SubmitURLs, and ScanURL while the browser works through them), kills the
// server with SIGKILL in the middle of it, restarts it on the same data
// directory, and finds every scan whose ID was acknowledged; the scans the
// first run left queued run after the restart.
func TestSIGKILLLosesNoAcknowledgedScan(t *testing.T) {
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium not installed (apt-get install chromium): stored URL scans not tested")
	}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if strings.HasPrefix(r.URL.Path, "/scam") {
			io.WriteString(w, scamPage)
			return
		}
		io.WriteString(w, smallPage)
	}))
	defer site.Close()
	port := site.URL[strings.LastIndexByte(site.URL, ':')+1:]
	dataDir := t.TempDir()
	args := append([]string{"--data-dir=" + dataDir, "--grpc-addr=127.0.0.1:0", "--http-addr=", "--metrics-addr=",
		"--browser=on", "--browser-pool=1", "--egress-allow-loopback", "--egress-ports=" + port, "--shutdown-timeout=2s"}, rulesArgs(t)...)

	d := startDaemon(t, args...)
	conn := d.client(t)
	vs := scamscopev1.NewVerdictServiceClient(conn)
	sc := scamscopev1.NewScanServiceClient(conn)

	var (
		mu        sync.Mutex
		submitted []string // acknowledged SubmitURLs IDs
		scanned   []string // acknowledged ScanURL IDs
	)
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // a stream of submissions
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			resp, err := vs.SubmitURLs(ctx, &scamscopev1.SubmitURLsRequest{Urls: []string{fmt.Sprintf("%s/page/%d", site.URL, i)}, Force: true})
			if err != nil {
				return // killed
			}
			mu.Lock()
			submitted = append(submitted, resp.GetScanIds()...)
			mu.Unlock()
			time.Sleep(20 * time.Millisecond)
		}
	}()
	go func() { // synchronous scans alongside
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			resp, err := sc.ScanURL(ctx, &scamscopev1.ScanURLRequest{Url: fmt.Sprintf("%s/scam/%d", site.URL, i)})
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				continue // busy browser: try again
			}
			if resp.GetScanId() == "" {
				t.Errorf("ScanURL answered without a scan_id")
				continue
			}
			mu.Lock()
			scanned = append(scanned, resp.GetScanId())
			mu.Unlock()
		}
	}()
	// Kill once enough is acknowledged, with calls still in flight.
	deadline := time.Now().Add(90 * time.Second)
	for {
		mu.Lock()
		ns, nu := len(submitted), len(scanned)
		mu.Unlock()
		if ns >= 20 && nu >= 1 {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			wg.Wait()
			t.Fatalf("only %d submissions and %d URL scans acknowledged after 90s; logs:\n%s", ns, nu, d.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := d.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-d.done
	cancel()
	wg.Wait()
	mu.Lock()
	t.Logf("killed with %d submissions and %d URL scans acknowledged", len(submitted), len(scanned))
	acked := append(append([]string{}, submitted...), scanned...)
	mu.Unlock()

	d2 := startDaemon(t, args...)
	vs2 := scamscopev1.NewVerdictServiceClient(d2.client(t))
	callCtx, callCancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer callCancel()
	states := map[string]int{}
	for _, id := range acked {
		resp, err := vs2.GetScan(callCtx, &scamscopev1.GetScanRequest{ScanId: id})
		if err != nil {
			t.Errorf("GetScan(%s) after the restart = %v: an acknowledged scan was lost", id, err)
			continue
		}
		states[resp.GetScan().GetState()]++
	}
	for _, id := range scanned {
		resp, err := vs2.GetScan(callCtx, &scamscopev1.GetScanRequest{ScanId: id})
		if err == nil && (resp.GetScan().GetState() != "done" || resp.GetScan().GetResult().GetVerdict() == nil) {
			t.Errorf("ScanURL scan %s after the restart = %v, want done with its verdict", id, resp.GetScan())
		}
	}
	t.Logf("after the restart: %v", states)
	if states["queued"]+states["running"] == 0 {
		t.Logf("every submission had finished before the kill: recovery not exercised")
		return
	}
	// What the first run left queued runs now: the oldest submission first.
	first := submitted[0]
	for {
		resp, err := vs2.GetScan(callCtx, &scamscopev1.GetScanRequest{ScanId: submitted[len(submitted)-1]})
		if err != nil {
			t.Fatal(err)
		}
		if st := resp.GetScan().GetState(); st == "done" || st == "failed" {
			break
		}
		resp, err = vs2.GetScan(callCtx, &scamscopev1.GetScanRequest{ScanId: first})
		if err == nil && resp.GetScan().GetState() == "done" && strings.Contains(d2.logs.String(), "queued scans left by the previous run") {
			break
		}
		if callCtx.Err() != nil {
			t.Fatalf("the scans left queued did not run after the restart; logs:\n%s", d2.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := d2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-d2.done; err != nil {
		t.Errorf("restarted daemon exited with %v after SIGTERM; logs:\n%s", err, d2.logs)
	}
}

package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html"
	"image/png"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func TestRenderDialogs(t *testing.T) {
	pg := mustRender(t, "/scam/alerts", 8*time.Second)
	want := []Dialog{
		{Type: "alert", Message: "VIRUS ALERT! Your PC is blocked. Call support +1-888-555-0199", Count: 4},
		{Type: "confirm", Message: "Do not restart your computer. Call now?", Count: 1},
	}
	if len(pg.Dialogs) != len(want) {
		t.Fatalf("Dialogs = %+v, want %+v", pg.Dialogs, want)
	}
	for i, d := range pg.Dialogs {
		if d.Type != want[i].Type || d.Message != want[i].Message || d.Count != want[i].Count {
			t.Errorf("Dialogs[%d] = %+v, want %+v", i, d, want[i])
		}
		if d.SinceLoad <= 0 || d.SinceLoad > 8*time.Second {
			t.Errorf("Dialogs[%d].SinceLoad = %v, want within the render", i, d.SinceLoad)
		}
	}
	if pg.Calls[CallAlert] != 4 || pg.Calls[CallConfirm] != 1 {
		t.Errorf("Calls = %v, want alert 4, confirm 1", pg.Calls)
	}
	if pg.Behaviors[LockDialogLoop] != 5 {
		t.Errorf("Behaviors = %v, want %s 5", pg.Behaviors, LockDialogLoop)
	}
	if !strings.Contains(string(pg.HTML), "0x80070424") {
		t.Errorf("HTML = %.300q, want the error code", pg.HTML)
	}
}

// TestRenderBehaviors checks each lock behaviour on a page that shows it.
func TestRenderBehaviors(t *testing.T) {
	tests := []struct {
		path      string
		calls     map[string]int // at least these counts
		behaviors map[string]int // at least these counts
		absent    []string       // behaviours that must not be reported
	}{
		{
			path: "/scam/lock",
			calls: map[string]int{
				CallFullscreen: 1, CallKeyboardLock: 1, CallContextMenuBlock: 1,
				CallKeyBlockPrefix + "F12": 1, CallKeyBlockPrefix + "Ctrl+Shift+I": 1, CallKeyBlockPrefix + "Ctrl+U": 1,
			},
			behaviors: map[string]int{LockFullscreen: 1, LockKeyboard: 1, LockContextMenu: 1, LockDevtoolsKeys: 3},
			absent:    []string{LockDialogLoop, LockBeforeUnload, LockHistoryFlood},
		},
		{
			path:      "/scam/return-false",
			behaviors: map[string]int{LockContextMenu: 1},
			absent:    []string{LockFullscreen, LockDevtoolsKeys},
		},
		{
			path:      "/scam/beforeunload",
			calls:     map[string]int{CallBeforeUnloadListener: 1, CallBeforeUnloadHandler: 1},
			behaviors: map[string]int{LockBeforeUnload: 2},
		},
		{
			path:      "/scam/history",
			calls:     map[string]int{CallPushState: 12},
			behaviors: map[string]int{LockHistoryFlood: 12},
		},
		{
			path:      "/scam/audio",
			calls:     map[string]int{CallMediaPlay: 1, CallMediaPlayLoop: 1},
			behaviors: map[string]int{LockAudioLoop: 1},
		},
		{
			path:  "/scam/misc",
			calls: map[string]int{CallWindowOpen: 3, CallPrint: 2, CallNotification: 1, CallPointerLock: 1, CallDownload: 2},
			behaviors: map[string]int{
				LockWindowOpenStorm: 3, LockPrintLoop: 2, LockNotificationSpam: 1, LockPointer: 1, LockDownloadLoop: 2,
			},
		},
		{
			path:      "/scam/iframe",
			calls:     map[string]int{CallPushState: 5, CallWindowOpen: 3, CallPrint: 2},
			behaviors: map[string]int{LockHistoryFlood: 5, LockWindowOpenStorm: 3, LockPrintLoop: 2},
		},
		{
			path:   "/plain",
			absent: []string{LockDialogLoop, LockContextMenu, LockDevtoolsKeys, LockFullscreen, LockBeforeUnload},
		},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.path, "/"), func(t *testing.T) {
			pg := mustRender(t, tt.path, 8*time.Second)
			for k, n := range tt.calls {
				if pg.Calls[k] < n {
					t.Errorf("Calls[%q] = %d, want >= %d (Calls = %v)", k, pg.Calls[k], n, pg.Calls)
				}
			}
			for k, n := range tt.behaviors {
				if pg.Behaviors[k] < n {
					t.Errorf("Behaviors[%q] = %d, want >= %d (Behaviors = %v)", k, pg.Behaviors[k], n, pg.Behaviors)
				}
			}
			for _, k := range tt.absent {
				if _, ok := pg.Behaviors[k]; ok {
					t.Errorf("Behaviors = %v, want no %q", pg.Behaviors, k)
				}
			}
			if len(pg.Truncated) > 0 {
				t.Errorf("Truncated = %q, want none", pg.Truncated)
			}
		})
	}
}

func TestRenderScriptDOM(t *testing.T) {
	pg := mustRender(t, "/scam/phone", 8*time.Second)
	const phone = "Call Microsoft Support: +1 (888) 555 0199"
	if !strings.Contains(string(pg.HTML), phone) {
		t.Errorf("HTML = %q, want %q written by the script", pg.HTML, phone)
	}
	if !hasScript(pg, "document.getElementById('root').innerHTML") {
		t.Errorf("Scripts = %v, want the inline script", scriptSources(pg))
	}
	for _, s := range pg.Scripts {
		if strings.Contains(string(s.Source), "scamscope-") || strings.Contains(string(s.Source), "wrapSetter") {
			t.Errorf("Scripts include the scanner's own code: %.80q", s.Source)
		}
	}
	if pg.Status != http.StatusOK || pg.FinalURL != fixtureURL("/scam/phone") {
		t.Errorf("Status, FinalURL = %d, %q; want 200, the requested URL", pg.Status, pg.FinalURL)
	}
}

func TestRenderRedirectChain(t *testing.T) {
	pg := mustRender(t, "/chain/start", 8*time.Second)
	want := []Navigation{
		{URL: fixtureURL("/chain/start"), Kind: NavInitial, Status: 302},
		{URL: fixtureURL("/chain/meta"), Kind: NavHTTPRedirect, Status: 200},
		{URL: fixtureURL("/chain/js"), Kind: NavMetaRefresh, Status: 200},
		{URL: fixtureURL("/chain/final"), Kind: NavScript, Status: 200},
	}
	if len(pg.Redirects) != len(want) {
		t.Fatalf("Redirects = %+v, want %+v", pg.Redirects, want)
	}
	for i := range want {
		if pg.Redirects[i] != want[i] {
			t.Errorf("Redirects[%d] = %+v, want %+v", i, pg.Redirects[i], want[i])
		}
	}
	if pg.FinalURL != fixtureURL("/chain/final") || pg.Status != 200 {
		t.Errorf("FinalURL, Status = %q, %d; want /chain/final, 200", pg.FinalURL, pg.Status)
	}
	if !strings.Contains(string(pg.HTML), "final page") {
		t.Errorf("HTML = %q, want the final page", pg.HTML)
	}
}

// TestRenderSlowRedirect: the scan's visitor actions wait for a
// redirect in flight instead of stopping it with their Escape key.
func TestRenderSlowRedirect(t *testing.T) {
	pg := mustRender(t, "/slowhop/start", 8*time.Second)
	if pg.FinalURL != fixtureURL("/slowhop/target") || !strings.Contains(string(pg.HTML), "arrived") {
		t.Errorf("FinalURL = %q, HTML = %.200q; want the redirect's target", pg.FinalURL, pg.HTML)
	}
}

var titleRE = regexp.MustCompile(`<title>(.*?)</title>`)

func TestRenderProfiles(t *testing.T) {
	for _, prof := range Profiles() {
		t.Run(prof.Name, func(t *testing.T) {
			t.Parallel() // two tabs at once: each must still look visible and focused
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
			defer cancel()
			pg, err := testPool.Render(ctx, fixtureURL("/profile"), Profile{Name: prof.Name}, Options{})
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if pg.Profile != prof {
				t.Errorf("Page.Profile = %+v, want %+v", pg.Profile, prof)
			}
			m := titleRE.FindSubmatch(pg.HTML)
			if m == nil {
				t.Fatalf("no title in %q", pg.HTML)
			}
			var seen struct {
				UA, Lang, TZ, Platform string
				W, H                   int
				Webdriver, Focus       bool
				Visible                string
			}
			if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &seen); err != nil {
				t.Fatalf("title %q: %v", m[1], err)
			}
			if seen.UA != prof.UserAgent || seen.Lang != "en-US" || seen.TZ != prof.Timezone || seen.Platform != prof.Platform {
				t.Errorf("page saw %+v, want UA %q, en-US, %s, %s", seen, prof.UserAgent, prof.Timezone, prof.Platform)
			}
			if seen.W != prof.ViewportWidth || seen.H != prof.ViewportHeight {
				t.Errorf("page saw viewport %dx%d, want %dx%d", seen.W, seen.H, prof.ViewportWidth, prof.ViewportHeight)
			}
			if seen.Webdriver || !seen.Focus || seen.Visible != "visible" {
				t.Errorf("page saw webdriver %v, focus %v, visibility %q; want false, true, visible", seen.Webdriver, seen.Focus, seen.Visible)
			}
			headers := html.UnescapeString(string(pg.HTML))
			if !strings.Contains(headers, prof.UserAgent+"|"+prof.AcceptLanguage) {
				t.Errorf("server saw headers %q, want %q|%q", headers, prof.UserAgent, prof.AcceptLanguage)
			}
			if strings.Contains(string(pg.HTML), "Headless") {
				t.Errorf("page or server saw a headless user agent: %q", pg.HTML)
			}
		})
	}
}

func TestRenderBlockedRequests(t *testing.T) {
	pg := mustRender(t, "/blocked", 8*time.Second)
	want := map[string]string{"http://10.0.0.1/": "private", "http://169.254.169.254/latest/meta-data/": "metadata"}
	got := make(map[string]string)
	for _, b := range pg.Blocked {
		got[b.Target] = string(b.Reason)
	}
	for target, reason := range want {
		if got[target] != reason {
			t.Errorf("Blocked[%s] = %q, want %q (Blocked = %v)", target, got[target], reason, pg.Blocked)
		}
	}
}

func TestRenderBlockedDocument(t *testing.T) {
	for _, u := range []string{
		fixtureURL("/redirect-private"), "http://10.0.0.1/", "https://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
		"http://[::ffff:a9fe:a9fe]/", "http://167772161/",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		pg, err := testPool.Render(ctx, u, Profile{}, Options{})
		cancel()
		if !errors.Is(err, ErrBlocked) || pg != nil {
			t.Errorf("Render(%s) = %v, %v; want ErrBlocked", u, pg, err)
		}
	}
}

// A site that cannot be reached is a navigation error, not the proxy's
// error page.
func TestRenderUnreachable(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:" + strconv.Itoa(deadPort) + "/", "https://127.0.0.1:" + strconv.Itoa(deadPort) + "/"} {
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		pg, err := testPool.Render(ctx, u, Profile{}, Options{})
		cancel()
		if !errors.Is(err, ErrNavigation) || pg != nil {
			t.Errorf("Render(%s) = %v, %v; want ErrNavigation", u, pg, err)
		}
	}
}

func TestRenderConsoleAndScreenshot(t *testing.T) {
	pg, err := render(t, "/plain", 8*time.Second, Options{Screenshot: true})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pg.Screenshot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != pg.Profile.ViewportWidth || b.Dy() != pg.Profile.ViewportHeight {
		t.Errorf("screenshot %v, want the %dx%d viewport", b, pg.Profile.ViewportWidth, pg.Profile.ViewportHeight)
	}
	pg = mustRender(t, "/scam/lock", 8*time.Second)
	if pg.Screenshot != nil {
		t.Errorf("Screenshot taken without Options.Screenshot")
	}
}

func TestRenderBadURL(t *testing.T) {
	for _, u := range []string{
		"file:///etc/passwd", "chrome://settings", "data:text/html,<script>alert(1)</script>", "javascript:alert(1)",
		"about:blank", "ftp://example.com/", "view-source:http://example.com/", "//example.com/", "http://", "https:example.com",
		"http://exa mple.com/", "http://example.com/\n", "", "HTTP//x",
	} {
		start := time.Now()
		pg, err := testPool.Render(context.Background(), u, Profile{}, Options{})
		if !errors.Is(err, ErrBadURL) || pg != nil {
			t.Errorf("Render(%q) = %v, %v; want ErrBadURL", u, pg, err)
		}
		// A refusal takes microseconds and a page's settle time alone is
		// 300ms here; 250ms leaves a loaded test machine room (a 50ms
		// bound made TestRenderBusy fail once under make test).
		if d := time.Since(start); d > 250*time.Millisecond {
			t.Errorf("Render(%q) took %v, want an immediate refusal", u, d)
		}
	}
	if _, err := testPool.Render(context.Background(), fixtureURL("/plain"), Profile{Name: "nope"}, Options{}); !errors.Is(err, ErrConfig) {
		t.Errorf("Render with unknown profile: %v, want ErrConfig", err)
	}
}

// TestRenderBusy fills every tab and the queue with renders of a page that
// never answers; one more Render must fail with ErrBusy at once.
func TestRenderBusy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
	defer cancel()
	n := testPool.cfg.PoolSize + testPool.cfg.QueueSize
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { testPool.Render(ctx, fixtureURL("/h/hang"), Profile{}, Options{}) })
	}
	if !waitFor(3*time.Second, func() bool { return testPool.waiting.Load() == int64(testPool.cfg.QueueSize) }) {
		t.Fatalf("queue depth %d, want %d", testPool.waiting.Load(), testPool.cfg.QueueSize)
	}
	if d := value(testMetrics.queue); d != float64(testPool.cfg.QueueSize) {
		t.Errorf("queue depth gauge = %v, want %d", d, testPool.cfg.QueueSize)
	}
	start := time.Now()
	pg, err := testPool.Render(context.Background(), fixtureURL("/plain"), Profile{}, Options{})
	if !errors.Is(err, ErrBusy) || pg != nil {
		t.Errorf("Render on a full pool = %v, %v; want ErrBusy", pg, err)
	}
	// A Render that queued would wait for a slot, which the hung pages
	// hold until ctx ends (6 s); a second is far from both that and a
	// loaded machine's scheduling delays (50 ms failed once under make
	// test).
	if d := time.Since(start); d > time.Second {
		t.Errorf("ErrBusy took %v, want at once", d)
	}
	cancel()
	wg.Wait()
	waitFor(5*time.Second, func() bool { return len(testPool.slots) == 0 })
}

// TestRestartAfterCrash kills Chromium during a Render, which fails at
// once with ErrCrashed; the next Render relaunches it.
func TestRestartAfterCrash(t *testing.T) {
	before := value(testMetrics.restarts)
	testPool.mu.Lock()
	old := testPool.inst
	testPool.mu.Unlock()
	type result struct {
		pg  *Page
		err error
	}
	inflight := make(chan result, 1)
	go func() {
		pg, err := render(t, "/h/hang", 20*time.Second, Options{})
		inflight <- result{pg, err}
	}()
	waitFor(3*time.Second, func() bool { return len(testPool.slots) == 1 })
	time.Sleep(500 * time.Millisecond) // let it reach the navigation
	killed := time.Now()
	if err := syscall.Kill(old.pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill browser: %v", err)
	}
	select {
	case r := <-inflight:
		if !errors.Is(r.err, ErrCrashed) || r.pg != nil {
			t.Errorf("Render during the crash = %v, %v; want ErrCrashed", r.pg, r.err)
		}
		if d := time.Since(killed); d > 2*time.Second {
			t.Errorf("Render noticed the crash after %v", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("Render did not return after the browser died")
	}
	if !waitFor(5*time.Second, func() bool { return !old.alive() }) {
		t.Fatalf("pool did not notice the browser died")
	}
	pg := mustRender(t, "/plain", 15*time.Second)
	if !strings.Contains(string(pg.HTML), "hello") {
		t.Errorf("HTML = %q after relaunch", pg.HTML)
	}
	if got := value(testMetrics.restarts); got != before+1 {
		t.Errorf("restarts_total = %v, want %v", got, before+1)
	}
	if testPool.inst == old || testPool.inst.pid == old.pid {
		t.Errorf("browser not relaunched")
	}
	if _, err := os.Stat(old.dir); !os.IsNotExist(err) {
		t.Errorf("old profile dir %s still there: %v", old.dir, err)
	}
	if pids := profileProcs(old.dir); len(pids) > 0 {
		t.Errorf("processes of the dead browser left: %v", pids)
	}
}

func TestMetricsRecorded(t *testing.T) {
	mustRender(t, "/plain", 8*time.Second)
	testPool.Render(context.Background(), "file:///etc/passwd", Profile{}, Options{})
	for _, result := range []string{resultOK, resultBadURL} {
		if n := value(testMetrics.renders.WithLabelValues(result)); n < 1 {
			t.Errorf("renders_total{result=%q} = %v, want >= 1", result, n)
		}
	}
	var m dto.Metric
	if err := testMetrics.duration.Write(&m); err != nil || m.GetHistogram().GetSampleCount() < 2 {
		t.Errorf("duration histogram count = %d (%v), want >= 2", m.GetHistogram().GetSampleCount(), err)
	}
}

// value reads a counter or gauge.
func value(c prometheus.Metric) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}

package browser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scamscope/scamscope/internal/egress"
)

// One Chromium for the whole package, as in production: the tests share
// testPool and serve their fixtures from fixtures on 127.0.0.1.
var (
	testPool    *Pool
	testMetrics *Metrics
	testReg     *prometheus.Registry
	fixtures    *httptest.Server
	deadPort    int // allowed by the test policy, nothing listens there
)

// testConfig is the shared pool's config: short waits, small limits, and
// an egress policy that lets the browser reach the fixture server (and
// port 80, so that private and metadata addresses are refused for their
// address, not their port).
func testConfig(port int) Config {
	return Config{
		PoolSize:         2,
		QueueSize:        4,
		SettleTime:       300 * time.Millisecond,
		MaxDialogs:       10,
		MaxDOMBytes:      1 << 20,
		MaxScripts:       50,
		MaxConsoleErrors: 20,
		MaxRedirects:     20,
		JSHeapMB:         128,
		Egress: egress.Config{
			Policy:           egress.Policy{AllowLoopback: true, AllowedPorts: []int{port, deadPort, 80}},
			MaxResponseBytes: 4 << 20,
		},
	}
}

func TestMain(m *testing.M) {
	if _, err := findChromium(""); err != nil {
		fmt.Println("SKIP internal/browser: chromium not installed (apt-get install chromium)")
		os.Exit(0)
	}
	fixtures = httptest.NewServer(fixtureMux())
	if l, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		deadPort = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	_, ps, _ := net.SplitHostPort(fixtures.Listener.Addr().String())
	port, _ := strconv.Atoi(ps)
	testReg = prometheus.NewRegistry()
	var err error
	if testMetrics, err = NewMetrics(testReg); err != nil {
		panic(err)
	}
	cfg := testConfig(port)
	cfg.Metrics = testMetrics
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	testPool, err = New(ctx, cfg, testLogger())
	cancel()
	if err != nil {
		fmt.Println("browser.New:", err)
		fixtures.Close()
		os.Exit(1)
	}
	code := m.Run()
	testPool.mu.Lock()
	dir := testPool.inst.dir
	testPool.mu.Unlock()
	// Close with a Render in flight: the Render ends, then Close returns.
	inflight := make(chan error, 1)
	go func() {
		_, err := testPool.Render(context.Background(), fixtureURL("/h/hang"), Profile{}, Options{})
		inflight <- err
	}()
	waitFor(3*time.Second, func() bool { return len(testPool.slots) == 1 })
	start := time.Now()
	testPool.Close()
	if d := time.Since(start); d > 10*time.Second {
		fmt.Printf("FAIL: Close took %v with a Render in flight\n", d)
		code = 1
	}
	if err := <-inflight; !errors.Is(err, ErrClosed) {
		fmt.Printf("FAIL: Render in flight during Close returned %v, want ErrClosed\n", err)
		code = 1
	}
	if _, err := testPool.Render(context.Background(), fixtureURL("/plain"), Profile{}, Options{}); !errors.Is(err, ErrClosed) {
		fmt.Printf("FAIL: Render after Close returned %v, want ErrClosed\n", err)
		code = 1
	}
	// Close must leave no Chromium process and no profile directory.
	if pids := profileProcs(dir); len(pids) > 0 {
		fmt.Printf("FAIL: Chromium processes left after Close: %v\n", pids)
		code = 1
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		fmt.Printf("FAIL: profile directory %s left after Close (%v)\n", dir, err)
		code = 1
	}
	fixtures.CloseClientConnections()
	fixtures.Close()
	os.Exit(code)
}

// testLogger logs warnings, or everything with BROWSER_TEST_DEBUG set.
func testLogger() *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("BROWSER_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// fixtureURL is the fixture server's URL for path.
func fixtureURL(path string) string { return fixtures.URL + path }

// render renders a fixture with the default profile and a deadline.
func render(t testing.TB, path string, timeout time.Duration, opts Options) (*Page, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return testPool.Render(ctx, fixtureURL(path), Profile{}, opts)
}

// mustRender renders a fixture and fails the test on error.
func mustRender(t testing.TB, path string, timeout time.Duration) *Page {
	t.Helper()
	pg, err := render(t, path, timeout, Options{})
	if err != nil {
		t.Fatalf("Render(%s) error: %v", path, err)
	}
	return pg
}

// doc wraps a body in a page.
func doc(title, body string) string {
	return "<!DOCTYPE html><html><head><meta charset=utf-8><title>" + title + "</title></head><body>" + body + "</body></html>"
}

func serve(s string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, s)
	}
}

// fixtureMux serves the test pages. Scam-like pages are written for these
// tests; none is copied from a real sample.
func fixtureMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/plain", serve(doc("Plain page", `<p id="x">hello</p>`)))

	// A tech-support-scam-like locker: dialogs, phone number, error code.
	mux.HandleFunc("/scam/alerts", serve(doc("Security Warning",
		`<h1>Windows Defender Security Center</h1><p>Error # 0x80070424</p>
<script>
for (var i = 0; i < 4; i++) alert("VIRUS ALERT! Your PC is blocked. Call support +1-888-555-0199");
confirm("Do not restart your computer. Call now?");
</script>`)))
	mux.HandleFunc("/scam/lock", serve(doc("Locked",
		`<div id="lock" style="position:fixed;inset:0">Your computer is locked</div>
<script>
document.addEventListener('click', function () {
	document.documentElement.requestFullscreen().catch(function () {});
	if (navigator.keyboard) navigator.keyboard.lock(['Escape']).catch(function () {});
});
document.addEventListener('contextmenu', function (e) { e.preventDefault(); });
document.addEventListener('keydown', function (e) {
	if (e.key === 'F12' || (e.ctrlKey && e.shiftKey && e.key === 'I') || (e.ctrlKey && e.key === 'u')) e.preventDefault();
});
</script>`)))
	mux.HandleFunc("/scam/return-false", serve(`<!DOCTYPE html><html><head><title>rf</title></head>
<body style="margin:0;height:100vh" oncontextmenu="return false"><p>no right click</p></body></html>`))
	mux.HandleFunc("/scam/beforeunload", serve(doc("Stay",
		`<p>Do not leave this page</p>
<script>
window.addEventListener('beforeunload', function (e) { e.preventDefault(); e.returnValue = 'Are you sure?'; });
window.onbeforeunload = function () { return 'Your files will be lost'; };
</script>`)))
	mux.HandleFunc("/scam/history", serve(doc("History",
		`<script>for (var i = 0; i < 12; i++) history.pushState({i: i}, '', '#trap' + i);</script>`)))
	mux.HandleFunc("/scam/audio", serve(doc("Alarm",
		`<audio id="a1" src="/alarm.wav" autoplay loop></audio>
<script>var a = new Audio('/alarm.wav'); a.loop = true; a.play().catch(function () {});</script>`)))
	mux.HandleFunc("/alarm.wav", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "audio/wav")
		w.Write(wav())
	})
	mux.HandleFunc("/scam/phone", serve(doc("Support",
		`<div id="root"></div>
<script>
var n = ['+1', '(888)', '555', '0199'].join(' ');
document.getElementById('root').innerHTML = '<b>Call Microsoft Support: ' + n + '</b>';
</script>`)))
	mux.HandleFunc("/scam/misc", serve(doc("Misc",
		`<script>
window.open('/plain'); window.open('/plain'); window.open('/plain');
window.print(); window.print();
Notification.requestPermission();
document.documentElement.requestPointerLock && document.documentElement.requestPointerLock();
for (var i = 0; i < 2; i++) { var a = document.createElement('a'); a.href = URL.createObjectURL(new Blob(['x'])); a.download = 'fix.exe'; a.click(); }
</script>`)))

	// Probes run in iframes too, cross-site ones included (localhost is
	// another site than 127.0.0.1).
	mux.HandleFunc("/scam/iframe", func(w http.ResponseWriter, r *http.Request) {
		other := "http://localhost:" + r.Host[strings.LastIndex(r.Host, ":")+1:]
		serve(doc("Frames", `<iframe src="/frame/same"></iframe><iframe src="`+other+`/frame/cross"></iframe>`))(w, r)
	})
	mux.HandleFunc("/frame/same", serve(doc("same", `<script>for (var i = 0; i < 5; i++) history.pushState({}, '', '#s' + i);</script>`)))
	mux.HandleFunc("/frame/cross", serve(doc("cross", `<script>window.open('/a'); window.open('/b'); window.open('/c'); window.print(); window.print();</script>`)))

	// Redirect chain: HTTP 302, then a meta refresh, then location.href.
	mux.HandleFunc("/chain/start", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/chain/meta", http.StatusFound)
	})
	mux.HandleFunc("/chain/meta", serve(`<!DOCTYPE html><html><head><meta http-equiv="refresh" content="0;url=/chain/js"><title>meta</title></head><body>meta</body></html>`))
	mux.HandleFunc("/chain/js", serve(doc("js", `<script>location.href = '/chain/final';</script>`)))
	mux.HandleFunc("/chain/final", serve(doc("Final", `<p>final page</p>`)))
	// A zero-delay meta refresh to a document that is slow to come: the
	// visitor actions must not stop it (Escape stops a load).
	mux.HandleFunc("/slowhop/start", serve(`<!DOCTYPE html><html><head><meta http-equiv="refresh" content="0;url=/slowhop/target"><title>hop</title></head><body>hop</body></html>`))
	mux.HandleFunc("/slowhop/target", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(400 * time.Millisecond)
		serve(doc("Target", `<p>arrived</p>`))(w, r)
	})

	// The page reports what it sees of the visitor in its title; the server
	// what it got in the headers.
	mux.HandleFunc("/profile", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width,initial-scale=1"><title>pending</title></head><body>
<p id="headers" style="word-break:break-all">%s|%s</p>
<script>
document.title = JSON.stringify({ua: navigator.userAgent, lang: navigator.language, tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
	w: window.innerWidth, h: window.innerHeight, platform: navigator.platform, webdriver: navigator.webdriver,
	visible: document.visibilityState, focus: document.hasFocus()});
</script></body></html>`, strings.ReplaceAll(r.UserAgent(), "<", ""), strings.ReplaceAll(r.Header.Get("Accept-Language"), "<", ""))
	})

	// Requests the egress policy refuses before any dial.
	mux.HandleFunc("/blocked", serve(doc("Blocked",
		`<script>
fetch('http://10.0.0.1/').catch(function () {});
fetch('http://169.254.169.254/latest/meta-data/').catch(function () {});
</script>`)))
	mux.HandleFunc("/redirect-private", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://10.0.0.1/admin", http.StatusFound)
	})
	hostileFixtures(mux)
	return mux
}

// wav is a short silent WAV file.
func wav() []byte {
	const n = 800
	b := []byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x40\x1f\x00\x00\x01\x00\x08\x00data")
	size := n
	b = append(b, byte(size), byte(size>>8), 0, 0)
	for range n {
		b = append(b, 128)
	}
	total := len(b) - 8
	b[4], b[5], b[6], b[7] = byte(total), byte(total>>8), byte(total>>16), byte(total>>24)
	return b
}

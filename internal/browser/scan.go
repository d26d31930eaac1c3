package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/debugger"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/inspector"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/scamscope/scamscope/internal/egress"
)

// upstreamFailed is the body of the egress proxy's answer when it could
// not reach a plain-http upstream.
const upstreamFailed = "egress: upstream failed"

const (
	maxDialogMessage  = 1024
	maxConsoleMessage = 512
	// stepTimeout bounds one visitor action: a renderer that does not
	// acknowledge an input event in this time is busy.
	stepTimeout = time.Second
	// closeTimeout bounds the disposal of a scan's browser context.
	closeTimeout = 5 * time.Second
)

// scan is one Render: a browser context with one tab, an egress proxy,
// the listener that records what the tab reports, and the result.
type scan struct {
	p     *Pool
	cfg   *Config
	inst  *instance
	url   string
	prof  Profile
	opts  Options
	names probeNames
	start time.Time

	proxy     *egress.Proxy
	tabCtx    context.Context
	tabCancel context.CancelFunc
	opened    chan error // result of creating the tab
	tgt       *chromedp.Target
	bctxID    cdp.BrowserContextID
	mainFrame cdp.FrameID

	loopCtx    context.Context // the scan's goroutines
	loopCancel context.CancelFunc
	loops      sync.WaitGroup
	dialogCh   chan bool     // accept?
	scriptCh   chan scriptID // scripts to fetch
	loaded     chan struct{}
	crashed    chan struct{}

	mu           sync.Mutex // guards the fields below, written by onEvent
	navSent      bool
	navStart     time.Time
	isLoaded     bool
	isCrashed    bool
	committed    bool
	dialogs      []Dialog
	dialogIdx    map[[2]string]int
	dialogTypes  map[string]int
	dialogsCut   int
	redirects    []Navigation
	redirectsCut int
	pendingKind  NavKind
	finalURL     string
	status       int
	console      []string
	consoleCut   int
	probe        probeCounts
	scripts      []Script
	scriptBytes  int
	scriptHashes map[string]bool
	scriptsCut   int
	truncated    []string
	finished     bool // collect has taken the results; record nothing more
}

type scriptID struct {
	id  cdp.ScriptID
	url string
}

func newScan(p *Pool, inst *instance, u string, prof Profile, opts Options, start time.Time) *scan {
	return &scan{
		p:            p,
		cfg:          &p.cfg,
		inst:         inst,
		url:          u,
		prof:         prof,
		opts:         opts,
		names:        newProbeNames(),
		start:        start,
		dialogCh:     make(chan bool, 64),
		scriptCh:     make(chan scriptID, p.cfg.MaxScripts),
		loaded:       make(chan struct{}),
		crashed:      make(chan struct{}),
		dialogIdx:    make(map[[2]string]int),
		dialogTypes:  make(map[string]int),
		scriptHashes: make(map[string]bool),
	}
}

// reserve is the slice of the time left that is kept for reading the page.
func reserve(left time.Duration) time.Duration {
	return min(max(left/5, 300*time.Millisecond), 2*time.Second)
}

// run renders the page. done is called once everything the scan started
// is gone; run arranges that in the background.
func (s *scan) run(ctx context.Context, done func()) (pg *Page, err error) {
	// Finish a little before the caller's deadline: returning takes time
	// too on a busy machine.
	deadline, _ := ctx.Deadline()
	ctx, cancelAll := context.WithDeadline(ctx, deadline.Add(-min(time.Until(deadline)/20, 100*time.Millisecond)))
	defer cancelAll()
	s.loopCtx, s.loopCancel = context.WithCancel(ctx)
	var phases []any // name, duration pairs for the debug log
	mark := s.start
	phase := func(name string) {
		now := time.Now()
		phases = append(phases, name, now.Sub(mark).Round(time.Millisecond))
		mark = now
	}
	defer func() {
		s.p.log.Debug("render", append([]any{"url", s.url, "err", err}, phases...)...)
		go func() {
			s.close()
			done()
		}()
	}()
	phase("queue")
	if err := s.open(ctx); err != nil {
		return nil, s.fail(ctx, "open tab", err)
	}
	phase("open")
	if err := s.setup(ctx); err != nil {
		return nil, s.fail(ctx, "set up tab", err)
	}
	phase("setup")
	deadline, _ = ctx.Deadline()
	navCtx, cancel := context.WithDeadline(ctx, deadline.Add(-reserve(time.Until(deadline))))
	defer cancel()
	if err := s.navigate(navCtx); err != nil {
		return nil, err
	}
	phase("navigate")
	s.waitLoad(navCtx)
	phase("load")
	if s.isLoadedNow() && !s.isCrashedNow() {
		s.act(navCtx)
		phase("act")
		s.settle(navCtx)
		phase("settle")
	}
	defer phase("collect")
	return s.collect(ctx)
}

// fail wraps err with what failed, turning a dead browser into ErrCrashed.
func (s *scan) fail(ctx context.Context, what string, err error) error {
	switch {
	case !s.inst.alive():
		return fmt.Errorf("browser: %s %s: %w: %w", what, s.url, ErrCrashed, err)
	case ctx.Err() != nil:
		return fmt.Errorf("browser: %s %s: %w", what, s.url, context.Cause(ctx))
	}
	return fmt.Errorf("browser: %s %s: %w", what, s.url, err)
}

// open starts the scan's proxy and creates the browser context and tab.
func (s *scan) open(ctx context.Context) error {
	px, err := egress.New(s.cfg.Egress, s.p.log)
	if err != nil {
		return err
	}
	addr, err := px.Start(context.Background())
	if err != nil {
		return err
	}
	s.proxy = px
	s.tabCtx, s.tabCancel = chromedp.NewContext(s.inst.bctx,
		chromedp.WithNewBrowserContext(func(p *target.CreateBrowserContextParams) {
			p.ProxyServer = "http://" + addr
			p.ProxyBypassList = "<-loopback>"
			p.DisposeOnDetach = new(true)
		}),
		chromedp.WithListener(s.onEvent),
	)
	// The tab's event loop runs on tabCtx, which lives until close: it
	// must keep draining events until the browser has detached the tab.
	s.opened = make(chan error, 1)
	go func() { s.opened <- chromedp.Do(s.tabCtx) }()
	select {
	case err = <-s.opened:
		s.opened <- err // for close
	case <-ctx.Done():
		return ctx.Err()
	}
	if err != nil {
		return err
	}
	c := chromedp.FromContext(s.tabCtx)
	s.tgt = c.Target
	s.bctxID = c.BrowserContextID
	s.mainFrame = cdp.FrameID(c.Target.TargetID) // Chrome's main frame id is the target id
	s.loops.Add(2)
	go s.dialogLoop()
	go s.scriptLoop()
	return nil
}

// call runs one command on the tab.
func call[P, R any](ctx context.Context, s *scan, c cdp.Command[P, R], params P) (R, error) {
	return cdp.Call(ctx, s.tgt, c, params)
}

// setup installs the probes and the profile before the navigation.
func (s *scan) setup(ctx context.Context) error {
	pr := s.prof
	platform, platformVersion, arch := pr.uaPlatform()
	steps := []func() error{
		// chromedp mirrors the DOM tree in Go; a hostile DOM would make it
		// fetch documents on every change. Nothing here needs it.
		func() error { _, err := call(ctx, s, css.Disable, cdp.Empty{}); return err },
		func() error { _, err := call(ctx, s, dom.Disable, cdp.Empty{}); return err },
		func() error { _, err := call(ctx, s, cdplog.Disable, cdp.Empty{}); return err },
		func() error {
			_, err := call(ctx, s, network.Enable, network.EnableParams{
				MaxTotalBufferSize: new(int64(1 << 20)), MaxResourceBufferSize: new(int64(256 << 10)),
			})
			return err
		},
		func() error {
			_, err := call(ctx, s, debugger.Enable, debugger.EnableParams{MaxScriptsCacheSize: float64(4 * s.cfg.MaxScriptBytes)})
			return err
		},
		// A debugger statement must not stop the page.
		func() error {
			_, err := call(ctx, s, debugger.SetSkipAllPauses, debugger.SetSkipAllPausesParams{Skip: true})
			return err
		},
		func() error {
			_, err := call(ctx, s, runtime.AddBinding, runtime.AddBindingParams{Name: s.names.binding})
			return err
		},
		func() error {
			_, err := call(ctx, s, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
				Source: probeSource(s.names, s.cfg.MaxDialogs),
			})
			return err
		},
		func() error {
			major, _, _ := strings.Cut(s.inst.versionNumber(), ".")
			_, err := call(ctx, s, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
				UserAgent:      pr.UserAgent,
				AcceptLanguage: pr.AcceptLanguage,
				Platform:       pr.Platform,
				UserAgentMetadata: &emulation.UserAgentMetadata{
					Brands: []*emulation.UserAgentBrandVersion{
						{Brand: "Chromium", Version: major},
						{Brand: "Google Chrome", Version: major},
						{Brand: "Not.A/Brand", Version: "99"},
					},
					Platform:        platform,
					PlatformVersion: platformVersion,
					Architecture:    arch,
					Mobile:          pr.Mobile,
					Bitness:         "64",
				},
			})
			return err
		},
		func() error {
			_, err := call(ctx, s, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: pr.Timezone})
			return err
		},
		func() error {
			_, err := call(ctx, s, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: pr.locale()})
			return err
		},
		func() error {
			_, err := call(ctx, s, emulation.SetDeviceMetricsOverride, s.metrics())
			return err
		},
		func() error {
			if !pr.Mobile {
				return nil
			}
			_, err := call(ctx, s, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: true, MaxTouchPoints: 5})
			return err
		},
		func() error {
			_, err := call(ctx, s, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
			return err
		},
		// A window in front gets frames at once (screenshots otherwise wait
		// seconds for one).
		func() error { _, err := call(ctx, s, page.BringToFront, cdp.Empty{}); return err },
		func() error {
			_, err := cdp.Call(ctx, s.inst.browser, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorDeny, BrowserContextID: s.bctxID,
			})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// versionNumber is the browser's version without the product name.
func (in *instance) versionNumber() string {
	_, v, ok := strings.Cut(in.version, "/")
	if !ok || v == "" {
		return chromeMajor
	}
	return v
}

// navigate loads the URL. It returns an error only if the page never
// committed.
func (s *scan) navigate(ctx context.Context) error {
	s.mu.Lock()
	s.navSent = true
	s.navStart = time.Now()
	s.mu.Unlock()
	res, err := call(ctx, s, page.Navigate, page.NavigateParams{URL: s.url})
	if err != nil {
		if s.isCommitted() && ctx.Err() != nil {
			s.note("navigation: the browser did not confirm it before the deadline")
			return nil
		}
		if s.isCrashedNow() {
			return fmt.Errorf("browser: navigate %s: renderer crashed: %w", s.url, ErrCrashed)
		}
		return s.fail(ctx, "navigate", err)
	}
	if res.ErrorText != "" {
		return s.navError(res.ErrorText)
	}
	if res.IsDownload {
		return fmt.Errorf("browser: navigate %s: %w: the url is a download", s.url, ErrNavigation)
	}
	return nil
}

// navError explains a failed navigation, telling a refusal by the egress
// proxy apart from other failures.
func (s *scan) navError(text string) error {
	s.mu.Lock()
	urls := []string{s.url}
	for _, n := range s.redirects {
		urls = append(urls, n.URL)
	}
	s.mu.Unlock()
	if b, ok := blockedDocument(s.proxy.Report(), urls); ok {
		return fmt.Errorf("browser: navigate %s: %w: %s (%s)", s.url, ErrBlocked, b.Target, b.Reason)
	}
	return fmt.Errorf("browser: navigate %s: %w: %s", s.url, ErrNavigation, text)
}

// blockedDocument finds a refusal of one of urls in the proxy's report.
func blockedDocument(rep egress.Report, urls []string) (egress.Blocked, bool) {
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		u.Fragment, u.RawFragment = "", ""
		port := u.Port()
		if port == "" {
			port = "80"
			if u.Scheme == "https" {
				port = "443"
			}
		}
		hostport := net.JoinHostPort(u.Hostname(), port)
		for _, b := range rep.Blocked {
			if b.Target == u.String() || b.Target == hostport {
				return b, true
			}
		}
	}
	return egress.Blocked{}, false
}

// waitLoad waits for the main frame's load event.
func (s *scan) waitLoad(ctx context.Context) {
	select {
	case <-s.loaded:
	case <-s.crashed:
	case <-s.inst.browser.LostConnection:
	case <-ctx.Done():
		s.note("load: no load event before the deadline")
	}
}

// act plays a visitor: a click in the middle of the viewport, a right
// click there, and the keys Escape, F12, Ctrl+Shift+I and Ctrl+U. A page
// that does not take an event within stepTimeout is busy; the rest is
// skipped.
func (s *scan) act(ctx context.Context) {
	x, y := float64(s.prof.ViewportWidth)/2, float64(s.prof.ViewportHeight)/2
	mouse := func(typ input.DispatchMouseEventType, button input.MouseButton, buttons int64) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := call(ctx, s, input.DispatchMouseEvent, input.DispatchMouseEventParams{
				Type: typ, X: x, Y: y, Button: button, Buttons: buttons, ClickCount: 1,
			})
			return err
		}
	}
	key := func(k, code string, vk, mods int64) func(context.Context) error {
		return func(ctx context.Context) error {
			for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
				if _, err := call(ctx, s, input.DispatchKeyEvent, input.DispatchKeyEventParams{
					Type: typ, Key: k, Code: code, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk, Modifiers: mods,
				}); err != nil {
					return err
				}
			}
			return nil
		}
	}
	const ctrl, shift = 2, 8
	steps := []func(context.Context) error{
		mouse(input.DispatchMouseEventTypeMouseMoved, input.MouseButtonNone, 0),
		mouse(input.DispatchMouseEventTypeMousePressed, input.MouseButtonLeft, 1),
		mouse(input.DispatchMouseEventTypeMouseReleased, input.MouseButtonLeft, 0),
		mouse(input.DispatchMouseEventTypeMousePressed, input.MouseButtonRight, 2),
		mouse(input.DispatchMouseEventTypeMouseReleased, input.MouseButtonRight, 0),
		key("Escape", "Escape", 27, 0),
		key("F12", "F12", 123, 0),
		key("I", "KeyI", 73, ctrl|shift),
		key("u", "KeyU", 85, ctrl),
	}
	for _, step := range steps {
		if ctx.Err() != nil {
			s.note("visitor actions: cut by the deadline")
			return
		}
		sctx, cancel := context.WithTimeout(ctx, stepTimeout)
		err := step(sctx)
		cancel()
		if err != nil {
			s.note("visitor actions: page did not respond")
			return
		}
	}
}

// settle lets the page run for SettleTime.
func (s *scan) settle(ctx context.Context) {
	t := time.NewTimer(s.cfg.SettleTime)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.crashed:
	case <-s.inst.browser.LostConnection:
	case <-ctx.Done():
		s.note("settle: cut short by the deadline")
	}
}

// collect reads the page and builds the result. ctx is the Render's.
func (s *scan) collect(ctx context.Context) (*Page, error) {
	if !s.inst.alive() {
		return nil, fmt.Errorf("browser: render %s: %w", s.url, ErrCrashed)
	}
	crashed := s.isCrashedNow()
	if crashed {
		s.note("page: renderer crashed")
	}
	var html []byte
	looping := 0
	if !crashed {
		if snap, err := s.evalString(ctx, "(function(){var f=window["+strconv.Quote(s.names.global)+"];return typeof f==='function'?f():''})()", 0); err == nil {
			s.mu.Lock()
			s.probe.add(snap)
			s.mu.Unlock()
		} else {
			s.note("probes: " + shortErr(err))
		}
		h, l, err := s.readDOM(ctx)
		if err != nil {
			s.note("html: " + shortErr(err))
		}
		html, looping = h, l
	}
	var shot []byte
	if s.opts.Screenshot && !crashed {
		shot = s.screenshot(ctx)
	}
	rep := s.proxy.Report()
	s.loopCancel()
	s.loops.Wait() // no more writes by the loops

	s.mu.Lock()
	defer s.mu.Unlock()
	s.finished = true
	if s.status >= 400 {
		if b, ok := blockedDocument(rep, []string{s.finalURL}); ok {
			return nil, fmt.Errorf("browser: render %s: %w: %s (%s)", s.url, ErrBlocked, b.Target, b.Reason)
		}
	}
	// For plain http the proxy answers a failed upstream itself; its error
	// page is not the site's.
	if (s.status == http.StatusBadGateway || s.status == http.StatusGatewayTimeout) && rep.Failed > 0 &&
		len(html) < 512 && bytes.Contains(html, []byte(upstreamFailed)) {
		return nil, fmt.Errorf("browser: render %s: %w: upstream failed (%d)", s.url, ErrNavigation, s.status)
	}
	calls := s.probe.total()
	if looping > 0 {
		calls[CallMediaLooping] += looping
	}
	pg := &Page{
		RequestedURL:  s.url,
		FinalURL:      s.finalURL,
		Redirects:     s.redirects,
		Status:        s.status,
		HTML:          html,
		Scripts:       s.scripts,
		Dialogs:       s.dialogs,
		Calls:         calls,
		Behaviors:     behaviors(calls, s.dialogTypes),
		Blocked:       rep.Blocked,
		ConsoleErrors: s.console,
		Screenshot:    shot,
		Profile:       s.prof,
		StartedAt:     s.start,
		Truncated:     s.truncated,
	}
	if pg.FinalURL == "" {
		pg.FinalURL = s.url
	}
	cut := func(n int, what string) {
		if n > 0 {
			pg.Truncated = append(pg.Truncated, fmt.Sprintf("%s: %d left out", what, n))
		}
	}
	cut(s.dialogsCut, "dialogs")
	cut(s.redirectsCut, "redirects")
	cut(s.consoleCut, "console errors")
	cut(s.scriptsCut, "scripts")
	cut(rep.Dropped, "blocked requests")
	return pg, nil
}

// shortErr keeps notes free of long chromedp messages.
func shortErr(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline exceeded"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return truncate(err.Error(), 200)
}

// evalString evaluates expr (in the execution context ctxID, 0 for the
// main world) and returns its string value. A page whose JavaScript
// never yields cannot answer: if a try gets no answer in a slice of the
// time left, evalString stops the running script with
// Runtime.terminateExecution and tries again.
func (s *scan) evalString(ctx context.Context, expr string, ctxID runtime.ExecutionContextID) (string, error) {
	expr += "\n//# sourceURL=" + s.names.source
	var res runtime.EvaluateResult
	err := s.busyRetry(ctx, func(ctx context.Context) error {
		var err error
		res, err = call(ctx, s, runtime.Evaluate, runtime.EvaluateParams{
			Expression: expr, ContextID: ctxID, ReturnByValue: new(true), Silent: new(true),
		})
		return err
	})
	if err != nil {
		return "", err
	}
	if res.ExceptionDetails != nil {
		return "", fmt.Errorf("exception: %s", truncate(res.ExceptionDetails.Text, 100))
	}
	var v string
	if res.Result == nil || json.Unmarshal(res.Result.Value, &v) != nil {
		return "", errors.New("not a string")
	}
	return v, nil
}

// busyRetry runs f with a slice of the time left; when the slice runs
// out but ctx has not, the page is busy: it terminates the page's running
// JavaScript and tries again, at most three times.
func (s *scan) busyRetry(ctx context.Context, f func(context.Context) error) error {
	for try := 0; ; try++ {
		deadline, _ := ctx.Deadline()
		left := time.Until(deadline)
		if left <= 0 {
			return context.DeadlineExceeded
		}
		slice := left
		if try < 2 {
			slice = min(left/3, time.Second)
		}
		tctx, cancel := context.WithTimeout(ctx, slice)
		err := f(tctx)
		cancel()
		if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) || try == 2 {
			return err
		}
		s.note("javascript: page was busy and was stopped")
		tctx, cancel = context.WithTimeout(ctx, min(time.Until(deadline)/2, 500*time.Millisecond))
		_, _ = call(tctx, s, runtime.TerminateExecution, cdp.Empty{})
		cancel()
	}
}

// domSnapshot is what readDOM's script returns.
type domSnapshot struct {
	HTML      string `json:"h"`
	Length    int    `json:"n"`
	Looping   int    `json:"l"`
	Truncated bool   `json:"t"`
}

// readDOM serialises the main frame's DOM in an isolated world (the page
// cannot tamper with the serialiser there), cut to MaxDOMBytes, and
// counts looping media that play or autoplay.
func (s *scan) readDOM(ctx context.Context) ([]byte, int, error) {
	var world page.CreateIsolatedWorldResult
	err := s.busyRetry(ctx, func(ctx context.Context) error {
		var err error
		world, err = call(ctx, s, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{
			FrameID: s.mainFrame, WorldName: s.names.global,
		})
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	expr := fmt.Sprintf(`(function () {
var N = %d, d = document, s = '';
if (d.doctype) s = '<!DOCTYPE ' + d.doctype.name + '>';
if (d.documentElement) s += d.documentElement.outerHTML;
var l = 0, ms = d.querySelectorAll('audio,video');
for (var i = 0; i < ms.length && i < 1000; i++) { var m = ms[i]; if (m.loop && (!m.paused || m.autoplay)) l++; }
return JSON.stringify({h: s.length > N ? s.slice(0, N) : s, n: s.length, l: l, t: s.length > N});
})()`, s.cfg.MaxDOMBytes)
	v, err := s.evalString(ctx, expr, world.ExecutionContextID)
	if err != nil {
		return nil, 0, err
	}
	var snap domSnapshot
	if err := json.Unmarshal([]byte(v), &snap); err != nil {
		return nil, 0, err
	}
	h := snap.HTML
	if len(h) > s.cfg.MaxDOMBytes {
		h = truncate(h, s.cfg.MaxDOMBytes)
		snap.Truncated = true
	}
	if snap.Truncated {
		s.note(fmt.Sprintf("html: cut to %d bytes (document has %d characters)", len(h), snap.Length))
	}
	return []byte(h), snap.Looping, nil
}

// screenshot takes a PNG of the viewport. Headless Chromium captures the
// next compositor frame, and a still page may not make one for seconds:
// after a short first try, it resizes the viewport to the same size (which
// forces a frame) and tries again.
func (s *scan) screenshot(ctx context.Context) []byte {
	deadline, _ := ctx.Deadline()
	var res page.CaptureScreenshotResult
	var err error
	for try := range 2 {
		left := time.Until(deadline)
		wait := min(left, 3*time.Second)
		if try == 0 {
			wait = min(left/2, time.Second)
		}
		sctx, cancel := context.WithTimeout(ctx, wait)
		if try > 0 {
			_, _ = call(sctx, s, emulation.SetDeviceMetricsOverride, s.metrics())
		}
		_, _ = call(sctx, s, page.BringToFront, cdp.Empty{})
		res, err = call(sctx, s, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format: page.CaptureScreenshotFormatPng, OptimizeForSpeed: new(true),
		})
		cancel()
		if err == nil || ctx.Err() != nil {
			break
		}
	}
	switch {
	case err != nil:
		s.note("screenshot: " + shortErr(err))
		return nil
	case len(res.Data) > s.cfg.MaxScreenshotBytes:
		s.note(fmt.Sprintf("screenshot: %d bytes, over the limit", len(res.Data)))
		return nil
	}
	return res.Data
}

// metrics is the profile's viewport.
func (s *scan) metrics() emulation.SetDeviceMetricsOverrideParams {
	pr := s.prof
	return emulation.SetDeviceMetricsOverrideParams{
		Width: int64(pr.ViewportWidth), Height: int64(pr.ViewportHeight),
		DeviceScaleFactor: pr.ScaleFactor, Mobile: pr.Mobile,
		ScreenWidth: int64(pr.ViewportWidth), ScreenHeight: int64(pr.ViewportHeight),
	}
}

// close disposes of the browser context (and with it the tab and any
// popups) while the tab's event loop still drains its messages, then
// ends the loop, the scan's goroutines and the proxy.
func (s *scan) close() {
	if s.loopCancel != nil {
		s.loopCancel()
	}
	if s.tabCtx != nil {
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		var err error
		got := false
		select {
		case err = <-s.opened:
			got = true
		case <-ctx.Done():
		}
		if got && err == nil {
			detached, derr := chromedp.Detached(s.tabCtx)
			_, err := cdp.Call(ctx, s.inst.browser, target.DisposeBrowserContext, target.DisposeBrowserContextParams{BrowserContextID: s.bctxID})
			if err == nil && derr == nil {
				select {
				case <-detached:
				case <-ctx.Done():
				}
			}
		}
		cancel()
		s.tabCancel()
		if !got {
			<-s.opened // Do returns once tabCtx is cancelled
		}
	}
	s.loops.Wait()
	if s.proxy != nil {
		s.proxy.Close()
	}
}

// dialogLoop answers dialogs: dismiss, except beforeunload, which is
// accepted so that the page can be left.
func (s *scan) dialogLoop() {
	defer s.loops.Done()
	for {
		select {
		case <-s.loopCtx.Done():
			return
		case accept := <-s.dialogCh:
			_, _ = call(s.loopCtx, s, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
		}
	}
}

// scriptLoop fetches the sources of parsed scripts as they come, so that
// scripts of documents the page has left are kept too.
func (s *scan) scriptLoop() {
	defer s.loops.Done()
	for {
		var sc scriptID
		select {
		case <-s.loopCtx.Done():
			return
		case sc = <-s.scriptCh:
		}
		res, err := call(s.loopCtx, s, debugger.GetScriptSource, debugger.GetScriptSourceParams{ScriptID: sc.id})
		if err != nil {
			continue
		}
		s.mu.Lock()
		left := s.cfg.MaxScriptBytes - s.scriptBytes
		src := res.ScriptSource
		if len(src) > left {
			s.scriptsCut++
			src = truncate(src, left)
		}
		if src != "" {
			s.scripts = append(s.scripts, Script{URL: sc.url, Source: []byte(src)})
			s.scriptBytes += len(src)
		}
		s.mu.Unlock()
	}
}

// onEvent records the tab's events. It runs in chromedp's event loop for
// the tab: it must not block and must not send commands.
func (s *scan) onEvent(ev any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.finished {
		return
	}
	switch ev := ev.(type) {
	case *page.EventJavascriptDialogOpening:
		s.onDialog(ev)
	case *page.EventLoadEventFired:
		if s.navSent && !s.isLoaded {
			s.isLoaded = true
			close(s.loaded)
		}
	case *page.EventFrameNavigated:
		if s.navSent && ev.Frame != nil && ev.Frame.ParentID == "" {
			s.finalURL = ev.Frame.URL + ev.Frame.URLFragment
			s.committed = true
		}
	case *page.EventNavigatedWithinDocument:
		if ev.FrameID == s.mainFrame && s.navSent {
			s.finalURL = ev.URL
			if n := len(s.redirects); n == 0 || s.redirects[n-1].URL != ev.URL {
				s.addNav(Navigation{URL: ev.URL, Kind: NavSameDocument})
			}
		}
	case *page.EventFrameRequestedNavigation:
		if ev.FrameID == s.mainFrame && ev.Disposition == page.ClientNavigationDispositionCurrentTab {
			s.pendingKind = navKind(ev.Reason)
		}
	case *network.EventRequestWillBeSent:
		if ev.Type != network.ResourceTypeDocument || ev.FrameID != s.mainFrame || !s.navSent || ev.Request == nil {
			return
		}
		u := ev.Request.URL + ev.Request.URLFragment
		switch {
		case ev.RedirectResponse != nil:
			if n := len(s.redirects); n > 0 && s.redirects[n-1].Status == 0 {
				s.redirects[n-1].Status = int(ev.RedirectResponse.Status)
			}
			s.addNav(Navigation{URL: u, Kind: NavHTTPRedirect})
		case len(s.redirects) == 0:
			s.addNav(Navigation{URL: u, Kind: NavInitial})
		default:
			kind := s.pendingKind
			if kind == "" {
				kind = NavOther
			}
			s.addNav(Navigation{URL: u, Kind: kind})
		}
		s.pendingKind = ""
	case *network.EventResponseReceived:
		if ev.Type != network.ResourceTypeDocument || ev.FrameID != s.mainFrame || !s.navSent || ev.Response == nil {
			return
		}
		s.status = int(ev.Response.Status)
		for i := len(s.redirects) - 1; i >= 0; i-- {
			if s.redirects[i].Kind == NavSameDocument {
				continue
			}
			if s.redirects[i].Status == 0 {
				s.redirects[i].Status = s.status
			}
			break
		}
	case *runtime.EventBindingCalled:
		if ev.Name == s.names.binding {
			s.probe.add(ev.Payload)
		}
	case *runtime.EventExceptionThrown:
		if d := ev.ExceptionDetails; d != nil {
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg = d.Exception.Description
			}
			s.addConsole(msg)
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			s.addConsole(consoleText(ev.Args))
		}
	case *debugger.EventScriptParsed:
		if ev.URL == s.names.source || s.scriptHashes[ev.Hash] {
			return
		}
		if ev.Length > int64(s.cfg.MaxScriptBytes) {
			s.scriptsCut++
			return
		}
		select {
		case s.scriptCh <- scriptID{id: ev.ScriptID, url: ev.URL}:
			s.scriptHashes[ev.Hash] = true
		default:
			s.scriptsCut++
		}
	case *debugger.EventPaused:
		// Pauses are skipped, except V8 stopping a page just before it runs
		// out of memory, which it does when a debugger is attached. The page
		// stays stopped; its memory is capped.
		if ev.Reason == debugger.PausedReasonOOM {
			s.noteLocked("javascript: stopped before it ran out of memory")
		}
	case *inspector.EventTargetCrashed:
		if !s.isCrashed {
			s.isCrashed = true
			close(s.crashed)
		}
	}
}

// onDialog records a dialog and queues its answer. mu is held.
func (s *scan) onDialog(ev *page.EventJavascriptDialogOpening) {
	typ := string(ev.Type)
	select {
	case s.dialogCh <- typ == string(page.DialogTypeBeforeunload):
	default: // cannot happen: one dialog at a time per tab
	}
	s.dialogTypes[typ]++
	msg := truncate(ev.Message, maxDialogMessage)
	key := [2]string{typ, msg}
	if i, ok := s.dialogIdx[key]; ok {
		s.dialogs[i].Count++
		return
	}
	if len(s.dialogs) >= s.cfg.MaxDialogs {
		s.dialogsCut++
		return
	}
	var since time.Duration
	if !s.navStart.IsZero() {
		since = time.Since(s.navStart)
	}
	s.dialogIdx[key] = len(s.dialogs)
	s.dialogs = append(s.dialogs, Dialog{Type: typ, Message: msg, Count: 1, SinceLoad: since})
}

// addNav appends to the redirect chain. mu is held.
func (s *scan) addNav(n Navigation) {
	if len(s.redirects) >= s.cfg.MaxRedirects {
		s.redirectsCut++
		return
	}
	n.URL = truncate(n.URL, maxURLLen)
	s.redirects = append(s.redirects, n)
}

// addConsole records a console error. mu is held.
func (s *scan) addConsole(msg string) {
	if len(s.console) >= s.cfg.MaxConsoleErrors {
		s.consoleCut++
		return
	}
	s.console = append(s.console, truncate(msg, maxConsoleMessage))
}

func navKind(r page.ClientNavigationReason) NavKind {
	switch r {
	case page.ClientNavigationReasonAnchorClick:
		return NavLink
	case page.ClientNavigationReasonFormSubmissionGet, page.ClientNavigationReasonFormSubmissionPost:
		return NavForm
	case page.ClientNavigationReasonHTTPHeaderRefresh:
		return NavHeaderRefresh
	case page.ClientNavigationReasonMetaTagRefresh:
		return NavMetaRefresh
	case page.ClientNavigationReasonScriptInitiated:
		return NavScript
	}
	return NavOther
}

// consoleText joins console.error arguments as the console shows them.
func consoleText(args []*runtime.RemoteObject) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if b.Len() > maxConsoleMessage {
			break
		}
		var str string
		switch {
		case a == nil:
		case a.Type == runtime.RemoteObjectTypeString && json.Unmarshal(a.Value, &str) == nil:
			b.WriteString(str)
		case len(a.Value) > 0:
			b.Write(a.Value)
		case a.UnserializableValue != "":
			b.WriteString(string(a.UnserializableValue))
		default:
			b.WriteString(a.Description)
		}
	}
	return b.String()
}

// note adds a Truncated note once.
func (s *scan) note(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noteLocked(msg)
}

// noteLocked is note with mu held.
func (s *scan) noteLocked(msg string) {
	for _, t := range s.truncated {
		if t == msg {
			return
		}
	}
	s.truncated = append(s.truncated, msg)
}

func (s *scan) isLoadedNow() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isLoaded
}

func (s *scan) isCrashedNow() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isCrashed
}

func (s *scan) isCommitted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.committed
}

// truncate cuts s to at most n bytes of valid UTF-8.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

package browser

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/debugger"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/scamscope/scamscope/internal/egress"
)

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
	dialogCh   chan bool // accept?
	// dialogsOpen counts dialogs shown and not yet answered; dialogAt is
	// when one last opened or was answered (Unix nanoseconds).
	dialogsOpen atomic.Int32
	dialogAt    atomic.Int64
	scriptCh    chan scriptID // scripts to fetch
	// scriptsPending counts scripts queued or being fetched.
	scriptsPending atomic.Int64
	loaded         chan struct{}
	crashed        chan struct{}

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
	lastNav      time.Time // the main frame's last navigation event
	lastDOM      time.Time // the main frame's last DOMContentLoaded
	lastCommit   time.Time // the main frame's last committed navigation
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
	return min(max(left/4, 500*time.Millisecond), 3*time.Second)
}

// run renders the page. done is called once everything the scan started
// is gone; run arranges that in the background.
func (s *scan) run(ctx context.Context, done func()) (pg *Page, err error) {
	// Finish a little before the caller's deadline: returning takes time
	// too on a busy machine.
	deadline, _ := ctx.Deadline()
	ctx, cancelAll := context.WithDeadline(ctx, deadline.Add(-min(time.Until(deadline)/10, 300*time.Millisecond)))
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

// The load watchdog: while waitLoad waits, it asks a committed page every
// busyPing whether its main thread is free; a page that gives no answer
// within busyAfter is running a script that does not yield, and that
// script is stopped, at most maxBusyStops times in one wait.
const (
	busyPing     = 250 * time.Millisecond
	busyAfter    = time.Second
	maxBusyStops = 3
)

// waitLoad waits for the main frame's load event. A script that never
// yields (while (true) {}, or an alert loop once the probe has turned it
// into one) holds up the parser and the load event until the deadline: the
// watchdog stops it, so that the rest of the document is parsed and the
// page loads, and the visitor's actions and the reading of the page get
// their time. Stopped so, the page reads as one whose JavaScript was busy.
func (s *scan) waitLoad(ctx context.Context) {
	tick := time.NewTicker(busyPing)
	defer tick.Stop()
	stops := 0
	for s.await(ctx, s.loaded, tick.C, "load: no load event before the deadline") {
		if stops < maxBusyStops && s.busy(ctx) {
			stops++
			s.stopScript(ctx, stopAtLoad)
		}
	}
}

// await waits for tick and reports whether it came. It gives up, and
// reports false, when done closes (a nil done never does), the page
// crashes, the connection to the browser is lost or ctx ends, and notes
// cut when it was ctx.
func (s *scan) await(ctx context.Context, done <-chan struct{}, tick <-chan time.Time, cut string) bool {
	select {
	case <-tick:
		return true
	case <-done:
	case <-s.crashed:
	case <-s.inst.browser.LostConnection:
	case <-ctx.Done():
		s.note(cut)
	}
	return false
}

// busy reports whether the page's main thread leaves a trivial evaluation
// unanswered for busyAfter, ctx having time left. Only a committed
// document with no navigation under way is asked, and a wait during which
// a dialog showed does not count: an evaluation waits for the dialog's
// answer, and the probe turns a dialog loop into a plain one after
// Config.MaxDialogs, which is then busy. (Runtime.terminateExecution with
// no script running would stop the next one to run, a new document's
// first.)
func (s *scan) busy(ctx context.Context) bool {
	if !s.atCommit() {
		return false
	}
	start := time.Now().UnixNano()
	pctx, cancel := context.WithTimeout(ctx, busyAfter)
	defer cancel()
	_, err := call(pctx, s, runtime.Evaluate, runtime.EvaluateParams{
		Expression: "0\n//# sourceURL=" + s.names.source, ReturnByValue: new(true), Silent: new(true),
	})
	if !errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return false
	}
	return s.dialogsOpen.Load() == 0 && s.dialogAt.Load() < start && s.atCommit()
}

// atCommit reports whether the main frame has committed a document and
// no navigation has begun since.
func (s *scan) atCommit() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.committed && !s.lastNav.After(s.lastCommit)
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
	end := time.Now().Add(maxActWait) // for all the steps together
	for _, step := range steps {
		quiet := s.awaitQuiet(ctx, end)
		if ctx.Err() != nil {
			s.note("visitor actions: cut by the deadline")
			return
		}
		if !quiet {
			s.note("visitor actions: skipped, the page was still navigating")
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

// awaitQuiet waits, until end at the latest, until no dialog is showing,
// none has come or gone for dialogQuiet, and the main frame has not
// navigated for navQuiet. An input event sent while the page shows a
// dialog is lost, as a visitor's click on the page behind an alert would
// be. A key sent while a document loads can stop it (Escape stops a
// load), and the scan would then see a page the visitor never would; a
// redirect the page schedules at its load event (a zero-delay meta
// refresh, location.href in onload) shows up only a little after it. A
// page whose dialogs never pause is capped by its probe
// (Config.MaxDialogs), and then it pauses. awaitQuiet reports false when
// end came while a navigation was still under way.
func (s *scan) awaitQuiet(ctx context.Context, end time.Time) bool {
	for {
		s.mu.Lock()
		busy := s.navigating() || time.Since(s.lastNav) < navQuiet
		s.mu.Unlock()
		if !busy && s.dialogsOpen.Load() == 0 && time.Since(time.Unix(0, s.dialogAt.Load())) >= dialogQuiet {
			return true
		}
		if ctx.Err() != nil || time.Now().After(end) {
			return !busy
		}
		time.Sleep(dialogQuiet / 10)
	}
}

// navigating reports whether a main-frame document is on its way: a
// navigation was requested or committed after the last DOMContentLoaded.
// mu is held.
func (s *scan) navigating() bool { return s.lastNav.After(s.lastDOM) }

// How long act waits, over all its steps, for a page's dialogs to pause
// and its navigations to land.
const (
	dialogQuiet = 50 * time.Millisecond
	navQuiet    = 150 * time.Millisecond
	maxActWait  = 2 * time.Second
)

// settle lets the page run for SettleTime, and for SettleTime more, up to
// maxSettleRounds in all, while the main frame keeps navigating (a meta
// refresh, then a script redirect, ...) or a document is still on its way
// (requested or committed, its DOMContentLoaded not yet fired): what the
// chain ends on is the page the visitor sees.
func (s *scan) settle(ctx context.Context) {
	t := time.NewTimer(s.cfg.SettleTime)
	defer t.Stop()
	for round := 1; ; round++ {
		start := time.Now()
		if !s.await(ctx, nil, t.C, "settle: cut short by the deadline") {
			return
		}
		s.mu.Lock()
		navigated := s.lastNav.After(start) || s.navigating()
		s.mu.Unlock()
		if !navigated || round == maxSettleRounds {
			return
		}
		t.Reset(s.cfg.SettleTime)
	}
}

// maxSettleRounds bounds how long settle follows a page that keeps
// navigating.
const maxSettleRounds = 4

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
			// Read after Do returned: open may have given up waiting.
			id := chromedp.FromContext(s.tabCtx).BrowserContextID
			detached, derr := chromedp.Detached(s.tabCtx)
			_, err := cdp.Call(ctx, s.inst.browser, target.DisposeBrowserContext, target.DisposeBrowserContextParams{BrowserContextID: id})
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
			s.dialogAt.Store(time.Now().UnixNano())
			s.dialogsOpen.Add(-1)
		}
	}
}

// drainScripts gives the script fetches still queued (a busy page answers
// them only once its script was stopped) part of the time left.
func (s *scan) drainScripts(ctx context.Context) {
	deadline, _ := ctx.Deadline()
	end := time.Now().Add(time.Until(deadline) / 3)
	for s.scriptsPending.Load() > 0 && time.Now().Before(end) {
		time.Sleep(10 * time.Millisecond)
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
		s.scriptsPending.Add(-1)
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

package browser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"github.com/scamscope/scamscope/internal/egress"
)

// Pool is one Chromium process that renders up to Config.PoolSize pages at
// once, each in its own browser context behind its own egress proxy. It is
// safe for concurrent use.
type Pool struct {
	cfg Config
	log *slog.Logger
	m   *Metrics

	slots   chan struct{} // a token per tab in use
	waiting atomic.Int64  // Renders waiting for a slot

	base     context.Context // cancelled by Close; ends every Render
	baseStop context.CancelFunc

	mu        sync.Mutex
	inst      *instance     // nil until launched, or after it died
	launching chan struct{} // closed when a relaunch finishes; nil if none runs
	launchErr error         // the last relaunch's error
	closed    bool
	wg        sync.WaitGroup // Renders in flight (teardown included) and relaunches
}

// New checks cfg, starts Chromium and returns the Pool. ctx bounds the
// start only (Config.StartTimeout when ctx has no deadline). logger may be
// nil. The error wraps ErrBrowserUnavailable when Chromium is missing or
// does not start, ErrConfig when cfg is invalid.
func New(ctx context.Context, cfg Config, logger *slog.Logger) (*Pool, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	path, err := findChromium(cfg.ExecPath)
	if err != nil {
		return nil, err
	}
	cfg.ExecPath = path
	// Let egress check its part of the config now rather than per scan.
	if _, err := egress.New(cfg.Egress, nil); err != nil {
		return nil, fmt.Errorf("%w: egress: %w", ErrConfig, err)
	}
	if n := sweepStaleProfiles(cfg.TempDir); n > 0 {
		logger.Info("removed stale chromium profiles", "count", n)
	}
	base, stop := context.WithCancel(context.Background())
	p := &Pool{
		cfg:      cfg,
		log:      logger,
		m:        cfg.Metrics,
		slots:    make(chan struct{}, cfg.PoolSize),
		base:     base,
		baseStop: stop,
	}
	inst, err := p.launch(ctx)
	if err != nil {
		stop()
		return nil, err
	}
	p.inst = inst
	return p, nil
}

// findChromium returns the browser binary: path if set, else
// /usr/bin/chromium, else chromium in PATH.
func findChromium(path string) (string, error) {
	hint := "chromium not found: apt-get install chromium"
	if path != "" {
		if fi, err := os.Stat(path); err != nil || fi.IsDir() {
			return "", fmt.Errorf("%w: %s: %s", ErrBrowserUnavailable, path, hint)
		}
		return path, nil
	}
	if fi, err := os.Stat(DefaultExecPath); err == nil && !fi.IsDir() {
		return DefaultExecPath, nil
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%w: %s", ErrBrowserUnavailable, hint)
}

// Close cancels the Renders in flight, waits for them to tear down, kills
// Chromium and its helpers and removes the profile directory. It is safe
// to call more than once.
func (p *Pool) Close() error {
	p.mu.Lock()
	already := p.closed
	p.closed = true
	p.mu.Unlock()
	p.baseStop()
	p.wg.Wait()
	if already {
		return nil
	}
	p.mu.Lock()
	inst := p.inst
	p.inst = nil
	p.mu.Unlock()
	if inst != nil {
		inst.shutdown()
	}
	return nil
}

// instance is one running Chromium.
type instance struct {
	bctx     context.Context // the browser's chromedp context
	stop     func()          // kills the browser and waits for it
	browser  *chromedp.Browser
	dir      string        // --user-data-dir, removed by shutdown
	fallback *egress.Proxy // the browser-wide proxy: refuses everything
	pid      int
	version  string
	once     sync.Once
}

// alive reports whether the connection to the browser is up.
func (in *instance) alive() bool {
	select {
	case <-in.browser.LostConnection:
		return false
	case <-in.bctx.Done():
		return false
	default:
		return true
	}
}

// shutdown kills the browser and every helper, removes the profile
// directory and stops the fallback proxy.
func (in *instance) shutdown() {
	in.once.Do(func() {
		in.stop()
		killProfileProcs(in.dir)
		if err := os.RemoveAll(in.dir); err != nil {
			time.Sleep(50 * time.Millisecond) // a helper may still have been writing
			_ = os.RemoveAll(in.dir)
		}
		in.fallback.Close()
	})
}

// denyAll is the policy of the browser-wide fallback proxy. Every scan
// runs in a browser context with its own proxy; anything else the browser
// might send (the first tab, background requests) is refused.
var denyAll = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}

// noResolver resolves nothing, so the fallback proxy never sends a DNS
// query on the browser's behalf.
type noResolver struct{}

func (noResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	return nil, fmt.Errorf("fallback proxy: %s: resolution disabled", host)
}

// flags are Chromium's switches besides the user data dir and the proxy.
func (p *Pool) flags(proxyAddr string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(p.cfg.ExecPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		// All traffic through the egress proxy; the browser resolves no
		// names itself (with a proxy it never needs to) and sends no UDP.
		chromedp.Flag("proxy-server", "http://"+proxyAddr),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("force-webrtc-ip-handling-policy", "disable_non_proxied_udp"),
		chromedp.Flag("webrtc-ip-handling-policy", "disable_non_proxied_udp"),
		// Same-process iframes, so the probes and dialog handling cover
		// them; scans are still kept apart by browser contexts.
		chromedp.Flag("disable-site-isolation-trials", true),
		chromedp.Flag("disable-features", "IsolateOrigins,site-per-process,Translate,OptimizationHints,MediaRouter,"+
			"DialMediaRouteProvider,AutofillServerCommunication,InterestFeedContentSuggestions,"+
			"CertificateTransparencyComponentUpdater,SpareRendererForSitePerProcess,DnsOverHttps,BackForwardCache"),
		chromedp.Flag("disable-blink-features", "AutomationControlled"),
		chromedp.Flag("js-flags", "--max-old-space-size="+strconv.Itoa(p.cfg.JSHeapMB)),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-crash-reporter", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("disable-hang-monitor", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("force-color-profile", "srgb"),
	}
}

// launch starts a Chromium with a fresh profile directory.
func (p *Pool) launch(ctx context.Context) (*instance, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.cfg.StartTimeout)
		defer cancel()
	}
	fail := func(err error) error {
		return fmt.Errorf("%w: start %s: %w", ErrBrowserUnavailable, p.cfg.ExecPath, err)
	}
	dir, err := os.MkdirTemp(p.cfg.TempDir, profilePrefix)
	if err != nil {
		return nil, fail(err)
	}
	fallback, err := egress.New(egress.Config{
		Policy:            egress.Policy{Deny: denyAll},
		Resolver:          noResolver{},
		MaxConns:          16,
		MaxBlockedEntries: 1,
	}, p.log)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fail(err)
	}
	faddr, err := fallback.Start(context.Background())
	if err != nil {
		os.RemoveAll(dir)
		return nil, fail(err)
	}
	logf := func(format string, args ...any) {
		p.log.Debug("chromedp: " + fmt.Sprintf(format, args...))
	}
	opts := append(p.flags(faddr),
		chromedp.UserDataDir(dir),
		// Keep every file Chromium writes (crash dumps, NSS database,
		// caches) inside the profile directory that shutdown removes.
		chromedp.Flag("crash-dumps-dir", filepath.Join(dir, "crashes")),
		chromedp.Env("HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, ".config"), "XDG_CACHE_HOME="+filepath.Join(dir, ".cache")),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithLogf(logf), chromedp.WithErrorf(logf))
	in := &instance{
		bctx:     bctx,
		stop:     func() { bcancel(); acancel() },
		dir:      dir,
		fallback: fallback,
	}
	errc := make(chan error, 1)
	go func() { errc <- chromedp.Do(bctx) }() // the first Do binds the browser to bctx
	select {
	case err = <-errc:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		in.shutdown()
		<-errc
		return nil, fail(err)
	}
	c := chromedp.FromContext(bctx)
	in.browser = c.Browser
	if proc := c.Browser.Process(); proc != nil {
		in.pid = proc.Pid
	}
	if v, err := cdp.Call(ctx, c.Browser, browser.GetVersion, cdp.Empty{}); err == nil {
		in.version = v.Product
	}
	p.log.Info("chromium started", "pid", in.pid, "version", in.version, "profile", dir)
	return in, nil
}

// browser returns the running Chromium. If it died, the first caller
// starts a relaunch in the background (bounded by Config.StartTimeout) and
// every caller waits for it, each no longer than its own ctx.
func (p *Pool) browser(ctx context.Context) (*instance, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, ErrClosed
		}
		if p.inst != nil && p.inst.alive() {
			inst := p.inst
			p.mu.Unlock()
			return inst, nil
		}
		if p.launching == nil {
			if p.inst != nil {
				p.log.Warn("chromium died; relaunching", "pid", p.inst.pid)
				p.m.restart()
				p.inst.shutdown()
				p.inst = nil
			}
			p.launching = make(chan struct{})
			p.launchErr = nil
			p.wg.Add(1)
			go p.relaunch(p.launching)
		}
		wait := p.launching
		p.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, fmt.Errorf("browser: waiting for chromium to start: %w", context.Cause(ctx))
		}
		p.mu.Lock()
		err := p.launchErr
		p.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
}

// relaunch starts a new Chromium and closes done.
func (p *Pool) relaunch(done chan struct{}) {
	defer p.wg.Done()
	ctx, cancel := context.WithTimeout(p.base, p.cfg.StartTimeout)
	defer cancel()
	inst, err := p.launch(ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case err != nil:
		p.launchErr = err
	case p.closed:
		inst.shutdown()
		p.launchErr = ErrClosed
	default:
		p.inst = inst
	}
	p.launching = nil
	close(done)
}

// acquire takes a tab slot, waiting in the bounded queue if needed.
func (p *Pool) acquire(ctx context.Context) error {
	select {
	case p.slots <- struct{}{}:
		return nil
	default:
	}
	n := p.waiting.Add(1)
	if n > int64(p.cfg.QueueSize) {
		p.waiting.Add(-1)
		return ErrBusy
	}
	p.m.queueDepth(n)
	defer func() { p.m.queueDepth(p.waiting.Add(-1)) }()
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("browser: waiting for a free tab: %w", context.Cause(ctx))
	}
}

func (p *Pool) release() { <-p.slots }

// enter registers a Render with the WaitGroup unless the Pool is closed.
func (p *Pool) enter() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.wg.Add(1)
	return true
}

// Render loads rawURL in a fresh browser context with the visitor profile
// prof (the zero Profile is the default one) and returns what it saw.
//
// The whole call, queueing included, is bounded by ctx's deadline, or by
// Config.Timeout when ctx has none; it aims to return a tenth of the time
// (at most 0.3 s) early. It keeps a quarter of the time (0.5 s to 3 s) to
// read the page, so that a page that committed always comes back:
//   - the page committed (the browser got the main document) but did not
//     finish loading, or its visitor actions or settling ran out of time,
//     or its JavaScript had to be stopped: a Page and a nil error, with
//     notes in Page.Truncated;
//   - the page never committed: a nil Page and an error wrapping
//     context.DeadlineExceeded (or context.Canceled), ErrNavigation,
//     ErrBlocked or ErrCrashed.
//
// ErrBadURL and ErrBusy come back at once, before any browser work. The
// browser context, its tab and its egress proxy are disposed of after
// every Render, in the background; the tab slot is freed once they are.
func (p *Pool) Render(ctx context.Context, rawURL string, prof Profile, opts Options) (*Page, error) {
	start := time.Now()
	pg, err := p.render(ctx, rawURL, prof, opts, start)
	if pg != nil {
		pg.Duration = time.Since(start)
	}
	p.m.render(resultOf(pg, err), time.Since(start))
	return pg, err
}

func (p *Pool) render(ctx context.Context, rawURL string, prof Profile, opts Options, start time.Time) (*Page, error) {
	u, err := checkURL(rawURL)
	if err != nil {
		return nil, err
	}
	prof, err = prof.resolve()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("browser: render %s: %w", u, err)
	}
	if !p.enter() {
		return nil, ErrClosed
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = start.Add(p.cfg.Timeout)
	}
	dctx, dcancel := context.WithDeadline(ctx, deadline)
	rctx, rcancel := context.WithCancelCause(dctx)
	stop := context.AfterFunc(p.base, func() { rcancel(ErrClosed) })
	cleanup := func() {
		stop()
		rcancel(nil)
		dcancel()
		p.wg.Done()
	}
	if err := p.acquire(rctx); err != nil {
		cleanup()
		return nil, err
	}
	inst, err := p.browser(rctx)
	if err != nil {
		p.release()
		cleanup()
		return nil, err
	}
	s := newScan(p, inst, u, prof, opts, start)
	// s.close (run in the background by s.run) releases the slot and calls
	// cleanup once the browser context and the proxy are gone.
	return s.run(rctx, func() { p.release(); cleanup() })
}

const maxURLLen = 8 << 10

// checkURL accepts absolute http and https URLs with a host.
func checkURL(raw string) (string, error) {
	if raw == "" || len(raw) > maxURLLen {
		return "", fmt.Errorf("%w: length %d", ErrBadURL, len(raw))
	}
	for _, r := range raw {
		if r <= ' ' || r == 0x7f {
			return "", fmt.Errorf("%w: control or space character", ErrBadURL)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return "", fmt.Errorf("%w: scheme %q", ErrBadURL, u.Scheme)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return "", fmt.Errorf("%w: no host", ErrBadURL)
	}
	return u.String(), nil
}

// resultOf is the metric label for a Render's outcome.
func resultOf(pg *Page, err error) string {
	switch {
	case err == nil && pg != nil && len(pg.Truncated) > 0:
		return resultTruncated
	case err == nil:
		return resultOK
	case errors.Is(err, ErrBusy):
		return resultBusy
	case errors.Is(err, ErrBadURL):
		return resultBadURL
	case errors.Is(err, ErrBlocked):
		return resultBlocked
	case errors.Is(err, ErrNavigation):
		return resultNavigation
	case errors.Is(err, ErrCrashed):
		return resultCrashed
	case errors.Is(err, ErrBrowserUnavailable):
		return resultUnavail
	case errors.Is(err, ErrClosed):
		return resultClosed
	case errors.Is(err, context.DeadlineExceeded):
		return resultTimeout
	case errors.Is(err, context.Canceled):
		return resultCanceled
	}
	return resultError
}

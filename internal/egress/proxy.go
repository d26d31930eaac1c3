package egress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/netutil"
)

// Defaults for Config fields left zero.
const (
	DefaultListen            = "127.0.0.1:0"
	DefaultMaxRequests       = 2000
	DefaultMaxTotalBytes     = 256 << 20
	DefaultMaxResponseBytes  = 32 << 20
	DefaultMaxConns          = 64
	DefaultDialTimeout       = 10 * time.Second
	DefaultHeaderTimeout     = 20 * time.Second
	DefaultIdleTimeout       = 30 * time.Second
	DefaultMaxBlockedEntries = 200
	maxResponseHeaderBytes   = 1 << 20
)

// Resolver looks up the addresses of a name; *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Config configures one Proxy. Zero fields take the defaults above.
type Config struct {
	Policy Policy
	// Listen is the address to listen on; it must be a loopback IP literal
	// (the proxy is never exposed). Default 127.0.0.1:0.
	Listen string
	// MaxRequests caps plain requests plus CONNECTs over the proxy's life.
	MaxRequests int
	// MaxTotalBytes caps the bytes relayed to the browser over the proxy's
	// life (response bodies and tunnel bytes).
	MaxTotalBytes int64
	// MaxResponseBytes caps one plain HTTP response body. Tunnels have no
	// per-response cap (their content is opaque) but count against
	// MaxTotalBytes.
	MaxResponseBytes int64
	// MaxConns caps concurrent browser connections to the proxy; further
	// connections wait to be accepted. Each browser connection has at most
	// one upstream request or tunnel in flight.
	MaxConns int
	// DialTimeout bounds DNS resolution plus TCP connect.
	DialTimeout time.Duration
	// HeaderTimeout bounds waiting for upstream response headers (and TLS
	// handshakes for absolute https requests), and reading the browser's
	// request headers.
	HeaderTimeout time.Duration
	// IdleTimeout closes idle keep-alive connections, both sides.
	IdleTimeout time.Duration
	// MaxBlockedEntries caps Report.Blocked.
	MaxBlockedEntries int
	// Resolver resolves names when dialling; nil means net.DefaultResolver.
	Resolver Resolver
	// Metrics, if set, is shared by all proxies of the process.
	Metrics *Metrics
}

// ErrConfig reports an invalid Config.
var ErrConfig = errors.New("invalid egress config")

func (c *Config) setDefaults() error {
	if c.MaxRequests < 0 || c.MaxTotalBytes < 0 || c.MaxResponseBytes < 0 || c.MaxConns < 0 ||
		c.DialTimeout < 0 || c.HeaderTimeout < 0 || c.IdleTimeout < 0 || c.MaxBlockedEntries < 0 {
		return fmt.Errorf("%w: negative value", ErrConfig)
	}
	for _, p := range c.Policy.AllowedPorts {
		if p < 1 || p > 65535 {
			return fmt.Errorf("%w: port %d", ErrConfig, p)
		}
	}
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	ap, err := netip.ParseAddrPort(c.Listen)
	if err != nil || !ap.Addr().IsLoopback() {
		return fmt.Errorf("%w: listen address %q is not a loopback ip:port", ErrConfig, c.Listen)
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.MaxRequests, DefaultMaxRequests)
	def(&c.MaxConns, DefaultMaxConns)
	def(&c.MaxBlockedEntries, DefaultMaxBlockedEntries)
	if c.MaxTotalBytes == 0 {
		c.MaxTotalBytes = DefaultMaxTotalBytes
	}
	if c.MaxResponseBytes == 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.HeaderTimeout == 0 {
		c.HeaderTimeout = DefaultHeaderTimeout
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.Resolver == nil {
		c.Resolver = net.DefaultResolver
	}
	return nil
}

// Proxy is an HTTP forward proxy that enforces a Policy. Use one per scan:
// New, Start, point the browser context at Addr, run the scan, Close, then
// read Report.
type Proxy struct {
	cfg    Config
	log    *slog.Logger
	rec    recorder
	tr     *http.Transport
	srv    *http.Server
	ctx    context.Context // cancelled by Close; parent of every request
	cancel context.CancelFunc

	requests atomic.Int64 // requests received
	budget   atomic.Int64 // bytes still allowed (MaxTotalBytes - relayed)

	mu      sync.Mutex
	self    netip.AddrPort // listener address, once started
	started bool
	closed  bool
	tunnels map[net.Conn]struct{} // hijacked connections, closed by Close
	wg      sync.WaitGroup        // Serve, handlers and tunnel copiers
}

// New checks cfg and returns a Proxy that is not yet listening. logger may
// be nil.
func New(cfg Config, logger *slog.Logger) (*Proxy, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Proxy{
		cfg:     cfg,
		log:     logger,
		rec:     recorder{max: cfg.MaxBlockedEntries, metrics: cfg.Metrics},
		ctx:     ctx,
		cancel:  cancel,
		tunnels: make(map[net.Conn]struct{}),
	}
	p.budget.Store(cfg.MaxTotalBytes)
	p.tr = &http.Transport{
		Proxy:                  nil, // never honour proxy environment variables
		DialContext:            p.dial,
		DisableCompression:     true, // relay bytes as sent; the browser decodes
		ForceAttemptHTTP2:      false,
		TLSHandshakeTimeout:    cfg.HeaderTimeout,
		ResponseHeaderTimeout:  cfg.HeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        cfg.IdleTimeout,
		MaxIdleConns:           cfg.MaxConns,
		MaxIdleConnsPerHost:    4,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
	}
	p.srv = &http.Server{
		Handler:           p,
		ReadHeaderTimeout: cfg.HeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    maxResponseHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
	return p, nil
}

// Start listens on cfg.Listen and serves in the background until Close or
// until ctx is done. It returns the listening address (host:port) to give
// the browser as http://ADDR.
func (p *Proxy) Start(ctx context.Context) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started || p.closed {
		return "", errors.New("egress: proxy already started or closed")
	}
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", p.cfg.Listen)
	if err != nil {
		return "", fmt.Errorf("egress: listen %s: %w", p.cfg.Listen, err)
	}
	p.started = true
	p.self = netip.MustParseAddrPort(l.Addr().String())
	ll := netutil.LimitListener(l, p.cfg.MaxConns)
	p.wg.Add(2)
	go func() {
		defer p.wg.Done()
		if err := p.srv.Serve(ll); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.log.Warn("egress proxy stopped", "err", err)
		}
	}()
	go func() {
		defer p.wg.Done()
		select {
		case <-ctx.Done():
			go p.Close() // Close waits for this goroutine
		case <-p.ctx.Done():
		}
	}()
	return l.Addr().String(), nil
}

// Addr returns the listening address, or "" before Start.
func (p *Proxy) Addr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.self.IsValid() {
		return ""
	}
	return p.self.String()
}

// Close stops the listener, closes every browser connection and tunnel,
// cancels upstream requests and waits for all goroutines to end. It is
// safe to call more than once.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.wg.Wait()
		return nil
	}
	p.closed = true
	p.cancel()
	for c := range p.tunnels {
		c.Close()
	}
	p.mu.Unlock()
	err := p.srv.Close()
	p.wg.Wait()
	p.tr.CloseIdleConnections()
	return err
}

// Report returns a snapshot of what the proxy has seen so far.
func (p *Proxy) Report() Report { return p.rec.report() }

// ServeHTTP handles one browser request: CONNECT or absolute-form.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !p.enter() {
		http.Error(w, "egress: closed", http.StatusServiceUnavailable)
		return
	}
	defer p.wg.Done()
	p.rec.request()
	if r.Method == http.MethodConnect {
		p.connect(w, r)
		return
	}
	p.forward(w, r)
}

// enter registers a handler with wg unless the proxy is closed.
func (p *Proxy) enter() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.wg.Add(1)
	return true
}

// refuse records a refusal and answers the browser.
func (p *Proxy) refuse(w http.ResponseWriter, target string, err error) {
	r := ReasonOf(err)
	if r == "" {
		r = ReasonInvalidHost
	}
	p.rec.refused(target, r)
	p.log.Debug("egress refused", "target", truncate(target, 200), "reason", r)
	code := http.StatusForbidden
	switch r {
	case ReasonRequestLimit, ReasonTotalBytes:
		code = http.StatusTooManyRequests
	case ReasonInvalidHost, ReasonNotProxyRequest:
		code = http.StatusBadRequest
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "egress: blocked: "+string(r), code)
}

// admit applies the request cap, and refuses new requests once the byte
// budget is spent.
func (p *Proxy) admit(target string) error {
	if p.requests.Add(1) > int64(p.cfg.MaxRequests) {
		return deny(target, ErrLimit, ReasonRequestLimit)
	}
	if p.budget.Load() <= 0 {
		return deny(target, ErrLimit, ReasonTotalBytes)
	}
	return nil
}

// checkTarget applies every check that needs no DNS: port, host syntax,
// and the address of IP-literal and localhost hosts. It returns the parsed
// host.
func (p *Proxy) checkTarget(hostname string, port int, target string) (host, error) {
	h, err := parseHost(hostname)
	if err != nil {
		return host{}, &DenyError{Target: target, Reason: ReasonInvalidHost, Err: err}
	}
	if err := p.cfg.Policy.CheckPort(port); err != nil {
		return host{}, deny(target, ErrDeniedPort, ReasonPort)
	}
	switch {
	case h.ip.IsValid():
		if err := p.checkAddr(netip.AddrPortFrom(h.ip, uint16(port))); err != nil {
			return host{}, deny(target, ErrDeniedAddress, ReasonOf(err))
		}
	case h.isLocalhost() && !p.cfg.Policy.AllowLoopback:
		return host{}, deny(target, ErrDeniedAddress, ReasonLoopback)
	}
	return h, nil
}

// checkAddr is the policy plus the proxy's own address.
func (p *Proxy) checkAddr(ap netip.AddrPort) error {
	if err := p.cfg.Policy.CheckAddr(ap.Addr()); err != nil {
		return err
	}
	p.mu.Lock()
	self := p.self
	p.mu.Unlock()
	a := ap.Addr().WithZone("").Unmap()
	if self.IsValid() && ap.Port() == self.Port() &&
		(a == self.Addr() || a.IsLoopback() || a.IsUnspecified()) {
		return deny(ap.String(), ErrDeniedAddress, ReasonProxyLoop)
	}
	return nil
}

// control is the net.Dialer Control: policy on the dialled address.
func (p *Proxy) control(network, address string, c syscall.RawConn) error {
	if err := p.cfg.Policy.Check(network, address, c); err != nil {
		return err
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrInvalidHost, address)
	}
	return p.checkAddr(ap)
}

// dial resolves and dials host:port. Every resolved address is checked
// before any is dialled, and a name with any denied address is refused as a
// whole (a public+private answer is how rebinding attacks look). The dialer's
// Control checks again on the socket's actual destination.
func (p *Proxy) dial(ctx context.Context, network, hostport string) (net.Conn, error) {
	hs, ps, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrInvalidHost, hostport)
	}
	port, err := strconv.Atoi(ps)
	if err != nil || port < 1 || port > 65535 {
		return nil, deny(hostport, ErrDeniedPort, ReasonPort)
	}
	h, err := p.checkTarget(hs, port, hostport)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.DialTimeout)
	defer cancel()
	addrs := []netip.Addr{h.ip}
	if !h.ip.IsValid() {
		addrs, err = p.cfg.Resolver.LookupNetIP(ctx, "ip", h.name)
		if err != nil {
			return nil, fmt.Errorf("egress: resolve %s: %w", h.name, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("egress: resolve %s: no addresses", h.name)
		}
	}
	for _, a := range addrs {
		if err := p.checkAddr(netip.AddrPortFrom(a, uint16(port))); err != nil {
			return nil, deny(hostport+" ("+a.String()+")", ErrDeniedAddress, ReasonOf(err))
		}
	}
	d := net.Dialer{Control: p.control}
	var last error
	for _, a := range addrs {
		c, err := d.DialContext(ctx, "tcp", netip.AddrPortFrom(a.Unmap(), uint16(port)).String())
		if err == nil {
			return c, nil
		}
		last = err
		if ReasonOf(err) != "" || ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("egress: dial %s: %w", hostport, last)
}

// hopHeaders are removed in both directions (RFC 9110 section 7.6.1), plus
// whatever the Connection header lists.
var hopHeaders = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

func removeHopHeaders(h http.Header) {
	for _, v := range h["Connection"] {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				h.Del(f)
			}
		}
	}
	for _, k := range hopHeaders {
		h.Del(k)
	}
}

// forward relays one absolute-form request. Redirects are passed back to
// the browser, never followed here.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request) {
	if !r.URL.IsAbs() {
		p.refuse(w, r.RequestURI, deny(r.RequestURI, ErrNotProxyRequest, ReasonNotProxyRequest))
		return
	}
	u := *r.URL
	u.User = nil
	target := u.String()
	if err := p.admit(target); err != nil {
		p.refuse(w, target, err)
		return
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		p.refuse(w, target, deny(target, ErrDeniedScheme, ReasonScheme))
		return
	}
	if u.Host == "" {
		p.refuse(w, target, deny(target, ErrInvalidHost, ReasonInvalidHost))
		return
	}
	port := 80
	if scheme == "https" {
		port = 443
	}
	if ps := u.Port(); ps != "" {
		n, err := strconv.Atoi(ps)
		if err != nil || n < 1 || n > 65535 {
			p.refuse(w, target, deny(target, ErrDeniedPort, ReasonPort))
			return
		}
		port = n
	}
	h, err := p.checkTarget(u.Hostname(), port, target)
	if err != nil {
		p.refuse(w, target, err)
		return
	}
	// Dial what was checked: numeric hosts in canonical form.
	hs := h.String()
	if h.ip.IsValid() && h.ip.Is6() {
		hs = "[" + hs + "]"
	}
	u.Scheme = scheme
	u.Host = hs + ":" + strconv.Itoa(port)
	if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) {
		u.Host = hs
	}

	out := r.Clone(r.Context())
	out.URL = &u
	out.Host = u.Host
	out.RequestURI = ""
	out.Close = false
	removeHopHeaders(out.Header)
	if r.ContentLength == 0 {
		out.Body = nil
	}

	resp, err := p.tr.RoundTrip(out)
	if err != nil {
		if ReasonOf(err) != "" {
			p.refuse(w, target, err)
			return
		}
		p.rec.allowed()
		p.rec.failed()
		code := http.StatusBadGateway
		if isTimeout(err) {
			code = http.StatusGatewayTimeout
		}
		p.log.Debug("egress upstream failed", "target", truncate(target, 200), "err", err)
		http.Error(w, "egress: upstream failed", code)
		return
	}
	defer resp.Body.Close()
	p.rec.allowed()
	if resp.StatusCode == http.StatusSwitchingProtocols {
		// Upgrade was stripped, so this is a misbehaving server; WebSockets
		// go through CONNECT.
		p.rec.failed()
		http.Error(w, "egress: upstream failed", http.StatusBadGateway)
		return
	}

	removeHopHeaders(resp.Header)
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.Header().Del("Content-Length")
	if resp.ContentLength >= 0 {
		// Kept even above MaxResponseBytes: a cut body is then visibly short.
		w.Header().Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	w.WriteHeader(resp.StatusCode)
	if reason := p.copyBody(w, resp.Body, resp.ContentLength < 0); reason != "" {
		p.rec.cut(target, reason)
		p.log.Debug("egress response cut", "target", truncate(target, 200), "reason", reason)
		// Close the browser connection without ending the body properly,
		// so the browser sees a truncated response, not a complete one.
		panic(http.ErrAbortHandler)
	}
	for k, vs := range resp.Trailer {
		w.Header()[http.TrailerPrefix+k] = vs
	}
}

// take reserves up to n bytes of the total budget and returns how many
// were granted.
func (p *Proxy) take(n int64) int64 {
	for {
		left := p.budget.Load()
		g := min(n, left)
		if g <= 0 {
			return 0
		}
		if p.budget.CompareAndSwap(left, left-g) {
			return g
		}
	}
}

// copyBody copies a response body within MaxResponseBytes and the total
// budget. It returns the reason it stopped early, with the bytes granted
// flushed to the browser, or "" at EOF or on a read/write error.
func (p *Proxy) copyBody(w http.ResponseWriter, body io.Reader, flush bool) Reason {
	rc := http.NewResponseController(w)
	buf := make([]byte, 32<<10)
	var n int64
	for {
		m, rerr := body.Read(buf)
		if m > 0 {
			want := int64(m)
			reason := Reason("")
			if room := p.cfg.MaxResponseBytes - n; want > room {
				want, reason = room, ReasonResponseSize
			}
			g := p.take(want)
			if g < want {
				reason = ReasonTotalBytes
			}
			if g > 0 {
				k, werr := w.Write(buf[:g])
				n += int64(k)
				p.rec.bytes(int64(k))
				if werr != nil {
					return ""
				}
				if flush {
					_ = rc.Flush()
				}
			}
			if reason != "" {
				// What was granted goes out before the caller aborts the
				// response: an abort drops the writer's buffer (up to 2
				// KB), which would cut the body short of the cap.
				_ = rc.Flush()
				return reason
			}
		}
		if rerr != nil {
			return ""
		}
	}
}

// connect opens a tunnel for https and wss. The target's port must be
// allowed; its address is checked when dialling.
func (p *Proxy) connect(w http.ResponseWriter, r *http.Request) {
	target := r.Host
	if err := p.admit(target); err != nil {
		p.refuse(w, target, err)
		return
	}
	hs, ps, err := net.SplitHostPort(target)
	if err != nil || hs == "" {
		p.refuse(w, target, deny(target, ErrInvalidHost, ReasonInvalidHost))
		return
	}
	port, err := strconv.Atoi(ps)
	if err != nil || port < 1 || port > 65535 {
		p.refuse(w, target, deny(target, ErrDeniedPort, ReasonPort))
		return
	}
	if _, err := p.checkTarget(hs, port, target); err != nil {
		p.refuse(w, target, err)
		return
	}
	up, err := p.dial(r.Context(), "tcp", target)
	if err != nil {
		if ReasonOf(err) != "" {
			p.refuse(w, target, err)
			return
		}
		p.rec.allowed()
		p.rec.failed()
		code := http.StatusBadGateway
		if isTimeout(err) {
			code = http.StatusGatewayTimeout
		}
		http.Error(w, "egress: upstream failed", code)
		return
	}
	p.rec.allowed()
	client, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		up.Close()
		http.Error(w, "egress: cannot tunnel", http.StatusInternalServerError)
		return
	}
	if !p.track(client, up) {
		client.Close()
		up.Close()
		return
	}
	defer p.untrack(client, up)
	// The server has cleared its deadlines on hijack.
	if _, err := client.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Browser to upstream, including anything already buffered.
		var src io.Reader = client
		if n := brw.Reader.Buffered(); n > 0 {
			src = io.MultiReader(io.LimitReader(brw.Reader, int64(n)), client)
		}
		_, _ = io.Copy(up, src)
		closeWrite(up) // let upstream finish its answer
	}()
	if reason := p.copyTunnel(client, up); reason != "" {
		p.rec.cut(target, reason)
	}
	// Either side finishing ends the tunnel.
	client.Close()
	up.Close()
	<-done
}

// copyTunnel copies upstream to the browser within the total budget.
func (p *Proxy) copyTunnel(dst io.Writer, src io.Reader) Reason {
	buf := make([]byte, 32<<10)
	for {
		m, rerr := src.Read(buf)
		if m > 0 {
			g := p.take(int64(m))
			if g > 0 {
				k, werr := dst.Write(buf[:g])
				p.rec.bytes(int64(k))
				if werr != nil {
					return ""
				}
			}
			if g < int64(m) {
				return ReasonTotalBytes
			}
		}
		if rerr != nil {
			return ""
		}
	}
}

// track registers tunnel connections so Close can end them.
func (p *Proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	for _, c := range cs {
		p.tunnels[c] = struct{}{}
	}
	return true
}

func (p *Proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		c.Close()
		delete(p.tunnels, c)
	}
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
		return
	}
	_ = c.Close()
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

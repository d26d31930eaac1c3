package egress

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// mapResolver answers from a fixed table and never touches the network.
type mapResolver map[string][]netip.Addr

func (m mapResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := m[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

// startProxy starts a proxy on loopback and closes it when the test ends.
func startProxy(t *testing.T, cfg Config) (*Proxy, *url.URL) {
	t.Helper()
	if cfg.Resolver == nil {
		cfg.Resolver = mapResolver{}
	}
	p, err := New(cfg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	addr, err := p.Start(t.Context())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p, &url.URL{Scheme: "http", Host: addr}
}

// proxyClient is an HTTP client that sends everything through the proxy and
// does not follow redirects unless follow is set.
func proxyClient(t *testing.T, proxy *url.URL, follow bool) *http.Client {
	t.Helper()
	tr := &http.Transport{Proxy: http.ProxyURL(proxy), DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	if !follow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

// raw sends one request verbatim to the proxy and returns the response
// status and body.
func raw(t *testing.T, proxy *url.URL, req string) (int, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", proxy.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading response to %q: %v", req, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// canary is a loopback listener that counts the connections it accepts.
type canary struct {
	l     net.Listener
	count atomic.Int64
}

func newCanary(t *testing.T) *canary {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &canary{l: l}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			c.count.Add(1)
			conn.Close()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return c
}

func (c *canary) port() int { return c.l.Addr().(*net.TCPAddr).Port }

// TestSSRFBlocked sends probes that must all be refused before any dial,
// with the default policy (AllowLoopback false). Probes at loopback use a
// canary listener's port (allowed), so a policy hole would show up as an
// accepted connection; probes at other addresses never leave the process.
func TestSSRFBlocked(t *testing.T) {
	can := newCanary(t)
	cp := strconv.Itoa(can.port())
	p, proxy := startProxy(t, Config{
		Policy: Policy{AllowedPorts: []int{80, 443, can.port()}},
		Resolver: mapResolver{
			"evil.test":     addrs("10.0.0.5"),
			"rebind.test":   addrs("127.0.0.1"),
			"metadata.test": addrs("169.254.169.254"),
			"mixed.test":    addrs("127.0.0.1", "10.0.0.5"),
			"v6.test":       addrs("::ffff:127.0.0.1"),
		},
	})
	client := proxyClient(t, proxy, false)

	tests := []struct {
		name   string
		url    string // sent with the Go client
		raw    string // or sent verbatim
		status int
		reason Reason
	}{
		{name: "loopback", url: "http://127.0.0.1:" + cp + "/", reason: ReasonLoopback},
		{name: "loopback 127.2.3.4", url: "http://127.2.3.4:" + cp + "/", reason: ReasonLoopback},
		{name: "ipv6 loopback", url: "http://[::1]/", reason: ReasonLoopback},
		{name: "unspecified", url: "http://0.0.0.0:" + cp + "/", reason: ReasonUnspecified},
		{name: "ipv6 unspecified", url: "http://[::]/", reason: ReasonUnspecified},
		{name: "10/8", url: "http://10.0.0.1/", reason: ReasonPrivate},
		{name: "172.16/12", url: "http://172.16.0.1/", reason: ReasonPrivate},
		{name: "192.168/16", url: "http://192.168.1.1/", reason: ReasonPrivate},
		{name: "metadata", url: "http://169.254.169.254/latest/meta-data/", reason: ReasonMetadata},
		{name: "ipv6 metadata", url: "http://[fd00:ec2::254]/", reason: ReasonMetadata},
		{name: "link-local", url: "http://[fe80::1]/", reason: ReasonLinkLocal},
		{name: "cgnat", url: "http://100.64.0.1/", reason: ReasonCGNAT},
		{name: "benchmarking", url: "http://198.18.0.1/", reason: ReasonBenchmarking},
		{name: "broadcast", url: "http://255.255.255.255/", reason: ReasonBroadcast},
		{name: "mapped loopback", url: "http://[::ffff:127.0.0.1]:" + cp + "/", reason: ReasonLoopback},
		{name: "mapped private", url: "http://[::ffff:10.0.0.1]/", reason: ReasonPrivate},
		{name: "ipv4-compatible", url: "http://[::127.0.0.1]:" + cp + "/", reason: ReasonIPv4Compatible},
		{name: "nat64 private", url: "http://[64:ff9b::a00:1]/", reason: ReasonNAT64},
		{name: "6to4 private", url: "http://[2002:a00:1::1]/", reason: Reason6to4},
		{name: "teredo", url: "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", reason: ReasonTeredo},
		{name: "decimal", url: "http://2130706433:" + cp + "/", reason: ReasonLoopback},
		{name: "octal", url: "http://0177.0.0.1:" + cp + "/", reason: ReasonLoopback},
		{name: "hex", url: "http://0x7f000001:" + cp + "/", reason: ReasonLoopback},
		{name: "short", url: "http://127.1:" + cp + "/", reason: ReasonLoopback},
		{name: "decimal private", url: "http://167772161/", reason: ReasonPrivate},
		{name: "bad numeric", url: "http://1.2.3.4.5/", status: 400, reason: ReasonInvalidHost},
		{name: "numeric tld", url: "http://evil.123/", status: 400, reason: ReasonInvalidHost},
		{name: "localhost", url: "http://localhost:" + cp + "/", reason: ReasonLoopback},
		{name: "sub.localhost", url: "http://a.localhost:" + cp + "/", reason: ReasonLoopback},
		{name: "name to private", url: "http://evil.test/", reason: ReasonPrivate},
		{name: "name to loopback", url: "http://rebind.test:" + cp + "/", reason: ReasonLoopback},
		{name: "name to mapped loopback", url: "http://v6.test:" + cp + "/", reason: ReasonLoopback},
		{name: "name to metadata", url: "http://metadata.test/", reason: ReasonMetadata},
		{name: "name with one private address", url: "http://mixed.test:" + cp + "/", reason: ReasonLoopback},
		{name: "port 22", url: "http://evil.test:22/", reason: ReasonPort},
		{name: "port 22 on ip", url: "http://127.0.0.1:22/", reason: ReasonPort},
		{name: "ftp", raw: "GET ftp://evil.test/file HTTP/1.1\r\nHost: evil.test\r\n\r\n", reason: ReasonScheme},
		{name: "file", raw: "GET file:///etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", reason: ReasonScheme},
		{name: "gopher", raw: "GET gopher://127.0.0.1:" + cp + "/_x HTTP/1.1\r\nHost: x\r\n\r\n", reason: ReasonScheme},
		{name: "absolute ws", raw: "GET ws://10.0.0.1/chat HTTP/1.1\r\nHost: 10.0.0.1\r\nUpgrade: websocket\r\n" +
			"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
			reason: ReasonScheme},
		{name: "websocket upgrade to private", raw: "GET http://10.0.0.1/chat HTTP/1.1\r\nHost: 10.0.0.1\r\n" +
			"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
			"Sec-WebSocket-Version: 13\r\n\r\n", reason: ReasonPrivate},
		{name: "connect private 443", raw: "CONNECT 10.0.0.1:443 HTTP/1.1\r\nHost: 10.0.0.1:443\r\n\r\n", reason: ReasonPrivate},
		{name: "connect private 80 (ws)", raw: "CONNECT 10.0.0.1:80 HTTP/1.1\r\nHost: 10.0.0.1:80\r\n\r\n", reason: ReasonPrivate},
		{name: "connect loopback", raw: "CONNECT 127.0.0.1:" + cp + " HTTP/1.1\r\nHost: x\r\n\r\n", reason: ReasonLoopback},
		{name: "connect decimal", raw: "CONNECT 2130706433:" + cp + " HTTP/1.1\r\nHost: x\r\n\r\n", reason: ReasonLoopback},
		{name: "connect name to private", raw: "CONNECT evil.test:443 HTTP/1.1\r\nHost: x\r\n\r\n", reason: ReasonPrivate},
		{name: "connect port 22", raw: "CONNECT evil.test:22 HTTP/1.1\r\nHost: x\r\n\r\n", reason: ReasonPort},
		{name: "connect no port", raw: "CONNECT evil.test HTTP/1.1\r\nHost: x\r\n\r\n", status: 400, reason: ReasonInvalidHost},
		{name: "origin-form to the proxy", raw: "GET / HTTP/1.1\r\nHost: " + proxy.Host + "\r\n\r\n", status: 400, reason: ReasonNotProxyRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := p.Report()
			var status int
			if tt.url != "" {
				resp, err := client.Get(tt.url)
				if err != nil {
					t.Fatalf("GET %s: %v", tt.url, err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
			} else {
				status, _ = raw(t, proxy, tt.raw)
			}
			want := tt.status
			if want == 0 {
				want = http.StatusForbidden
			}
			if status != want {
				t.Errorf("status = %d, want %d", status, want)
			}
			after := p.Report()
			if after.Refused != before.Refused+1 || len(after.Blocked) != len(before.Blocked)+1 {
				t.Fatalf("report: refused %d -> %d, blocked %d -> %d; want one more refusal",
					before.Refused, after.Refused, len(before.Blocked), len(after.Blocked))
			}
			if got := after.Blocked[len(after.Blocked)-1]; got.Reason != tt.reason || got.Target == "" {
				t.Errorf("blocked = %+v, want reason %q", got, tt.reason)
			}
			if after.Allowed != 0 {
				t.Errorf("report.Allowed = %d, want 0", after.Allowed)
			}
		})
	}
	if n := can.count.Load(); n != 0 {
		t.Errorf("canary on loopback accepted %d connections, want 0", n)
	}
}

// TestLoopbackAllowed: with AllowLoopback (test configuration), loopback
// servers are reachable over plain http and over CONNECT for https.
func TestLoopbackAllowed(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "plain %s", r.URL.Path)
	}))
	defer plain.Close()
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "secure %s", r.URL.Path)
	}))
	defer secure.Close()

	p, proxy := startProxy(t, Config{
		Policy:   Policy{AllowLoopback: true, AllowedPorts: []int{80, port(t, plain.URL), port(t, secure.URL)}},
		Resolver: mapResolver{"site.test": addrs("127.0.0.1")},
	})

	client := proxyClient(t, proxy, false)
	for _, u := range []string{plain.URL + "/a", "http://site.test:" + strconv.Itoa(port(t, plain.URL)) + "/b"} {
		resp, err := client.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := "plain /" + u[len(u)-1:]
		if resp.StatusCode != 200 || string(body) != want {
			t.Errorf("GET %s = %d %q, want 200 %q", u, resp.StatusCode, body, want)
		}
	}

	tr := secure.Client().Transport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyURL(proxy)
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(secure.URL + "/c")
	if err != nil {
		t.Fatalf("GET %s via CONNECT: %v", secure.URL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "secure /c" {
		t.Errorf("GET %s via CONNECT = %d %q, want 200 %q", secure.URL, resp.StatusCode, body, "secure /c")
	}
	tr.CloseIdleConnections()

	r := p.Report()
	if r.Requests != 3 || r.Allowed != 3 || r.Refused != 0 || len(r.Blocked) != 0 {
		t.Errorf("report = %+v, want 3 requests, 3 allowed, none refused", r)
	}
	if r.ResponseBytes < int64(len("plain /a")*2) {
		t.Errorf("report.ResponseBytes = %d, want at least the plain bodies", r.ResponseBytes)
	}
	// Loopback allowed does not open private space.
	resp, err = client.Get("http://10.0.0.1/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if r := p.Report(); resp.StatusCode != http.StatusForbidden || len(r.Blocked) != 1 || r.Blocked[0].Reason != ReasonPrivate {
		t.Errorf("GET http://10.0.0.1/ = %d, blocked %+v; want 403, private", resp.StatusCode, r.Blocked)
	}
}

// TestProxyLoop: a request for the proxy's own address is refused even
// when loopback and its port are allowed.
func TestProxyLoop(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pport := l.Addr().(*net.TCPAddr).Port
	l.Close() // reuse the port for the proxy
	p, proxy := startProxy(t, Config{
		Listen: "127.0.0.1:" + strconv.Itoa(pport),
		Policy: Policy{AllowLoopback: true, AllowedPorts: []int{pport}},
	})
	for _, u := range []string{"http://127.0.0.1:" + strconv.Itoa(pport) + "/", "http://127.0.0.2:" + strconv.Itoa(pport) + "/"} {
		resp, err := proxyClient(t, proxy, false).Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s = %d, want 403", u, resp.StatusCode)
		}
	}
	r := p.Report()
	if r.Requests != 2 || len(r.Blocked) != 2 || r.Blocked[0].Reason != ReasonProxyLoop {
		t.Errorf("report = %+v, want 2 requests refused as proxy_loop", r)
	}
}

// TestRedirectToMetadata: a public-looking name whose server redirects to
// the metadata address. The redirect passes (the proxy does not follow
// it); the hop the client then makes is refused. The server lives on
// loopback, so this test allows loopback; the metadata hop is link-local.
func TestRedirectToMetadata(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/go":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/go-private":
			http.Redirect(w, r, "http://intranet.test/", http.StatusFound)
		}
	}))
	defer srv.Close()
	sp := strconv.Itoa(port(t, srv.URL))
	p, proxy := startProxy(t, Config{
		Policy: Policy{AllowLoopback: true, AllowedPorts: []int{80, port(t, srv.URL)}},
		Resolver: mapResolver{
			"public.test":   addrs("127.0.0.1"),
			"intranet.test": addrs("10.1.2.3"),
		},
	})

	// The redirect itself comes back untouched.
	resp, err := proxyClient(t, proxy, false).Get("http://public.test:" + sp + "/go")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "http://169.254.169.254/latest/meta-data/" {
		t.Fatalf("GET /go = %d Location %q, want 302 to the metadata address", resp.StatusCode, resp.Header.Get("Location"))
	}

	// A client that follows it is stopped at the hop.
	follow := proxyClient(t, proxy, true)
	for _, tt := range []struct {
		path, hop string
		reason    Reason
	}{
		{"/go", "http://169.254.169.254/latest/meta-data/", ReasonMetadata},
		{"/go-private", "http://intranet.test/", ReasonPrivate},
	} {
		resp, err = follow.Get("http://public.test:" + sp + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || resp.Request.URL.String() != tt.hop {
			t.Errorf("GET %s following redirects ended at %s with %d, want 403 at %s",
				tt.path, resp.Request.URL, resp.StatusCode, tt.hop)
		}
		r := p.Report()
		if last := r.Blocked[len(r.Blocked)-1]; last.Target != tt.hop || last.Reason != tt.reason {
			t.Errorf("last blocked = %+v, want {%s %s}", last, tt.hop, tt.reason)
		}
	}
	r := p.Report()
	if r.Allowed != 3 || r.Refused != 2 {
		t.Errorf("report: allowed %d refused %d, want 3 and 2", r.Allowed, r.Refused)
	}
}

// TestHopByHopHeaders: hop-by-hop headers are dropped both ways, end-to-end
// headers pass, and no Accept-Encoding is added.
func TestHopByHopHeaders(t *testing.T) {
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		w.Header().Set("X-End", "yes")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Set("Proxy-Authenticate", "Basic")
		w.Header().Set("Connection", "X-Hop-Resp")
		w.Header().Set("X-Hop-Resp", "1")
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	_, proxy := startProxy(t, Config{Policy: Policy{AllowLoopback: true, AllowedPorts: []int{port(t, srv.URL)}}})

	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("X-Keep", "1")
	req.Header.Set("Connection", "X-Hop")
	req.Header.Set("X-Hop", "1")
	req.Header.Set("Proxy-Authorization", "Basic c2VjcmV0")
	req.Header.Set("Proxy-Connection", "keep-alive")
	req.Header.Set("Te", "trailers")
	resp, err := proxyClient(t, proxy, false).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	resp.Body.Close()

	h := <-got
	for _, k := range []string{"X-Hop", "Proxy-Authorization", "Proxy-Connection", "Te", "Accept-Encoding", "Via", "X-Forwarded-For"} {
		if v := h.Get(k); v != "" {
			t.Errorf("upstream saw %s: %q, want it removed", k, v)
		}
	}
	if h.Get("X-Keep") != "1" {
		t.Errorf("upstream X-Keep = %q, want 1", h.Get("X-Keep"))
	}
	for _, k := range []string{"Keep-Alive", "Proxy-Authenticate", "X-Hop-Resp"} {
		if v := resp.Header.Get(k); v != "" {
			t.Errorf("client saw %s: %q, want it removed", k, v)
		}
	}
	if resp.Header.Get("X-End") != "yes" {
		t.Errorf("client X-End = %q, want yes", resp.Header.Get("X-End"))
	}
}

// TestResponseSizeCap: a 50 MB response is cut at MaxResponseBytes.
func TestResponseSizeCap(t *testing.T) {
	const size, limit = 50 << 20, 1 << 20
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(size))
		buf := make([]byte, 64<<10)
		for n := 0; n < size; n += len(buf) {
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	p, proxy := startProxy(t, Config{
		Policy:           Policy{AllowLoopback: true, AllowedPorts: []int{port(t, srv.URL)}},
		MaxResponseBytes: limit,
	})
	resp, err := proxyClient(t, proxy, false).Get(srv.URL + "/big")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil {
		t.Errorf("reading the cut body ended cleanly, want an error (truncation visible)")
	}
	if n != limit {
		t.Errorf("read %d bytes, want %d", n, limit)
	}
	r := p.Report()
	if r.Cut != 1 || len(r.Blocked) != 1 || r.Blocked[0].Reason != ReasonResponseSize || r.Blocked[0].Target != srv.URL+"/big" {
		t.Errorf("report = %+v, want one cut (response_size_limit) for %s/big", r, srv.URL)
	}
	if r.ResponseBytes != limit {
		t.Errorf("report.ResponseBytes = %d, want %d", r.ResponseBytes, limit)
	}
}

// TestTotalBytesCap: an endless chunked response is cut when the proxy's
// total budget runs out, and later responses get nothing.
func TestTotalBytesCap(t *testing.T) {
	const total = 1 << 20
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 8<<10)
		rc := http.NewResponseController(w)
		for r.Context().Err() == nil {
			if _, err := w.Write(buf); err != nil {
				return
			}
			rc.Flush()
		}
	}))
	defer srv.Close()
	p, proxy := startProxy(t, Config{
		Policy:        Policy{AllowLoopback: true, AllowedPorts: []int{port(t, srv.URL)}},
		MaxTotalBytes: total,
	})
	client := proxyClient(t, proxy, false)
	resp, err := client.Get(srv.URL + "/endless")
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("transfer encoding %v, want chunked", resp.TransferEncoding)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil || n != total {
		t.Errorf("read %d bytes, err %v; want %d and a truncation error", n, err, total)
	}
	// The budget is spent: the next request is refused outright.
	resp, err = client.Get(srv.URL + "/again")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("request after the budget ran out = %d, want 429", resp.StatusCode)
	}
	r := p.Report()
	if r.Cut != 1 || r.Refused != 1 || r.ResponseBytes != total || len(r.Blocked) != 2 ||
		r.Blocked[0].Reason != ReasonTotalBytes || r.Blocked[1].Reason != ReasonTotalBytes {
		t.Errorf("report = %+v, want 1 cut and 1 refusal (total_bytes_limit), %d bytes", r, total)
	}
}

// TestTunnelTotalBytesCap: bytes through a CONNECT tunnel count against
// the total budget and the tunnel is closed when it runs out.
func TestTunnelTotalBytesCap(t *testing.T) {
	const total = 256 << 10
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 16<<10)
		for {
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
	}()
	p, proxy := startProxy(t, Config{
		Policy:        Policy{AllowLoopback: true, AllowedPorts: []int{l.Addr().(*net.TCPAddr).Port}},
		MaxTotalBytes: total,
	})
	c, err := net.Dial("tcp", proxy.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", l.Addr(), l.Addr())
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "CONNECT"})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT = %v, %v; want 200", resp, err)
	}
	n, err := io.Copy(io.Discard, br)
	if err != nil || n != total {
		t.Errorf("tunnel carried %d bytes (err %v), want exactly %d then EOF", n, err, total)
	}
	r := p.Report()
	if r.Cut != 1 || r.ResponseBytes != total || len(r.Blocked) != 1 || r.Blocked[0].Reason != ReasonTotalBytes {
		t.Errorf("report = %+v, want one tunnel cut at %d bytes", r, total)
	}
}

// silentServer accepts connections and never answers; it closes them when
// the peer does or when the test ends.
func silentServer(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(io.Discard, c)
			}()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return l
}

// TestHeaderTimeout: an upstream that never answers yields 504 after
// HeaderTimeout and counts as failed.
func TestHeaderTimeout(t *testing.T) {
	l := silentServer(t)
	p, proxy := startProxy(t, Config{
		Policy:        Policy{AllowLoopback: true, AllowedPorts: []int{l.Addr().(*net.TCPAddr).Port}},
		HeaderTimeout: 300 * time.Millisecond,
	})
	start := time.Now()
	resp, err := proxyClient(t, proxy, false).Get("http://" + l.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if el := time.Since(start); resp.StatusCode != http.StatusGatewayTimeout || el > 5*time.Second {
		t.Errorf("GET silent server = %d after %v, want 504 after ~300ms", resp.StatusCode, el)
	}
	if r := p.Report(); r.Failed != 1 || r.Allowed != 1 || r.Refused != 0 {
		t.Errorf("report = %+v, want 1 allowed, 1 failed", r)
	}
}

// TestRequestCap: requests past MaxRequests are refused.
func TestRequestCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer srv.Close()
	p, proxy := startProxy(t, Config{
		Policy:      Policy{AllowLoopback: true, AllowedPorts: []int{port(t, srv.URL)}},
		MaxRequests: 3,
	})
	client := proxyClient(t, proxy, false)
	var codes []int
	for range 5 {
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	if fmt.Sprint(codes) != "[200 200 200 429 429]" {
		t.Errorf("status codes = %v, want [200 200 200 429 429]", codes)
	}
	r := p.Report()
	if r.Requests != 5 || r.Allowed != 3 || r.Refused != 2 || r.Blocked[1].Reason != ReasonRequestLimit {
		t.Errorf("report = %+v, want 5 requests, 3 allowed, 2 refused (request_limit)", r)
	}
}

// TestBlockedListCap: the Blocked list stops at MaxBlockedEntries and
// counts the rest.
func TestBlockedListCap(t *testing.T) {
	p, proxy := startProxy(t, Config{MaxBlockedEntries: 3})
	client := proxyClient(t, proxy, false)
	for i := range 5 {
		resp, err := client.Get("http://10.0.0." + strconv.Itoa(i+1) + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	r := p.Report()
	if r.Refused != 5 || len(r.Blocked) != 3 || r.Dropped != 2 || r.Blocked[2].Target != "http://10.0.0.3/" {
		t.Errorf("report = %+v, want 5 refused, 3 listed, 2 dropped", r)
	}
}

// TestConnLimit: browser connections past MaxConns wait for a slot.
func TestConnLimit(t *testing.T) {
	_, proxy := startProxy(t, Config{MaxConns: 1})
	first, err := net.Dial("tcp", proxy.Host)
	if err != nil {
		t.Fatal(err)
	}
	// Make sure the first connection has been accepted.
	fmt.Fprintf(first, "GET http://10.0.0.1/ HTTP/1.1\r\nHost: 10.0.0.1\r\n\r\n")
	br := bufio.NewReader(first)
	if resp, err := http.ReadResponse(br, nil); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	second, err := net.Dial("tcp", proxy.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	fmt.Fprintf(second, "GET http://10.0.0.2/ HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n")
	second.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := second.Read(make([]byte, 1)); err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("second connection answered while the first held the only slot (err %v)", err)
	}
	first.Close()
	second.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(second), nil)
	if err != nil {
		t.Fatalf("second connection after the first closed: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("second connection status = %d, want 403", resp.StatusCode)
	}
}

// TestNoGoroutineLeak: Close ends every goroutine the proxy started,
// including an open tunnel and a request waiting on a silent upstream.
func TestNoGoroutineLeak(t *testing.T) {
	silent := silentServer(t)
	echo := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer echo.Close()
	base := runtime.NumGoroutine()

	p, err := New(Config{
		Policy:   Policy{AllowLoopback: true, AllowedPorts: []int{silent.Addr().(*net.TCPAddr).Port, port(t, echo.URL)}},
		Resolver: mapResolver{},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := p.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	proxy := &url.URL{Scheme: "http", Host: addr}

	// An open tunnel with a live TLS connection in it.
	tr := echo.Client().Transport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyURL(proxy)
	resp, err := (&http.Client{Transport: tr}).Get(echo.URL)
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	resp.Body.Close()

	// A request stuck waiting for headers.
	stuck := make(chan error, 1)
	ptr := &http.Transport{Proxy: http.ProxyURL(proxy)}
	go func() {
		resp, err := (&http.Client{Transport: ptr}).Get("http://" + silent.Addr().String() + "/")
		if err == nil {
			resp.Body.Close()
		}
		stuck <- err
	}()
	time.Sleep(100 * time.Millisecond)

	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case <-stuck:
	case <-time.After(5 * time.Second):
		t.Fatal("request through the proxy still running 5s after Close")
	}
	tr.CloseIdleConnections()
	ptr.CloseIdleConnections()

	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before the proxy:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
	if _, err := p.Start(context.Background()); err == nil {
		t.Error("Start after Close succeeded, want an error")
	}
}

// TestStartContext: cancelling Start's context stops the proxy.
func TestStartContext(t *testing.T) {
	p, err := New(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr, err := p.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return // closed
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("proxy at %s still accepting 3s after its context was cancelled", addr)
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Listen: "0.0.0.0:0"},
		{Listen: "192.168.1.1:8080"},
		{Listen: "localhost:0"},
		{MaxRequests: -1},
		{DialTimeout: -time.Second},
		{Policy: Policy{AllowedPorts: []int{0}}},
		{Policy: Policy{AllowedPorts: []int{70000}}},
	} {
		if _, err := New(cfg, nil); !errors.Is(err, ErrConfig) {
			t.Errorf("New(%+v) = %v, want ErrConfig", cfg, err)
		}
	}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 100))
	}))
	defer srv.Close()
	_, proxy := startProxy(t, Config{
		Policy:  Policy{AllowLoopback: true, AllowedPorts: []int{80, port(t, srv.URL)}},
		Metrics: m,
	})
	client := proxyClient(t, proxy, false)
	for _, u := range []string{srv.URL, srv.URL, "http://10.0.0.1/", "http://169.254.169.254/"} {
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	checks := []struct {
		name string
		c    prometheus.Metric
		want float64
	}{
		{"allowed", m.requests.WithLabelValues("allowed"), 2},
		{"blocked", m.requests.WithLabelValues("blocked"), 2},
		{"blocked private", m.blockedC.WithLabelValues(string(ReasonPrivate)), 1},
		{"blocked metadata", m.blockedC.WithLabelValues(string(ReasonMetadata)), 1},
		{"bytes", m.bytesC, 200},
	}
	for _, c := range checks {
		var d dto.Metric
		if err := c.c.Write(&d); err != nil {
			t.Fatal(err)
		}
		if got := d.GetCounter().GetValue(); got != c.want {
			t.Errorf("%s = %v, want %v", c.name, got, c.want)
		}
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, met := range mf.GetMetric() {
			for _, l := range met.GetLabel() {
				if l.GetName() != "result" && l.GetName() != "reason" {
					t.Errorf("%s has label %q; only result and reason are allowed", mf.GetName(), l.GetName())
				}
			}
		}
	}
	if _, err := NewMetrics(reg); err == nil {
		t.Error("registering the metrics twice succeeded, want an error")
	}
}

func port(t *testing.T, rawURL string) int {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// seqResolver answers each lookup of a name with the next entry, as a
// rebinding DNS server would.
type seqResolver struct {
	mu      sync.Mutex
	answers [][]netip.Addr
}

func (s *seqResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if host != "rebind.test" || len(s.answers) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	return a, nil
}

// TestRebinding: every connection is checked against the addresses
// resolved for it, so a name that rebinds to a private address after a
// first allowed answer is refused; and a name with any denied address is
// refused whole, without dialling the allowed one.
func TestRebinding(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	sp := port(t, srv.URL)
	p, proxy := startProxy(t, Config{
		Policy: Policy{AllowLoopback: true, AllowedPorts: []int{sp}},
		Resolver: &seqResolver{answers: [][]netip.Addr{
			addrs("127.0.0.1"),
			addrs("10.0.0.5"),
			addrs("127.0.0.1", "10.0.0.5"),
		}},
	})
	tr := &http.Transport{Proxy: http.ProxyURL(proxy), DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	u := "http://rebind.test:" + strconv.Itoa(sp) + "/"
	var codes []int
	for range 3 {
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
		p.tr.CloseIdleConnections() // force a new upstream dial each time
	}
	if fmt.Sprint(codes) != "[200 403 403]" {
		t.Errorf("status codes = %v, want [200 403 403]", codes)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
	r := p.Report()
	if len(r.Blocked) != 2 || r.Blocked[0].Reason != ReasonPrivate || r.Blocked[1].Reason != ReasonPrivate {
		t.Errorf("blocked = %+v, want two refusals (private)", r.Blocked)
	}
}

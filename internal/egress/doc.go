// Package egress decides what the scanning browser may reach, and enforces
// it with an in-process HTTP forward proxy that all browser traffic goes
// through.
//
// # Policy
//
// A destination may be dialled only if all of these hold:
//   - the request is an absolute-form http:// or https:// request, or a
//     CONNECT (which is how Chromium sends https:// and ws(s):// through a
//     proxy). Other schemes (ftp, file, gopher, ws in absolute form, ...) and
//     origin-form requests addressed to the proxy itself are refused;
//   - the port is in Policy.AllowedPorts (default 80, 443, 8080, 8443),
//     CONNECT targets included;
//   - the host is an IP literal or a valid DNS name. Numeric hosts are parsed
//     as inet_aton and the WHATWG URL standard do (2130706433, 0x7f000001,
//     0177.0.0.1 and 127.1 are all 127.0.0.1) and judged as that address;
//     numeric hosts that do not parse, and zoned IPv6 literals, are refused;
//   - every address the name resolves to is public unicast. A name with any
//     denied address is refused whole. The check runs again, as the
//     net.Dialer Control function (Policy.Check), on the address actually
//     dialled, so DNS rebinding between check and dial is caught.
//
// Denied by default (IPv4-mapped ::ffff:a.b.c.d is judged as a.b.c.d):
// loopback 127/8 and ::1 and localhost names; private 10/8, 172.16/12,
// 192.168/16, fc00::/7; link-local 169.254/16, fe80::/10; cloud metadata
// 169.254.169.254, 169.254.170.2, 100.100.100.200, fd00:ec2::254 (even
// with AllowPrivate); unspecified 0/8 and ::; CGNAT 100.64/10; benchmarking
// 198.18/15 and 2001:2::/48; documentation ranges; multicast; broadcast;
// 240/4; IPv4-compatible ::/96; NAT64 64:ff9b::/96 and 64:ff9b:1::/48
// (64:ff9b::/96 with a public embedded IPv4 only with AllowNAT64); 6to4
// 2002::/16; Teredo 2001::/32; Policy.Deny; the proxy's own listener; and,
// as a backstop, everything else in the IANA special-purpose registries and
// all IPv6 outside 2000::/3 (code.dny.dev/ssrf). AllowLoopback and
// AllowPrivate exist for tests.
//
// # Proxy
//
// One Proxy serves one scan: New, Start (a listener on 127.0.0.1:0 and a
// goroutine), point the browser context at it, Close after the scan, read
// Report. Separate listeners keep scans' caps and reports apart without
// trusting anything the browser sends (no session credentials).
//
// The proxy never follows redirects: the browser follows them and each hop
// comes back through the proxy and its checks. It strips hop-by-hop headers
// in both directions, adds no Via or X-Forwarded-For, ignores proxy
// environment variables, and passes bodies through undecoded.
//
// Caps per proxy: MaxRequests (plain requests plus CONNECTs), MaxTotalBytes
// (response bodies plus tunnel bytes towards the browser), MaxResponseBytes
// (one plain HTTP response; the proxy stops copying and drops the browser
// connection so the truncation is visible), MaxConns (browser connections;
// further ones wait), DialTimeout and HeaderTimeout. Once the byte budget
// is spent, new requests are refused. Bytes are counted on the wire, before
// any content decoding by the browser. A tunnel lasts until either side
// closes it or the proxy is closed. Report lists every refusal and cut
// (up to MaxBlockedEntries, then a count) with a Reason; NewMetrics gives
// process-wide counters labelled only by result and reason.
//
// # What it does not do
//
// It does not inspect or filter content, decrypt TLS, or see requests
// inside a CONNECT tunnel (so per-response caps do not apply there). It
// resolves DNS only when dialling, for the browser's proxied requests; it
// does not stop the browser resolving names itself (see the flags below).
// It never writes anything to disk: bodies stream from upstream to the
// browser through a fixed buffer. It does not handle UDP (QUIC, WebRTC):
// the browser must be configured to send none.
//
// # Browser side
//
// Chromium must send everything here: --proxy-server=http://ADDR,
// --proxy-bypass-list=<-loopback> (otherwise loopback is reached directly),
// --disable-quic, --force-webrtc-ip-handling-policy=disable_non_proxied_udp,
// and --host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1" so the
// browser itself resolves nothing. For a per-scan proxy in a shared browser,
// create the scan's browser context with Target.createBrowserContext
// proxyServer "http://ADDR" and proxyBypassList "<-loopback>".
package egress

package egress

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"syscall"

	"code.dny.dev/ssrf"
)

// Sentinel errors. Every refusal wraps one of them in a *DenyError that also
// carries the Reason; test with errors.Is and errors.As.
var (
	// ErrDeniedAddress: the destination IP is not a public unicast address
	// (or is in Policy.Deny, or is the proxy itself).
	ErrDeniedAddress = errors.New("destination address denied")
	// ErrDeniedPort: the destination port is not in Policy.AllowedPorts.
	ErrDeniedPort = errors.New("destination port denied")
	// ErrDeniedScheme: the request is not http, https or a CONNECT.
	ErrDeniedScheme = errors.New("scheme denied")
	// ErrDeniedNetwork: a dial on a network other than TCP.
	ErrDeniedNetwork = errors.New("network denied")
	// ErrInvalidHost: the host is neither an IP address nor a valid DNS name
	// (including numeric forms that do not parse as an IPv4 address).
	ErrInvalidHost = errors.New("invalid host")
	// ErrNotProxyRequest: an origin-form request addressed to the proxy itself.
	ErrNotProxyRequest = errors.New("not a proxy request")
	// ErrLimit: a per-proxy cap (requests, bytes) was reached.
	ErrLimit = errors.New("limit reached")
)

// Reason says why a request was refused or cut. The set is closed (the
// constants below), so it is safe as a metric label value.
type Reason string

// Reasons for refusing an address.
const (
	ReasonLoopback       Reason = "loopback"        // 127.0.0.0/8, ::1, localhost names
	ReasonPrivate        Reason = "private"         // 10/8, 172.16/12, 192.168/16, fc00::/7
	ReasonLinkLocal      Reason = "link_local"      // 169.254/16, fe80::/10
	ReasonMetadata       Reason = "metadata"        // cloud instance metadata endpoints
	ReasonCGNAT          Reason = "cgnat"           // 100.64.0.0/10
	ReasonUnspecified    Reason = "unspecified"     // 0.0.0.0/8, ::
	ReasonMulticast      Reason = "multicast"       // 224/4, ff00::/8
	ReasonBroadcast      Reason = "broadcast"       // 255.255.255.255
	ReasonBenchmarking   Reason = "benchmarking"    // 198.18/15, 2001:2::/48
	ReasonDocumentation  Reason = "documentation"   // TEST-NET-1/2/3, 2001:db8::/32, 3fff::/20
	ReasonReserved       Reason = "reserved"        // other IANA special-purpose space
	ReasonIPv4Compatible Reason = "ipv4_compatible" // ::/96 (deprecated IPv4-compatible IPv6)
	ReasonNAT64          Reason = "nat64"           // 64:ff9b::/96, 64:ff9b:1::/48
	Reason6to4           Reason = "6to4"            // 2002::/16
	ReasonTeredo         Reason = "teredo"          // 2001::/32
	ReasonDeniedPrefix   Reason = "denied_prefix"   // Policy.Deny
	ReasonProxyLoop      Reason = "proxy_loop"      // the proxy's own listener
)

// Reasons for refusing a request for something other than its address.
const (
	ReasonPort            Reason = "port"
	ReasonScheme          Reason = "scheme"
	ReasonNetwork         Reason = "network"
	ReasonInvalidHost     Reason = "invalid_host"
	ReasonNotProxyRequest Reason = "not_proxy_request"
	ReasonRequestLimit    Reason = "request_limit"
)

// Reasons for cutting a response or tunnel short.
const (
	ReasonResponseSize Reason = "response_size_limit"
	ReasonTotalBytes   Reason = "total_bytes_limit"
)

// DenyError is the error for every refusal. It unwraps to one of the
// sentinel errors above.
type DenyError struct {
	Target string // what was refused: an address, host:port or URL
	Reason Reason
	Err    error // a sentinel error
}

func (e *DenyError) Error() string {
	return fmt.Sprintf("egress: %s: %v (%s)", e.Target, e.Err, e.Reason)
}

func (e *DenyError) Unwrap() error { return e.Err }

func deny(target string, sentinel error, r Reason) *DenyError {
	return &DenyError{Target: target, Reason: r, Err: sentinel}
}

// ReasonOf returns the Reason carried by err, or "" if err is not a refusal.
func ReasonOf(err error) Reason {
	if de, ok := errors.AsType[*DenyError](err); ok {
		return de.Reason
	}
	return ""
}

// defaultPorts are the destination ports allowed when Policy.AllowedPorts
// is empty.
var defaultPorts = []int{80, 443, 8080, 8443}

// Policy says which destinations may be dialled. The zero value is the
// production policy: public unicast addresses on ports 80, 443, 8080 and
// 8443 only.
//
// A Policy is read-only once in use and safe for concurrent use.
type Policy struct {
	// AllowLoopback permits 127.0.0.0/8 and ::1 (and localhost names).
	// For tests only.
	AllowLoopback bool
	// AllowPrivate permits RFC 1918 (10/8, 172.16/12, 192.168/16) and
	// unique-local fc00::/7. Metadata endpoints stay denied.
	AllowPrivate bool
	// AllowNAT64 permits 64:ff9b::/96 addresses whose embedded IPv4 address
	// is itself public (for IPv6-only hosts behind DNS64+NAT64).
	AllowNAT64 bool
	// AllowedPorts are the destination ports that may be dialled; empty means
	// 80, 443, 8080 and 8443.
	AllowedPorts []int
	// Deny lists extra prefixes to refuse, such as the service's own public
	// addresses or peered networks. It wins over every Allow option.
	Deny []netip.Prefix
}

// Check is a net.Dialer Control function: it runs on the address actually
// being dialled, after DNS resolution, so a name that resolves (or rebinds)
// to a denied address is refused before any packet is sent. network must be
// tcp, tcp4 or tcp6; address is ip:port.
func (p *Policy) Check(network, address string, _ syscall.RawConn) error {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return deny(address, ErrDeniedNetwork, ReasonNetwork)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q: %v", ErrInvalidHost, address, err)
	}
	if err := p.CheckPort(int(ap.Port())); err != nil {
		return deny(address, ErrDeniedPort, ReasonPort)
	}
	if r := p.classify(ap.Addr()); r != "" {
		return deny(address, ErrDeniedAddress, r)
	}
	return nil
}

// CheckPort refuses ports outside AllowedPorts.
func (p *Policy) CheckPort(port int) error {
	ports := p.AllowedPorts
	if len(ports) == 0 {
		ports = defaultPorts
	}
	if !slices.Contains(ports, port) {
		return deny(strconv.Itoa(port), ErrDeniedPort, ReasonPort)
	}
	return nil
}

// CheckAddr refuses an IP address the policy does not permit. IPv4-mapped
// IPv6 addresses (::ffff:a.b.c.d) are judged as the IPv4 address; zones are
// ignored.
func (p *Policy) CheckAddr(a netip.Addr) error {
	if r := p.classify(a); r != "" {
		return deny(a.String(), ErrDeniedAddress, r)
	}
	return nil
}

// classify returns why a is denied, or "" if it may be dialled.
func (p *Policy) classify(a netip.Addr) Reason {
	if !a.IsValid() {
		return ReasonReserved
	}
	a = a.WithZone("").Unmap()
	for _, pre := range p.Deny {
		if pre.Contains(a) {
			return ReasonDeniedPrefix
		}
	}
	var r Reason
	if a.Is4() {
		r = lookup(v4Table, a)
	} else {
		r = lookup(v6Table, a)
		if r == ReasonNAT64 && p.AllowNAT64 && nat64WKP.Contains(a) {
			b := a.As16()
			return p.publicOnly(netip.AddrFrom4([4]byte(b[12:16])))
		}
	}
	switch {
	case r == ReasonLoopback && p.AllowLoopback,
		r == ReasonPrivate && p.AllowPrivate:
		return ""
	case r != "":
		return r
	}
	// Backstop: the IANA special-purpose registries as kept by
	// code.dny.dev/ssrf (IPv6 outside 2000::/3 is denied there too).
	if guardian.SafeAddr(a) != nil {
		return ReasonReserved
	}
	return ""
}

// publicOnly judges an IPv4 address embedded in another address: only public
// unicast passes, whatever the Allow options say.
func (p *Policy) publicOnly(a netip.Addr) Reason {
	if r := lookup(v4Table, a); r != "" {
		return r
	}
	for _, pre := range p.Deny {
		if pre.Contains(a) {
			return ReasonDeniedPrefix
		}
	}
	if guardian.SafeAddr(a) != nil {
		return ReasonReserved
	}
	return ""
}

type entry struct {
	prefix netip.Prefix
	reason Reason
}

func lookup(t []entry, a netip.Addr) Reason {
	for _, e := range t {
		if e.prefix.Contains(a) {
			return e.reason
		}
	}
	return ""
}

func pfx(s string, r Reason) entry { return entry{netip.MustParsePrefix(s), r} }

// The tables are immutable lookup data; order matters (first match wins, so
// specific entries such as metadata come before the ranges that hold them).
var (
	v4Table = []entry{
		pfx("169.254.169.254/32", ReasonMetadata), // AWS, GCP, Azure, OpenStack, ...
		pfx("169.254.170.2/32", ReasonMetadata),   // AWS ECS task metadata
		pfx("100.100.100.200/32", ReasonMetadata), // Alibaba Cloud
		pfx("0.0.0.0/32", ReasonUnspecified),
		pfx("0.0.0.0/8", ReasonUnspecified),
		pfx("127.0.0.0/8", ReasonLoopback),
		pfx("10.0.0.0/8", ReasonPrivate),
		pfx("172.16.0.0/12", ReasonPrivate),
		pfx("192.168.0.0/16", ReasonPrivate),
		pfx("169.254.0.0/16", ReasonLinkLocal),
		pfx("100.64.0.0/10", ReasonCGNAT),
		pfx("198.18.0.0/15", ReasonBenchmarking),
		pfx("192.0.2.0/24", ReasonDocumentation),
		pfx("198.51.100.0/24", ReasonDocumentation),
		pfx("203.0.113.0/24", ReasonDocumentation),
		pfx("224.0.0.0/4", ReasonMulticast),
		pfx("255.255.255.255/32", ReasonBroadcast),
		pfx("240.0.0.0/4", ReasonReserved),
		pfx("192.0.0.0/24", ReasonReserved),
		pfx("192.88.99.0/24", ReasonReserved),
	}
	v6Table = []entry{
		pfx("::/128", ReasonUnspecified),
		pfx("::1/128", ReasonLoopback),
		pfx("::/96", ReasonIPv4Compatible),
		pfx("64:ff9b::/96", ReasonNAT64),
		pfx("64:ff9b:1::/48", ReasonNAT64),
		pfx("fd00:ec2::254/128", ReasonMetadata), // AWS IMDS over IPv6
		pfx("fc00::/7", ReasonPrivate),
		pfx("fe80::/10", ReasonLinkLocal),
		pfx("fec0::/10", ReasonReserved), // deprecated site-local
		pfx("ff00::/8", ReasonMulticast),
		pfx("2001::/32", ReasonTeredo),
		pfx("2001:2::/48", ReasonBenchmarking),
		pfx("2001:db8::/32", ReasonDocumentation),
		pfx("3fff::/20", ReasonDocumentation),
		pfx("2002::/16", Reason6to4),
		pfx("100::/64", ReasonReserved), // discard-only
	}
	nat64WKP = netip.MustParsePrefix("64:ff9b::/96")

	// guardian is used only through SafeAddr, which checks prefixes, so its
	// network and port settings do not matter.
	guardian = ssrf.New(ssrf.WithAnyNetwork(), ssrf.WithAnyPort())
)

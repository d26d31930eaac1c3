package egress

import (
	"fmt"
	"net/netip"
	"strings"
)

// host is a parsed request host: either an IP address or a DNS name.
type host struct {
	ip   netip.Addr // valid for IP hosts
	name string     // lower-case, no trailing dot; set for names
}

func (h host) String() string {
	if h.ip.IsValid() {
		return h.ip.String()
	}
	return h.name
}

// isLocalhost reports whether the name is localhost or under .localhost,
// which resolvers (and RFC 6761) map to loopback.
func (h host) isLocalhost() bool {
	return h.name == "localhost" || strings.HasSuffix(h.name, ".localhost")
}

// parseHost parses a host as it appears in a request URL or CONNECT
// authority (without port or brackets).
//
// IPv6 literals are parsed by net/netip. A host whose last label is numeric
// (decimal, or hex with 0x) is an IPv4 address and is parsed the way the
// WHATWG URL standard and inet_aton do: 1 to 4 parts, each decimal, octal
// (leading 0) or hex (0x), the last part filling the remaining bytes. So
// 2130706433, 0x7f000001, 0177.0.0.1 and 127.1 all become 127.0.0.1, and a
// numeric host that does not parse (1.2.3.4.5, 256.0.0.1, foo.123) is
// refused rather than handed to a resolver. Anything else must be a valid
// DNS name: labels of [a-z0-9_-], 1..63 bytes each, 253 bytes in all.
func parseHost(s string) (host, error) {
	if s == "" {
		return host{}, fmt.Errorf("%w: empty", ErrInvalidHost)
	}
	if len(s) > 253+1 {
		return host{}, fmt.Errorf("%w: %d bytes", ErrInvalidHost, len(s))
	}
	if strings.Contains(s, ":") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return host{}, fmt.Errorf("%w: %q", ErrInvalidHost, s)
		}
		return host{ip: a}, nil
	}
	s = strings.ToLower(s)
	parts := strings.Split(s, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1] // one trailing dot
	}
	if endsInNumber(parts) {
		a, ok := parseIPv4(parts)
		if !ok {
			return host{}, fmt.Errorf("%w: numeric host %q is not an IPv4 address", ErrInvalidHost, s)
		}
		return host{ip: a}, nil
	}
	for _, l := range parts {
		if !validLabel(l) {
			return host{}, fmt.Errorf("%w: %q", ErrInvalidHost, s)
		}
	}
	name := strings.Join(parts, ".")
	if len(name) > 253 {
		return host{}, fmt.Errorf("%w: %d bytes", ErrInvalidHost, len(name))
	}
	return host{name: name}, nil
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// endsInNumber is the WHATWG "ends in a number" test: the last label is all
// ASCII digits or parses as an IPv4 number (0x-prefixed hex).
func endsInNumber(parts []string) bool {
	last := parts[len(parts)-1]
	if last == "" {
		return false
	}
	if strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok, _ := ipv4Number(last)
	return ok
}

// parseIPv4 is the WHATWG IPv4 parser (the same forms inet_aton accepts).
func parseIPv4(parts []string) (netip.Addr, bool) {
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := parseIPv4Number(p)
		if !ok {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	last := len(nums) - 1
	for _, n := range nums[:last] {
		if n > 255 {
			return netip.Addr{}, false
		}
	}
	if nums[last] >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, false
	}
	v := nums[last]
	for i, n := range nums[:last] {
		v += n << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// parseIPv4Number parses one part: 0x/0X hex (may be empty after the
// prefix), leading-zero octal, or decimal. Values above 2^32-1 fail.
func parseIPv4Number(s string) (uint64, bool) {
	v, ok, overflow := ipv4Number(s)
	return v, ok && !overflow
}

// ipv4Number reports whether s is syntactically an IPv4 number, its value,
// and whether that value overflowed 2^32-1 (a syntactically valid number
// that is too large still makes a host "end in a number").
func ipv4Number(s string) (v uint64, ok, overflow bool) {
	if s == "" {
		return 0, false, false
	}
	base := uint64(10)
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, s = 16, s[2:]
	case len(s) >= 2 && s[0] == '0':
		base, s = 8, s[1:]
	}
	for i := 0; i < len(s); i++ {
		d, isDigit := digit(s[i])
		if !isDigit || d >= base {
			return 0, false, false
		}
		if !overflow {
			v = v*base + d
			overflow = v > 0xFFFFFFFF
		}
	}
	return v, true, overflow
}

func digit(c byte) (uint64, bool) {
	switch {
	case '0' <= c && c <= '9':
		return uint64(c - '0'), true
	case 'a' <= c && c <= 'f':
		return uint64(c-'a') + 10, true
	case 'A' <= c && c <= 'F':
		return uint64(c-'A') + 10, true
	}
	return 0, false
}

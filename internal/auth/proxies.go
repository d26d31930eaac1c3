package auth

import (
	"fmt"
	"net/netip"
	"strings"
)

// maxForwardedHops bounds how many X-Forwarded-For entries Client reads,
// from the right: a chain of trusted proxies longer than that is a
// misconfiguration or an attack, and is cut short.
const maxForwardedHops = 16

// Proxies are the load balancers and reverse proxies in front of the server
// whose X-Forwarded-For is believed. A nil *Proxies trusts no one.
type Proxies struct {
	prefixes []netip.Prefix
}

// ParseProxies reads CIDR prefixes ("10.0.0.0/8", "2001:db8::/32") or
// single addresses ("192.0.2.7"), and reports every bad entry at once. An
// empty list returns nil: trust no one.
func ParseProxies(list []string) (*Proxies, error) {
	var (
		p    Proxies
		errs []string
	)
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if strings.Contains(s, "/") {
			pfx, err := netip.ParsePrefix(s)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%q is not a CIDR prefix like 10.0.0.0/8 or 2001:db8::/32", s))
				continue
			}
			if pfx.Addr().Is4In6() {
				// ::ffff:10.0.0.0/104 means 10.0.0.0/8: peers are unmapped.
				if pfx.Bits() < 96 {
					errs = append(errs, fmt.Sprintf("%q: an IPv4-mapped prefix needs at least 96 bits", s))
					continue
				}
				pfx = netip.PrefixFrom(pfx.Addr().Unmap(), pfx.Bits()-96)
			}
			p.prefixes = append(p.prefixes, pfx.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%q is not an IP address or CIDR prefix", s))
			continue
		}
		a = a.Unmap().WithZone("")
		p.prefixes = append(p.prefixes, netip.PrefixFrom(a, a.BitLen()))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("trusted proxies: %s", strings.Join(errs, "; "))
	}
	if len(p.prefixes) == 0 {
		return nil, nil
	}
	return &p, nil
}

// Len returns how many prefixes are trusted.
func (p *Proxies) Len() int {
	if p == nil {
		return 0
	}
	return len(p.prefixes)
}

// Trusted reports whether a is one of the proxies.
func (p *Proxies) Trusted(a netip.Addr) bool {
	if p == nil || !a.IsValid() {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, pfx := range p.prefixes {
		if pfx.Contains(a) {
			return true
		}
	}
	return false
}

// Client returns the address a call comes from. It is peer (the address
// the connection comes from) unless peer is a trusted proxy; then it is the
// rightmost X-Forwarded-For entry that is not itself a trusted proxy: each
// proxy appends the address it was reached from, so entries left of the
// first untrusted one may be forged by the client and are ignored.
// forwardedFor holds the header's values in the order received (several
// headers read as one list, joined by commas).
//
// An entry that is not an address (a name, "unknown", garbage) stops the
// walk: the call is counted under the last trusted proxy seen, so that a
// client cannot make itself anonymous with junk. Entries may carry a port
// ("192.0.2.1:1234", "[2001:db8::1]:443"). At most 16 entries are read.
func (p *Proxies) Client(peer netip.Addr, forwardedFor []string) netip.Addr {
	client := peer.Unmap()
	hops := 0
	for i := len(forwardedFor) - 1; i >= 0; i-- {
		rest := forwardedFor[i]
		for {
			if !p.Trusted(client) || hops == maxForwardedHops {
				return client
			}
			var entry string
			if j := strings.LastIndexByte(rest, ','); j >= 0 {
				rest, entry = rest[:j], rest[j+1:]
			} else {
				rest, entry = "", rest
			}
			entry = strings.TrimSpace(entry)
			if entry == "" {
				if rest == "" {
					break // an empty header, or the end of this one
				}
				continue // "a,,b": skip the empty element
			}
			hops++
			a, ok := parseForwarded(entry)
			if !ok {
				return client
			}
			client = a
			if rest == "" {
				break
			}
		}
	}
	return client
}

// parseForwarded reads one X-Forwarded-For entry: an address, with or
// without a port, IPv6 with or without brackets.
func parseForwarded(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil {
			return a.Unmap().WithZone(""), true
		}
	}
	return netip.Addr{}, false
}

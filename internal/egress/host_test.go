package egress

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestParseHost(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical IP or name; "" = ErrInvalidHost
	}{
		{"example.com", "example.com"},
		{"Example.COM.", "example.com"},
		{"xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"_dmarc.example", "_dmarc.example"},
		{"a1.b2", "a1.b2"},
		{"127.0.0.1", "127.0.0.1"},
		{"127.0.0.1.", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"},
		{"0X7F000001", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"0177.0.0.01", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"0x7f.1", "127.0.0.1"},
		{"0x7f.0.0.0x1", "127.0.0.1"},
		{"10.0.0.1", "10.0.0.1"},
		{"012.0.0.1", "10.0.0.1"},
		{"167772161", "10.0.0.1"},
		{"0", "0.0.0.0"},
		{"0x", "0.0.0.0"},
		{"4294967295", "255.255.255.255"},
		{"::1", "::1"},
		{"::ffff:127.0.0.1", "::ffff:127.0.0.1"},
		{"fe80::1", "fe80::1"},
		{"", ""},
		{".", ""},
		{"..", ""},
		{"a..b", ""},
		{"-", "-"},
		{"4294967296", ""},
		{"256.0.0.1", ""},
		{"1.2.3.4.5", ""},
		{"1.2.3.256", ""},
		{"1.2.65536", ""},
		{"08.0.0.1", ""}, // invalid octal
		{"0x1g", "0x1g"}, // does not end in a number: a DNS name
		{"foo.123", ""},  // ends in a number but is no address
		{"foo.0x10", ""}, // same
		{"1.2.3.4.", "1.2.3.4"},
		{"fe80::1%eth0", ""}, // zones refused
		{"ex ample.com", ""},
		{"exa%mple.com", ""},
		{"exa/mple.com", ""},
		{"ünïcode.example", ""},
		{strings.Repeat("a", 64) + ".com", ""},
		{strings.Repeat("a.", 127) + "com", ""},
	}
	for _, tt := range tests {
		h, err := parseHost(tt.in)
		got := h.String()
		if err != nil {
			got = ""
			if !errors.Is(err, ErrInvalidHost) {
				t.Errorf("parseHost(%q) error %v is not ErrInvalidHost", tt.in, err)
			}
		}
		if got != tt.want {
			t.Errorf("parseHost(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// nonPublic is an oracle built from net/netip's own predicates and the
// RFC ranges, independent of the policy tables.
func nonPublic(a netip.Addr) bool {
	a = a.WithZone("").Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() || a.IsMulticast() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() || !a.IsGlobalUnicast() {
		return true
	}
	for _, s := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "198.18.0.0/15", "240.0.0.0/4",
		"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
		"64:ff9b::/96", "2002::/16", "2001::/32", "2001:db8::/32",
	} {
		if netip.MustParsePrefix(s).Contains(a) {
			return true
		}
	}
	return a.Is6() && !netip.MustParsePrefix("2000::/3").Contains(a)
}

func FuzzParseHost(f *testing.F) {
	for _, s := range []string{
		"example.com", "127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.1",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "10.0.0.1", "169.254.169.254", "0", "0x",
		"1.2.3.4.5", "foo.123", "fe80::1%lo", "64:ff9b::a00:1", "0x7f.1", "localhost", "a.b.",
		"0000000000000000177.1", "0x00000000000007f.1", "017777777777",
	} {
		f.Add(s)
	}
	var pol Policy
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseHost(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidHost) {
				t.Fatalf("parseHost(%q) error %v is not ErrInvalidHost", s, err)
			}
			return
		}
		if h.ip.IsValid() == (h.name != "") {
			t.Fatalf("parseHost(%q) = %+v: want exactly one of ip, name", s, h)
		}
		if h.ip.IsValid() {
			if h.ip.Zone() != "" {
				t.Fatalf("parseHost(%q) = %v: zone accepted", s, h.ip)
			}
			// Canonical literals parse to themselves.
			if a, err := netip.ParseAddr(s); err == nil && a != h.ip {
				t.Fatalf("parseHost(%q) = %v, netip.ParseAddr = %v", s, h.ip, a)
			}
			// Never allow a non-public address, whatever the spelling.
			if nonPublic(h.ip) && pol.CheckAddr(h.ip) == nil {
				t.Fatalf("parseHost(%q) = %v: non-public address allowed", s, h.ip)
			}
			return
		}
		// A name is never something a resolver could read as an address.
		if _, err := netip.ParseAddr(h.name); err == nil {
			t.Fatalf("parseHost(%q) = name %q that is an IP literal", s, h.name)
		}
		labels := strings.Split(h.name, ".")
		if last := labels[len(labels)-1]; strings.Trim(last, "0123456789") == "" ||
			strings.HasPrefix(last, "0x") && strings.Trim(last[2:], "0123456789abcdef") == "" {
			t.Fatalf("parseHost(%q) = name %q whose last label is numeric", s, h.name)
		}
		if strings.Trim(h.name, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != "" {
			t.Fatalf("parseHost(%q) = name %q with invalid characters", s, h.name)
		}
	})
}

func FuzzCheckAddr(f *testing.F) {
	for _, s := range []string{
		"127.0.0.1", "::1", "::ffff:127.0.0.1", "10.0.0.1", "169.254.169.254", "64:ff9b::a00:1",
		"2002:a00:1::", "2001::1", "8.8.8.8", "2606:4700::1", "fd00:ec2::254", "::",
	} {
		f.Add(netip.MustParseAddr(s).AsSlice(), uint16(443))
	}
	var pol Policy
	nat := Policy{AllowNAT64: true}
	f.Fuzz(func(t *testing.T, b []byte, port uint16) {
		a, ok := netip.AddrFromSlice(b)
		if !ok {
			return
		}
		addr := netip.AddrPortFrom(a, port).String()
		err := pol.Check("tcp", addr, nil)
		if nonPublic(a) && err == nil {
			t.Fatalf("Check(%s) allowed a non-public address", addr)
		}
		if a.Is4() {
			m := netip.AddrFrom16(a.As16()) // ::ffff:a.b.c.d
			if pol.classify(m) != pol.classify(a) {
				t.Fatalf("classify(%s) = %q, classify(%s) = %q: mapped form judged differently",
					m, pol.classify(m), a, pol.classify(a))
			}
		}
		// With AllowNAT64, a NAT64 address passes only if its IPv4 does.
		if a.Is6() && netip.MustParsePrefix("64:ff9b::/96").Contains(a) && nat.classify(a) == "" {
			b16 := a.As16()
			v4 := netip.AddrFrom4([4]byte(b16[12:]))
			if nonPublic(v4) {
				t.Fatalf("AllowNAT64 classify(%s) allowed embedded %s", a, v4)
			}
		}
	})
}

package auth

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseProxies(t *testing.T) {
	p, err := ParseProxies([]string{"10.0.0.0/8", " 192.0.2.7 ", "2001:db8::/32", "::ffff:172.16.0.0/108", ""})
	if err != nil {
		t.Fatalf("ParseProxies: %v", err)
	}
	if p.Len() != 4 {
		t.Errorf("Len() = %d, want 4", p.Len())
	}
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"10.1.2.3", true},
		{"::ffff:10.1.2.3", true}, // a dual-stack listener's view of an IPv4 peer
		{"11.0.0.1", false},
		{"192.0.2.7", true},
		{"192.0.2.8", false},
		{"2001:db8:1::5", true},
		{"2001:db9::5", false},
		{"172.16.9.9", true},
		{"172.32.0.1", false},
	} {
		if got := p.Trusted(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("Trusted(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}

	if p, err := ParseProxies(nil); p != nil || err != nil {
		t.Errorf("ParseProxies(nil) = %v, %v, want nil, nil", p, err)
	}
	_, err = ParseProxies([]string{"10.0.0.0/33", "lb.internal", "10.0.0.1"})
	if err == nil || !strings.Contains(err.Error(), "10.0.0.0/33") || !strings.Contains(err.Error(), "lb.internal") {
		t.Errorf("ParseProxies(bad) = %v, want an error naming both bad entries", err)
	}
}

func TestProxiesClient(t *testing.T) {
	p, err := ParseProxies([]string{"10.0.0.0/8", "2001:db8:ffff::/48"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		peer string
		xff  []string
		want string
	}{
		{"no header", "10.0.0.5", nil, "10.0.0.5"},
		{"untrusted peer: header ignored", "198.51.100.9", []string{"203.0.113.1"}, "198.51.100.9"},
		{"trusted peer", "10.0.0.5", []string{"203.0.113.1"}, "203.0.113.1"},
		{"forged left entries ignored", "10.0.0.5", []string{"1.1.1.1, 203.0.113.1"}, "203.0.113.1"},
		{"chain of trusted proxies", "10.0.0.5", []string{"1.1.1.1, 203.0.113.1, 10.9.9.9, 10.0.0.6"}, "203.0.113.1"},
		{"several headers read as one list", "10.0.0.5", []string{"1.1.1.1, 203.0.113.1", "10.9.9.9"}, "203.0.113.1"},
		{"only proxies: the leftmost", "10.0.0.5", []string{"10.1.1.1, 10.2.2.2"}, "10.1.1.1"},
		{"junk stops the walk at the last proxy", "10.0.0.5", []string{"203.0.113.1, unknown"}, "10.0.0.5"},
		{"junk beyond the client is not read", "10.0.0.5", []string{"garbage, 203.0.113.1"}, "203.0.113.1"},
		{"empty elements skipped", "10.0.0.5", []string{"203.0.113.1,, "}, "203.0.113.1"},
		{"empty header", "10.0.0.5", []string{""}, "10.0.0.5"},
		{"port", "10.0.0.5", []string{"203.0.113.1:5555"}, "203.0.113.1"},
		{"IPv6 with brackets and port", "10.0.0.5", []string{"[2001:db8:1::7]:443"}, "2001:db8:1::7"},
		{"IPv6 in brackets", "10.0.0.5", []string{"[2001:db8:1::7]"}, "2001:db8:1::7"},
		{"IPv6 proxy", "2001:db8:ffff::1", []string{"2001:db8:1::7"}, "2001:db8:1::7"},
		{"mapped peer", "::ffff:10.0.0.5", []string{"203.0.113.1"}, "203.0.113.1"},
		{"mapped entry", "10.0.0.5", []string{"::ffff:203.0.113.1"}, "203.0.113.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := p.Client(netip.MustParseAddr(tc.peer), tc.xff)
			if want := netip.MustParseAddr(tc.want); got != want {
				t.Errorf("Client(%s, %q) = %v, want %v", tc.peer, tc.xff, got, want)
			}
		})
	}
}

func TestProxiesClientBoundsTheWalk(t *testing.T) {
	p, err := ParseProxies([]string{"10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	hops := []string{"203.0.113.1"}
	for range 40 {
		hops = append(hops, "10.0.0.1")
	}
	got := p.Client(netip.MustParseAddr("10.0.0.5"), []string{strings.Join(hops, ", ")})
	if !p.Trusted(got) {
		t.Errorf("Client(40 proxies deep) = %v, want the walk cut short at a proxy", got)
	}
}

func TestNilProxiesTrustNoOne(t *testing.T) {
	var p *Proxies
	peer := netip.MustParseAddr("10.0.0.5")
	if got := p.Client(peer, []string{"203.0.113.1"}); got != peer {
		t.Errorf("nil Proxies: Client = %v, want the peer %v", got, peer)
	}
}

func FuzzProxiesClient(f *testing.F) {
	f.Add("10.0.0.5", "1.1.1.1, 203.0.113.1, 10.0.0.6")
	f.Add("10.0.0.5", "[2001:db8::1]:80,,unknown")
	p, err := ParseProxies([]string{"10.0.0.0/8"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, peer, xff string) {
		a, err := netip.ParseAddr(peer)
		if err != nil {
			return
		}
		got := p.Client(a, []string{xff})
		if !p.Trusted(a) {
			if got != a.Unmap() {
				t.Errorf("Client(untrusted %s, %q) = %v, want the peer", a, xff, got)
			}
			return
		}
		// Otherwise the answer is the peer or an entry of the header.
		if got == a.Unmap() {
			return
		}
		for _, e := range strings.Split(xff, ",") {
			if b, ok := parseForwarded(strings.TrimSpace(e)); ok && b == got {
				return
			}
		}
		t.Errorf("Client(%s, %q) = %v, neither the peer nor an entry of the header", a, xff, got)
	})
}

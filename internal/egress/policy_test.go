package egress

import (
	"errors"
	"net"
	"net/netip"
	"testing"
)

func TestPolicyClassify(t *testing.T) {
	tests := []struct {
		addr string
		want Reason // "" = allowed
	}{
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"2606:4700:4700::1111", ""},
		{"::ffff:8.8.8.8", ""},
		{"127.0.0.1", ReasonLoopback},
		{"127.255.255.254", ReasonLoopback},
		{"::1", ReasonLoopback},
		{"::ffff:127.0.0.1", ReasonLoopback},
		{"0.0.0.0", ReasonUnspecified},
		{"0.1.2.3", ReasonUnspecified},
		{"::", ReasonUnspecified},
		{"10.0.0.1", ReasonPrivate},
		{"172.16.0.1", ReasonPrivate},
		{"172.31.255.255", ReasonPrivate},
		{"192.168.1.1", ReasonPrivate},
		{"::ffff:10.0.0.1", ReasonPrivate},
		{"fc00::1", ReasonPrivate},
		{"fd12:3456::1", ReasonPrivate},
		{"169.254.169.254", ReasonMetadata},
		{"169.254.170.2", ReasonMetadata},
		{"fd00:ec2::254", ReasonMetadata},
		{"169.254.1.1", ReasonLinkLocal},
		{"fe80::1", ReasonLinkLocal},
		{"100.64.0.1", ReasonCGNAT},
		{"100.127.255.255", ReasonCGNAT},
		{"198.18.0.1", ReasonBenchmarking},
		{"198.19.255.255", ReasonBenchmarking},
		{"2001:2::1", ReasonBenchmarking},
		{"192.0.2.1", ReasonDocumentation},
		{"198.51.100.1", ReasonDocumentation},
		{"203.0.113.1", ReasonDocumentation},
		{"2001:db8::1", ReasonDocumentation},
		{"224.0.0.1", ReasonMulticast},
		{"239.255.255.250", ReasonMulticast},
		{"ff02::1", ReasonMulticast},
		{"255.255.255.255", ReasonBroadcast},
		{"240.0.0.1", ReasonReserved},
		{"192.0.0.8", ReasonReserved},
		{"::127.0.0.1", ReasonIPv4Compatible},
		{"::10.0.0.1", ReasonIPv4Compatible},
		{"64:ff9b::a00:1", ReasonNAT64},   // 10.0.0.1
		{"64:ff9b::808:808", ReasonNAT64}, // 8.8.8.8: denied unless AllowNAT64
		{"64:ff9b:1::a00:1", ReasonNAT64}, // local-use NAT64
		{"2002:a00:1::", Reason6to4},      // 10.0.0.1
		{"2002:7f00:1::1", Reason6to4},    // 127.0.0.1
		{"2001:0:4136:e378::1", ReasonTeredo},
		{"fec0::1", ReasonReserved},
		{"100::1", ReasonReserved},
		{"4000::1", ReasonReserved},      // outside 2000::/3 (ssrf backstop)
		{"192.31.196.1", ReasonReserved}, // AS112 (ssrf backstop)
	}
	var p Policy
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			a := netip.MustParseAddr(tt.addr)
			if got := p.classify(a); got != tt.want {
				t.Errorf("classify(%s) = %q, want %q", tt.addr, got, tt.want)
			}
			err := p.CheckAddr(a)
			if (err == nil) != (tt.want == "") {
				t.Fatalf("CheckAddr(%s) = %v, want reason %q", tt.addr, err, tt.want)
			}
			if err != nil && (!errors.Is(err, ErrDeniedAddress) || ReasonOf(err) != tt.want) {
				t.Errorf("CheckAddr(%s) = %v, want ErrDeniedAddress with reason %q", tt.addr, err, tt.want)
			}
		})
	}
}

func TestPolicyOptions(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		addr   string
		want   Reason
	}{
		{"loopback v4", Policy{AllowLoopback: true}, "127.0.0.1", ""},
		{"loopback v6", Policy{AllowLoopback: true}, "::1", ""},
		{"loopback mapped", Policy{AllowLoopback: true}, "::ffff:127.0.0.1", ""},
		{"loopback keeps private denied", Policy{AllowLoopback: true}, "10.0.0.1", ReasonPrivate},
		{"loopback keeps metadata denied", Policy{AllowLoopback: true}, "169.254.169.254", ReasonMetadata},
		{"loopback keeps 6to4 denied", Policy{AllowLoopback: true}, "2002:7f00:1::1", Reason6to4},
		{"loopback keeps nat64 denied", Policy{AllowLoopback: true, AllowNAT64: true}, "64:ff9b::7f00:1", ReasonLoopback},
		{"private v4", Policy{AllowPrivate: true}, "192.168.1.1", ""},
		{"private ula", Policy{AllowPrivate: true}, "fd12::1", ""},
		{"private keeps v4 metadata denied", Policy{AllowPrivate: true}, "169.254.169.254", ReasonMetadata},
		{"private keeps v6 metadata denied", Policy{AllowPrivate: true}, "fd00:ec2::254", ReasonMetadata},
		{"private keeps loopback denied", Policy{AllowPrivate: true}, "127.0.0.1", ReasonLoopback},
		{"private keeps cgnat denied", Policy{AllowPrivate: true}, "100.64.0.1", ReasonCGNAT},
		{"nat64 public", Policy{AllowNAT64: true}, "64:ff9b::808:808", ""},
		{"nat64 private", Policy{AllowNAT64: true, AllowPrivate: true}, "64:ff9b::a00:1", ReasonPrivate},
		{"nat64 metadata", Policy{AllowNAT64: true}, "64:ff9b::a9fe:a9fe", ReasonMetadata},
		{"nat64 local-use", Policy{AllowNAT64: true}, "64:ff9b:1::808:808", ReasonNAT64},
		{"deny prefix", Policy{Deny: []netip.Prefix{netip.MustParsePrefix("8.8.8.0/24")}}, "8.8.8.8", ReasonDeniedPrefix},
		{"deny prefix mapped", Policy{Deny: []netip.Prefix{netip.MustParsePrefix("8.8.8.0/24")}}, "::ffff:8.8.8.8", ReasonDeniedPrefix},
		{"deny beats allow", Policy{AllowPrivate: true, Deny: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, "10.1.2.3", ReasonDeniedPrefix},
		{"deny via nat64", Policy{AllowNAT64: true, Deny: []netip.Prefix{netip.MustParsePrefix("8.8.8.0/24")}}, "64:ff9b::808:808", ReasonDeniedPrefix},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.policy.classify(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Errorf("classify(%s) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}

func TestPolicyCheck(t *testing.T) {
	var p Policy
	tests := []struct {
		network, address string
		want             error
	}{
		{"tcp4", "8.8.8.8:443", nil},
		{"tcp6", "[2606:4700:4700::1111]:80", nil},
		{"tcp4", "8.8.8.8:8443", nil},
		{"tcp4", "8.8.8.8:22", ErrDeniedPort},
		{"tcp4", "8.8.8.8:0", ErrDeniedPort},
		{"udp4", "8.8.8.8:443", ErrDeniedNetwork},
		{"tcp4", "10.0.0.1:443", ErrDeniedAddress},
		{"tcp6", "[::ffff:127.0.0.1]:80", ErrDeniedAddress},
		{"tcp6", "[fe80::1%eth0]:80", ErrDeniedAddress},
		{"tcp4", "localhost:80", ErrInvalidHost},
	}
	for _, tt := range tests {
		err := p.Check(tt.network, tt.address, nil)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("Check(%q, %q) = %v, want %v", tt.network, tt.address, err, tt.want)
		}
	}
}

// TestPolicyCheckAsDialerControl shows Check refusing a real dial before
// connect: the loopback listener never sees a connection.
func TestPolicyCheckAsDialerControl(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan struct{}, 10)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- struct{}{}
			c.Close()
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port

	deny := Policy{AllowedPorts: []int{port}}
	d := net.Dialer{Control: deny.Check}
	if c, err := d.Dial("tcp", l.Addr().String()); err == nil {
		c.Close()
		t.Fatalf("Dial(%s) with default policy succeeded, want refused", l.Addr())
	} else if !errors.Is(err, ErrDeniedAddress) || ReasonOf(err) != ReasonLoopback {
		t.Fatalf("Dial(%s) = %v, want ErrDeniedAddress (loopback)", l.Addr(), err)
	}

	allow := Policy{AllowLoopback: true, AllowedPorts: []int{port}}
	d = net.Dialer{Control: allow.Check}
	c, err := d.Dial("tcp4", l.Addr().String())
	if err != nil {
		t.Fatalf("Dial(%s) with AllowLoopback = %v, want success", l.Addr(), err)
	}
	c.Close()
	<-accepted
	select {
	case <-accepted:
		t.Fatal("listener accepted a connection the policy refused")
	default:
	}
}

func BenchmarkPolicyCheck(b *testing.B) {
	var p Policy
	for b.Loop() {
		_ = p.Check("tcp6", "[2606:4700:4700::1111]:443", nil)
		_ = p.Check("tcp4", "10.0.0.1:443", nil)
	}
}

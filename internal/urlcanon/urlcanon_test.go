package urlcanon

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
)

// safeBrowsingExamples is every canonicalisation example of the Safe Browsing
// v4 documentation ("URLs and Hashing", Canonicalization), in its order.
var safeBrowsingExamples = []struct{ in, want string }{
	{"http://host/%25%32%35", "http://host/%25"},
	{"http://host/%25%32%35%25%32%35", "http://host/%25%25"},
	{"http://host/%2525252525252525", "http://host/%25"},
	{"http://host/asdf%25%32%35asd", "http://host/asdf%25asd"},
	{"http://host/%%%25%32%35asd%%", "http://host/%25%25%25asd%25%25"},
	{"http://www.google.com/", "http://www.google.com/"},
	{"http://%31%36%38%2e%31%38%38%2e%39%39%2e%32%36/%2E%73%65%63%75%72%65/%77%77%77%2E%65%62%61%79%2E%63%6F%6D/", "http://168.188.99.26/.secure/www.ebay.com/"},
	{"http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/", "http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/"},
	{"http://host%23.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22%252833%252944_55%252B", "http://host%23.com/~a!b@c%23d$e%25f^00&11*22(33)44_55+"},
	{"http://3279880203/blah", "http://195.127.0.11/blah"},
	{"http://www.google.com/blah/..", "http://www.google.com/"},
	{"www.google.com/", "http://www.google.com/"},
	{"www.google.com", "http://www.google.com/"},
	{"http://www.evil.com/blah#frag", "http://www.evil.com/blah"},
	{"http://www.GOOgle.com/", "http://www.google.com/"},
	{"http://www.google.com.../", "http://www.google.com/"},
	{"http://www.google.com/foo\tbar\rbaz\n2", "http://www.google.com/foobarbaz2"},
	{"http://www.google.com/q?", "http://www.google.com/q?"},
	{"http://www.google.com/q?r?", "http://www.google.com/q?r?"},
	{"http://www.google.com/q?r?s", "http://www.google.com/q?r?s"},
	{"http://evil.com/foo#bar#baz", "http://evil.com/foo"},
	{"http://evil.com/foo;", "http://evil.com/foo;"},
	{"http://evil.com/foo?bar;", "http://evil.com/foo?bar;"},
	{"http://\x01\x80.com/", "http://%01%80.com/"},
	{"http://notrailingslash.com", "http://notrailingslash.com/"},
	{"http://www.gotaport.com:1234/", "http://www.gotaport.com/"},
	{"  http://www.google.com/  ", "http://www.google.com/"},
	{"http:// leadingspace.com/", "http://%20leadingspace.com/"},
	{"http://%20leadingspace.com/", "http://%20leadingspace.com/"},
	{"%20leadingspace.com/", "http://%20leadingspace.com/"},
	{"https://www.securesite.com/", "https://www.securesite.com/"},
	{"http://host.com/ab%23cd", "http://host.com/ab%23cd"},
	{"http://host.com//twoslashes?more//slashes", "http://host.com/twoslashes?more//slashes"},
}

func TestCanonicalizeSafeBrowsingExamples(t *testing.T) {
	for _, tc := range safeBrowsingExamples {
		t.Run(tc.in, func(t *testing.T) {
			u, err := Canonicalize(tc.in)
			if err != nil {
				t.Fatalf("Canonicalize(%q) error: %v", tc.in, err)
			}
			if got := u.String(); got != tc.want {
				t.Errorf("Canonicalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCanonicalizeMore(t *testing.T) {
	tests := []struct{ in, want string }{
		// IPv4 in every legal spelling.
		{"http://0xc37f000b/", "http://195.127.0.11/"},
		{"http://0303.0177.0.013/x", "http://195.127.0.11/x"},
		{"http://0xC3.0x7F.0.0xb/", "http://195.127.0.11/"},
		{"http://195.8323083/", "http://195.127.0.11/"},
		{"http://195.127.11/", "http://195.127.0.11/"},
		{"http://127.1/", "http://127.0.0.1/"},
		{"http://0x/", "http://0.0.0.0/"},
		{"http://1.2.3.4./", "http://1.2.3.4/"},
		// Not IPv4: kept as names.
		{"http://1.2.3.256/", "http://1.2.3.256/"},
		{"http://1.2.3.4.5/", "http://1.2.3.4.5/"},
		{"http://4294967296/", "http://4294967296/"},
		{"http://08.1.1.1/", "http://08.1.1.1/"},
		{"http://123.example/", "http://123.example/"},
		// IPv6.
		{"http://[2001:DB8::0:1]/a", "http://[2001:db8::1]/a"},
		{"http://[::1]:8080/", "http://[::1]/"},
		{"http://[fe80::1%25eth0]/", "http://[fe80::1]/"},
		// Scheme, user information, ports.
		{"HTTPS://Example.COM/Path", "https://example.com/Path"},
		{"http://user:pass@example.com/", "http://example.com/"},
		{"http://a@b@example.com:80/", "http://example.com/"},
		{"https://example.com:443/", "https://example.com/"},
		{"example.com:8080/x", "http://example.com/x"},
		{"http:example.com/", "http://example.com/"},
		{"http:///example.com/", "http://example.com/"},
		{"http://example.com?q=1", "http://example.com/?q=1"},
		// Paths.
		{"http://a.com/a/./b/../c", "http://a.com/a/c"},
		{"http://a.com/../../x", "http://a.com/x"},
		{"http://a.com/a/b/.", "http://a.com/a/b/"},
		{"http://a.com/a/%2e%2E/b", "http://a.com/b"},
		{"http://a.com/a//b///", "http://a.com/a/b/"},
		{"http://a.com/a/..?x=/../", "http://a.com/?x=/../"},
		{"http://a.com/%0a%09x", "http://a.com/%0A%09x"},
		{"http://a.com/\xcf\tx\xff", "http://a.com/%CFx%FF"},
		{"http://a.com/caf\u00e9", "http://a.com/caf%C3%A9"},
		{"http://a.com/%c3%a9", "http://a.com/%C3%A9"},
		// Escaped structure becomes structure, as for Safe Browsing.
		{"http://a.com%2fb/c", "http://a.com/b/c"},
		{"http://a.com/b%3Fc", "http://a.com/b?c"},
		// Hosts: IDN to punycode, other bytes escaped.
		{"http://B\u00fccher.example/", "http://xn--bcher-kva.example/"},
		{"http://b%C3%BCcher.example/", "http://xn--bcher-kva.example/"},
		{"http://xn--BCHER-KVA.example/", "http://xn--bcher-kva.example/"},
		{"http://\uff11\uff12\uff17\u3002\uff10\u3002\uff10\u3002\uff11/", "http://127.0.0.1/"},
		{"http://a\u00e9\xff.com/", "http://a%C3%A9%FF.com/"},
		{"http://..a..b../", "http://a.b/"},
		// Backslashes before the query are slashes, as in browsers.
		{"http://evil.example\\@good.example/", "http://evil.example/@good.example/"},
		{"http:\\\\evil.example\\a\\b?x\\y", "http://evil.example/a/b?x\\y"},
		{"http://evil.example%5C@good.example/", "http://evil.example/@good.example/"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			u, err := Canonicalize(tc.in)
			if err != nil {
				t.Fatalf("Canonicalize(%q) error: %v", tc.in, err)
			}
			if got := u.String(); got != tc.want {
				t.Errorf("Canonicalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCanonicalizeErrors(t *testing.T) {
	tests := []struct{ in, wantMsg string }{
		{"", "empty"},
		{"   ", "empty"},
		{"#frag", "empty"},
		{"javascript:alert(1)", `scheme "javascript" is not supported`},
		{"ftp://example.com/", `scheme "ftp" is not supported`},
		{"data:text/html,hi", `scheme "data" is not supported`},
		{"/relative/path", "no host"},
		{"//example.com/", "no host"},
		{"http:///", "no host"},
		{"http://.../", "no host"},
		{"http://user@/", "no host"},
		{"http://example.com:http/", `invalid port "http"`},
		{"http://example.com:99999/", `invalid port "99999"`},
		{"http://[::1/", "no closing ']'"},
		{"http://[1.2.3.4]/", "invalid IPv6 host"},
		{"http://[::1]x/", `unexpected "x" after IPv6 host`},
		{".[", "outside an IPv6 address"},
		{"http://a]b.example/", "outside an IPv6 address"},
		{"http://x.com/" + strings.Repeat("a", MaxLength), "longer than"},
		{"http://x.com/" + strings.Repeat("\xff", MaxLength/3), "canonical form longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.in[:min(len(tc.in), 40)], func(t *testing.T) {
			u, err := Canonicalize(tc.in)
			if err == nil {
				t.Fatalf("Canonicalize(%q) = %q, want error", tc.in, u)
			}
			if !errors.Is(err, ErrInvalidURL) {
				t.Errorf("Canonicalize(%q) error %v does not wrap ErrInvalidURL", tc.in, err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("Canonicalize(%q) error %q, want it to say %q", tc.in, err, tc.wantMsg)
			}
		})
	}
}

func TestURLFields(t *testing.T) {
	u, err := Canonicalize("HTTP://User@WWW.Example.com:81/a/../b?c=%64#e")
	if err != nil {
		t.Fatal(err)
	}
	want := URL{Scheme: "http", Host: "www.example.com", Path: "/b", Query: "c=d", HasQuery: true}
	if u != want {
		t.Errorf("Canonicalize = %#v, want %#v", u, want)
	}
	if u.IsIP() {
		t.Errorf("%q IsIP() = true", u)
	}
	for _, ip := range []string{"http://10.0.0.1/", "http://[::1]/", "http://3279880203/"} {
		u, err := Canonicalize(ip)
		if err != nil {
			t.Fatal(err)
		}
		if !u.IsIP() {
			t.Errorf("%q IsIP() = false", u)
		}
	}
}

// Expression examples from the Safe Browsing documentation, plus the cases
// around them.
func TestExpressions(t *testing.T) {
	tests := []struct {
		url  string
		want []string
	}{
		{"http://a.b.c/1/2.html?param=1", []string{
			"a.b.c/1/2.html?param=1", "a.b.c/1/2.html", "a.b.c/", "a.b.c/1/",
			"b.c/1/2.html?param=1", "b.c/1/2.html", "b.c/", "b.c/1/",
		}},
		{"http://a.b.c.d.e.f.g/1.html", []string{
			"a.b.c.d.e.f.g/1.html", "a.b.c.d.e.f.g/",
			"c.d.e.f.g/1.html", "c.d.e.f.g/",
			"d.e.f.g/1.html", "d.e.f.g/",
			"e.f.g/1.html", "e.f.g/",
			"f.g/1.html", "f.g/",
		}},
		{"http://1.2.3.4/1/", []string{"1.2.3.4/1/", "1.2.3.4/"}},
		{"http://example.co.uk/1", []string{"example.co.uk/1", "example.co.uk/", "co.uk/1", "co.uk/"}},
		{"http://localhost/", []string{"localhost/"}},
		{"http://[::1]/x/y", []string{"[::1]/x/y", "[::1]/", "[::1]/x/"}},
		{"http://www.google.com/q?", []string{"www.google.com/q", "www.google.com/", "google.com/q", "google.com/"}},
		{"http://a.b/1/2/3/4/5/6.html?x", []string{
			"a.b/1/2/3/4/5/6.html?x", "a.b/1/2/3/4/5/6.html", "a.b/", "a.b/1/", "a.b/1/2/", "a.b/1/2/3/",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			u, err := Canonicalize(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			got := Expressions(u)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Expressions(%q) =\n%q\nwant\n%q", tc.url, got, tc.want)
			}
			if got[0] != u.Expression() {
				t.Errorf("Expression(%q) = %q, want the first of Expressions, %q", tc.url, u.Expression(), got[0])
			}
		})
	}
}

func TestExpressionsBound(t *testing.T) {
	u, err := Canonicalize("http://a.b.c.d.e.f.g.h/1/2/3/4/5/6/7/8.html?q=1")
	if err != nil {
		t.Fatal(err)
	}
	got := Expressions(u)
	if len(got) != 30 {
		t.Errorf("Expressions(%q) has %d entries, want 30: %q", u, len(got), got)
	}
	seen := map[string]bool{}
	for _, e := range got {
		if seen[e] {
			t.Errorf("Expressions(%q) repeats %q", u, e)
		}
		seen[e] = true
	}
}

func TestHash(t *testing.T) {
	// SHA-256("abc") from FIPS 180-2.
	want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	h := Hash("abc")
	if got := hex.EncodeToString(h[:]); got != want {
		t.Errorf("Hash(%q) = %s, want %s", "abc", got, want)
	}
	if p := Prefix4(h); hex.EncodeToString(p[:]) != want[:8] {
		t.Errorf("Prefix4 = %x, want %s", p, want[:8])
	}
	if Hash("a.b.c/") != sha256.Sum256([]byte("a.b.c/")) {
		t.Error("Hash differs from sha256.Sum256")
	}
}

func FuzzCanonicalize(f *testing.F) {
	for _, tc := range safeBrowsingExamples {
		f.Add(tc.in)
	}
	for _, s := range []string{
		"http://[::1]:80/a", "http://0x7f.1/", "%%32%35", "http://a/%2", "http://a/b/%2e./c",
		"http://a%2e%2e/", "http://a/%25%32%35%32", "h%74tp://x/", "HTTP:x", "x:1", "http://b\u00fccher.de/",
		"http://\uff21.com/", "http://a/?#", "http://a/.%2e/%2e%2e/b",
	} {
		f.Add(s)
	}
	short := func(s string) string {
		if len(s) > 200 {
			return s[:200] + "..."
		}
		return s
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := Canonicalize(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalidURL) {
				t.Fatalf("Canonicalize(%q) error %v does not wrap ErrInvalidURL", short(raw), err)
			}
			return
		}
		c := u.String()
		u2, err := Canonicalize(c)
		if err != nil {
			t.Fatalf("Canonicalize(%q) = %q, which fails to canonicalise: %.300v", short(raw), short(c), err)
		}
		if u2 != u {
			t.Fatalf("not idempotent: Canonicalize(%q) = %q, Canonicalize(that) = %q", short(raw), short(c), short(u2.String()))
		}
		for i := 0; i < len(c); i++ {
			if mustEscape(c[i]) && c[i] != '%' {
				t.Fatalf("Canonicalize(%q) = %q has unescaped byte %#x", short(raw), short(c), c[i])
			}
		}
		exprs := Expressions(u)
		if len(exprs) == 0 || len(exprs) > 30 || exprs[0] != u.Expression() {
			t.Fatalf("Expressions(%q) = %q", short(c), exprs)
		}
	})
}

// BenchmarkCanonicalize canonicalises a URL that needs every step, and a
// clean one (lower-case host name, clean path) that takes the shortcuts.
func BenchmarkCanonicalize(b *testing.B) {
	for _, bc := range []struct{ name, raw string }{
		{"dirty", "HTTP://Support-Alert.Example.COM:8080/%7Ewin/../alert/index.html?id=0x80070424&n=%2B1%20800#x"},
		{"clean", "https://host-4711.example/path/3/page.html?id=304711"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Canonicalize(bc.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkExpressionHashes(b *testing.B) {
	u, err := Canonicalize("http://a.b.support-alert.example.com/1/2/3/alert.html?id=1")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, e := range Expressions(u) {
			_ = Prefix4(Hash(e))
		}
	}
}

package urlcanon

import (
	"strings"
	"testing"
)

func TestCleanPath(t *testing.T) {
	for _, tc := range []struct {
		p    string
		want bool
	}{
		{"/", true}, {"/a", true}, {"/a/b/", true}, {"/a.b/..c/.d", true},
		{"", false}, {"a", false}, {"//", false}, {"/a//b", false}, {"/.", false}, {"/a/./b", false},
		{"/a/..", false}, {"/../a", false}, {"/a/.", false},
	} {
		if got := cleanPath(tc.p); got != tc.want {
			t.Errorf("cleanPath(%q) = %v, want %v", tc.p, got, tc.want)
		}
		if tc.want && tc.p != "" && resolveSegments(tc.p) != tc.p {
			t.Errorf("cleanPath(%q) is true but the full canonPath changes it to %q", tc.p, resolveSegments(tc.p))
		}
	}
}

// FuzzFastPaths checks the shortcuts against the long way round: canonPath
// against resolveSegments, and parseIPv4's character check against parsing.
func FuzzFastPaths(f *testing.F) {
	for _, s := range []string{"/a/b", "/a//b/", "/./", "/a/../b/.", "0x7f.1", "127.0.0.1", "host-12.example", "0X1.0xFF", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 0 && s[0] == '/' {
			if got, want := canonPath(s), resolveSegments(s); got != want {
				t.Errorf("canonPath(%q) = %q, want %q", s, got, want)
			}
		}
		if !ipv4Chars(s) {
			// The shortcut says "not an address": parsing must agree.
			parts := strings.Split(s, ".")
			if len(parts) > 4 {
				return
			}
			for _, p := range parts {
				if _, ok := parseIPNumber(p); !ok {
					return
				}
			}
			t.Errorf("ipv4Chars(%q) = false, but every part parses as a number", s)
		}
	})
}

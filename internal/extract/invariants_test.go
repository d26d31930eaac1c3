package extract

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scamscope/scamscope/internal/textnorm"
)

// checkInvariants checks what must hold for any Features: fields are valid
// UTF-8 in matching form (line by line for the line-separated fields), and
// every phone and code lies inside its field and reads what was found.
func checkInvariants(t *testing.T, name string, f *Features) {
	t.Helper()
	for i, s := range f.Fields {
		if !utf8.ValidString(s) {
			t.Errorf("%s: field %s is not valid UTF-8", name, Field(i))
		}
		for _, line := range strings.Split(s, "\n") {
			if n := textnorm.Normalize(line); n != line {
				t.Errorf("%s: field %s has a line not in matching form: %.80q, want %.80q", name, Field(i), line, n)
				break
			}
		}
	}
	for _, p := range f.Phones {
		if p.Field >= NumFields || p.Start < 0 || p.End > len(f.Fields[p.Field]) || p.Start >= p.End {
			t.Errorf("%s: phone %+v out of its field (len %d)", name, p, len(f.Fields[p.Field%NumFields]))
			continue
		}
		if got := f.Fields[p.Field][p.Start:p.End]; got != p.Raw {
			t.Errorf("%s: phone %+v: field slice is %q", name, p, got)
		}
		if p.E164 != "" && (!strings.HasPrefix(p.E164, "+") || p.Region == "") {
			t.Errorf("%s: phone %+v: bad E164 or region", name, p)
		}
	}
	for _, c := range f.ErrorCodes {
		if c.Field >= NumFields || c.Start < 0 || c.End > len(f.Fields[c.Field]) || c.Start >= c.End {
			t.Errorf("%s: code %+v out of its field", name, c)
			continue
		}
		got := f.Fields[c.Field][c.Start:c.End]
		if want := strings.ToLower(c.Code); strings.ToLower(got) != want && "0x"+strings.ToLower(got[min(2, len(got)):]) != want {
			t.Errorf("%s: code %+v: field slice is %q", name, c, got)
		}
	}
}

package storekit

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/scamscope/scamscope/internal/verdict"
)

func TestTokenRoundTrip(t *testing.T) {
	f := verdict.Filter{Phone: "+18005550100", Label: verdict.LabelScam, Since: time.Unix(100, 0)}
	at := time.Date(2026, 3, 1, 12, 0, 0, 123000, time.UTC)
	tok := EncodeToken(f, at, "scan-7")
	f.PageSize, f.PageToken = 99, tok // paging fields are not part of the filter
	gotT, gotID, err := DecodeToken(f, tok)
	if err != nil || !gotT.Equal(at) || gotID != "scan-7" {
		t.Errorf("DecodeToken = %v, %q, %v; want %v, scan-7", gotT, gotID, err, at)
	}
	for name, g := range map[string]verdict.Filter{
		"phone": {Phone: "+18005550101", Label: verdict.LabelScam, Since: time.Unix(100, 0)},
		"label": {Phone: "+18005550100", Since: time.Unix(100, 0)},
		"since": {Phone: "+18005550100", Label: verdict.LabelScam},
		// Values that would run together without length prefixes.
		"shifted": {Phone: "+1800555010", ErrorCode: "0", Label: verdict.LabelScam, Since: time.Unix(100, 0)},
	} {
		if _, _, err := DecodeToken(g, tok); !errors.Is(err, verdict.ErrBadPageToken) {
			t.Errorf("%s: DecodeToken with another filter = %v, want ErrBadPageToken", name, err)
		}
	}
	for _, bad := range []string{"", "%%%", tok[:10], "AQ"} {
		if _, _, err := DecodeToken(f, bad); !errors.Is(err, verdict.ErrBadPageToken) {
			t.Errorf("DecodeToken(%q) = %v, want ErrBadPageToken", bad, err)
		}
	}
}

func TestBest(t *testing.T) {
	c := func(l verdict.Label, rank int, name string) Candidate {
		return Candidate{V: verdict.URLVerdict{Label: l, CanonURL: name}, Rank: rank}
	}
	tests := []struct {
		cands []Candidate
		want  string
	}{
		{[]Candidate{c(verdict.LabelClean, 0, "url"), c(verdict.LabelScam, 3, "host")}, "host"},
		{[]Candidate{c(verdict.LabelScam, 5, "far"), c(verdict.LabelScam, 2, "near"), c(verdict.LabelScam, 0, "url")}, "url"},
		{[]Candidate{c(verdict.LabelSuspicious, 4, "b"), c(verdict.LabelSuspicious, 2, "a")}, "a"},
	}
	for _, tc := range tests {
		if got, ok := Best(tc.cands); !ok || got.CanonURL != tc.want {
			t.Errorf("Best(%v) = %q, want %q", tc.cands, got.CanonURL, tc.want)
		}
	}
	if _, ok := Best(nil); ok {
		t.Error("Best(nil) found something")
	}
}

func TestExamples(t *testing.T) {
	at := func(s int) time.Time { return time.Unix(int64(s), 0) }
	got := Examples([]Sighting{
		{"a", at(1)}, {"b", at(5)}, {"a", at(9)}, {"c", at(5)}, {"d", at(2)}, {"e", at(3)}, {"f", at(4)}, {"g", at(0)},
	})
	want := []string{"a", "b", "c", "f", "e"}
	if !slices.Equal(got, want) {
		t.Errorf("Examples = %q, want %q", got, want)
	}
}

func TestUniquePrefixes(t *testing.T) {
	got := UniquePrefixes([][4]byte{{2}, {1}, {2}, {0, 9}})
	want := [][4]byte{{0, 9}, {1}, {2}}
	if !slices.Equal(got, want) {
		t.Errorf("UniquePrefixes = %v, want %v", got, want)
	}
}

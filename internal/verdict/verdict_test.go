package verdict

import (
	"errors"
	"testing"
	"time"

	"github.com/scamscope/scamscope/internal/urlcanon"
)

func TestLabelString(t *testing.T) {
	tests := []struct {
		l     Label
		want  string
		known bool
	}{
		{LabelUnknown, "UNKNOWN", false}, {LabelClean, "CLEAN", true}, {LabelSuspicious, "SUSPICIOUS", true},
		{LabelScam, "SCAM", true}, {Label(9), "Label(9)", false},
	}
	for _, tc := range tests {
		if got := tc.l.String(); got != tc.want {
			t.Errorf("Label(%d).String() = %q, want %q", int(tc.l), got, tc.want)
		}
		if got := tc.l.Known(); got != tc.known {
			t.Errorf("%v.Known() = %v, want %v", tc.l, got, tc.known)
		}
	}
}

func TestLifetimesFor(t *testing.T) {
	d := DefaultLifetimes()
	lt := Lifetimes{Clean: time.Minute} // the others default
	tests := []struct {
		l    Label
		want time.Duration
	}{
		{LabelClean, time.Minute}, {LabelSuspicious, d.Suspicious}, {LabelScam, d.Scam}, {LabelUnknown, 0},
	}
	for _, tc := range tests {
		if got := lt.For(tc.l); got != tc.want {
			t.Errorf("For(%v) = %v, want %v", tc.l, got, tc.want)
		}
	}
}

func validScan() *Scan {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 1500, time.FixedZone("X", 3600))
	return &Scan{
		ID: "s1", URL: "http://Example.com/a", CanonURL: "http://example.com/a", Host: "example.com",
		State: StateDone, CreatedAt: t0, FinishedAt: t0.Add(time.Second), Label: LabelScam, Score: 90,
		Phones: []string{"+18005550100"},
	}
}

func TestValidate(t *testing.T) {
	if err := Validate(validScan()); err != nil {
		t.Fatalf("Validate(valid scan) = %v", err)
	}
	for name, mod := range map[string]func(*Scan){
		"no ID":        func(s *Scan) { s.ID = "" },
		"long ID":      func(s *Scan) { s.ID = string(make([]byte, MaxIDLen+1)) },
		"state":        func(s *Scan) { s.State = "DONE" },
		"label":        func(s *Scan) { s.Label = -1 },
		"canon":        func(s *Scan) { s.CanonURL = "http://example.com/a/../a" },
		"host":         func(s *Scan) { s.Host = "" },
		"bad UTF-8":    func(s *Scan) { s.Error = "\xc3" },
		"long host":    func(s *Scan) { s.CanonURL = ""; s.Host = string(make([]byte, MaxHostLen+1)) },
		"empty rule":   func(s *Scan) { s.RuleIDs = []string{""} },
		"no created":   func(s *Scan) { s.CreatedAt = time.Time{} },
		"no finished":  func(s *Scan) { s.FinishedAt = time.Time{} },
		"NUL in error": func(s *Scan) { s.Error = "a\x00" },
	} {
		s := validScan()
		mod(s)
		if err := Validate(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Validate = %v, want ErrInvalid", name, err)
		}
	}
}

func TestVerdictOf(t *testing.T) {
	s := validScan()
	v, ok := VerdictOf(s, Lifetimes{})
	if !ok {
		t.Fatal("VerdictOf(done SCAM scan) = false")
	}
	fin := Micro(s.FinishedAt)
	want := URLVerdict{CanonURL: s.CanonURL, Hash: urlcanon.Hash("example.com/a"), Label: LabelScam, Score: 90,
		ScanID: "s1", ScannedAt: fin, ExpiresAt: fin.Add(DefaultLifetimes().Scam)}
	if v != want {
		t.Errorf("VerdictOf = %+v, want %+v", v, want)
	}
	if v.ScannedAt.Location() != time.UTC || v.ScannedAt.Nanosecond()%1000 != 0 {
		t.Errorf("ScannedAt = %v, want UTC microseconds", v.ScannedAt)
	}
	for name, mod := range map[string]func(*Scan){
		"running": func(s *Scan) { s.State = StateRunning },
		"unknown": func(s *Scan) { s.Label = LabelUnknown },
		"no URL":  func(s *Scan) { s.CanonURL = "" },
	} {
		s := validScan()
		mod(s)
		if _, ok := VerdictOf(s, Lifetimes{}); ok {
			t.Errorf("%s: VerdictOf = true, want no verdict", name)
		}
	}
}

func TestLive(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v := URLVerdict{ExpiresAt: at}
	if !v.Live(at.Add(-time.Nanosecond)) || v.Live(at) {
		t.Errorf("Live around ExpiresAt wrong: want live strictly before it")
	}
	if !(URLVerdict{}).Live(at.AddDate(100, 0, 0)) {
		t.Error("zero ExpiresAt should never expire")
	}
}

func TestCheckExpression(t *testing.T) {
	for _, ok := range []string{"evil.example/", "a.b.c/1/", "a.b.c/1/2.html?param=1", "1.2.3.4/", "[::1]/x"} {
		if err := CheckExpression(ok); err != nil {
			t.Errorf("CheckExpression(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "evil.example", "http://evil.example/", "EVIL.example/", "evil.example/a/./b", "evil.example:80/"} {
		if err := CheckExpression(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("CheckExpression(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestFilterLimit(t *testing.T) {
	for _, tc := range []struct{ in, want int }{{0, DefaultPageSize}, {-3, DefaultPageSize}, {7, 7}, {MaxPageSize + 1, MaxPageSize}} {
		if got := (Filter{PageSize: tc.in}).Limit(); got != tc.want {
			t.Errorf("Filter{PageSize: %d}.Limit() = %d, want %d", tc.in, got, tc.want)
		}
	}
}

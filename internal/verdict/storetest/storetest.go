// Package storetest is the contract test suite every verdict.Store
// implementation runs: the semantics in the verdict package doc, asserted.
// It uses only the Store interface and the default Lifetimes.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/scamscope/scamscope/internal/urlcanon"
	"github.com/scamscope/scamscope/internal/verdict"
)

// Run runs the suite. open must return a new, empty store opened with the
// default options; the suite closes it (closing twice is tolerated).
func Run(t *testing.T, open func(t *testing.T) verdict.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s verdict.Store)
	}{
		{"PutGetRoundTrip", testRoundTrip},
		{"GetMissing", testGetMissing},
		{"UpdateReplacesIndexes", testUpdate},
		{"VerdictLifetimes", testLifetimes},
		{"NoVerdictUnlessDoneAndKnown", testNoVerdict},
		{"LatestScanWins", testLatestWins},
		{"SearchPrefixes", testSearchPrefixes},
		{"HostVerdicts", testHostVerdicts},
		{"ListScansFilters", testListFilters},
		{"ListScansPaging", testPaging},
		{"ListScansBadToken", testBadToken},
		{"ListScansDefaultPageSize", testDefaultPageSize},
		{"RecentScan", testRecentScan},
		{"Indicators", testIndicators},
		{"Purge", testPurge},
		{"Validation", testValidation},
		{"CanceledContext", testCanceled},
		{"Concurrent", testConcurrent},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
		})
	}
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func canon(t *testing.T, raw string) urlcanon.URL {
	t.Helper()
	u, err := urlcanon.Canonicalize(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// done returns a done scan of raw, created at created and finished 5 s later.
func done(t *testing.T, id, raw string, label verdict.Label, created time.Time) *verdict.Scan {
	u := canon(t, raw)
	return &verdict.Scan{
		ID: id, URL: raw, CanonURL: u.String(), Host: u.Host, Profile: "desktop",
		State: verdict.StateDone, CreatedAt: created, FinishedAt: created.Add(5 * time.Second),
		Label: label, Score: 10 * int(label), RuleSetVersion: "rs-1",
	}
}

func put(t *testing.T, s verdict.Store, scans ...*verdict.Scan) {
	t.Helper()
	for _, sc := range scans {
		if err := s.PutScan(context.Background(), sc); err != nil {
			t.Fatalf("PutScan(%q): %v", sc.ID, err)
		}
	}
}

func ids(scans []*verdict.Scan) []string {
	out := make([]string, len(scans))
	for i, s := range scans {
		out[i] = s.ID
	}
	return out
}

// sameScan compares as stored: times at microsecond precision in UTC, empty
// slices as nil.
func sameScan(got, want *verdict.Scan) error {
	norm := func(s *verdict.Scan) verdict.Scan {
		c := *s
		c.CreatedAt, c.FinishedAt = verdict.Micro(c.CreatedAt), verdict.Micro(c.FinishedAt)
		for _, l := range []*[]string{&c.Phones, &c.ErrorCodes, &c.RuleIDs} {
			if len(*l) == 0 {
				*l = nil
			}
		}
		if len(c.Result) == 0 {
			c.Result = nil
		}
		return c
	}
	g, w := norm(got), norm(want)
	if !g.CreatedAt.Equal(w.CreatedAt) || !g.FinishedAt.Equal(w.FinishedAt) {
		return fmt.Errorf("times (%v, %v), want (%v, %v)", g.CreatedAt, g.FinishedAt, w.CreatedAt, w.FinishedAt)
	}
	g.CreatedAt, g.FinishedAt, w.CreatedAt, w.FinishedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		return fmt.Errorf("got\n%+v\nwant\n%+v", g, w)
	}
	return nil
}

func testRoundTrip(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	u := canon(t, "HTTP://Support-Alert.Example/win/alert.html?id=7")
	want := &verdict.Scan{
		ID: "scan-1", URL: "HTTP://Support-Alert.Example/win/alert.html?id=7", CanonURL: u.String(), Host: u.Host,
		Profile: `desktop {"locale":"fr-FR"}`, State: verdict.StateDone, Error: "",
		CreatedAt: t0.Add(123456789 * time.Nanosecond), FinishedAt: t0.Add(4*time.Second + 999*time.Nanosecond),
		Label: verdict.LabelScam, Score: 97, RuleSetVersion: "sha256:abc",
		Phones: []string{"+18005550199", "+448081234567"}, ErrorCodes: []string{"0x80070424", "268D3"},
		RuleIDs: []string{"brand.microsoft", "lock.fullscreen"}, Result: []byte{0, 1, 2, 255, 0},
	}
	put(t, s, want)
	got, err := s.GetScan(ctx, "scan-1")
	if err != nil {
		t.Fatalf("GetScan: %v", err)
	}
	if err := sameScan(got, want); err != nil {
		t.Errorf("GetScan after PutScan: %v", err)
	}
	if got.CreatedAt.Nanosecond()%1000 != 0 || got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want UTC at microsecond precision", got.CreatedAt)
	}
	// A queued scan with nothing optional.
	q := &verdict.Scan{ID: "scan-2", URL: "not a url", State: verdict.StateQueued, CreatedAt: t0}
	put(t, s, q)
	got, err = s.GetScan(ctx, "scan-2")
	if err != nil {
		t.Fatalf("GetScan: %v", err)
	}
	if err := sameScan(got, q); err != nil {
		t.Errorf("GetScan(queued): %v", err)
	}
	if !got.FinishedAt.IsZero() {
		t.Errorf("FinishedAt = %v, want zero", got.FinishedAt)
	}
}

func testGetMissing(t *testing.T, s verdict.Store) {
	if _, err := s.GetScan(context.Background(), "nope"); !errors.Is(err, verdict.ErrNotFound) {
		t.Errorf("GetScan(missing) error = %v, want ErrNotFound", err)
	}
}

func testUpdate(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	sc := &verdict.Scan{ID: "a", URL: "http://one.example/", State: verdict.StateQueued, CreatedAt: t0}
	u := canon(t, sc.URL)
	sc.CanonURL, sc.Host = u.String(), u.Host
	put(t, s, sc)
	sc.State, sc.Phones, sc.RuleIDs = verdict.StateRunning, []string{"+18005550100"}, []string{"r.old"}
	put(t, s, sc)
	// Even the creation time may change: the scan moves in time order.
	d := done(t, "a", "http://two.example/x", verdict.LabelScam, t0.Add(time.Minute))
	d.Phones, d.RuleIDs = []string{"+18005550111"}, []string{"r.new"}
	put(t, s, d)

	got, err := s.GetScan(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if err := sameScan(got, d); err != nil {
		t.Errorf("after update: %v", err)
	}
	for _, c := range []struct {
		f    verdict.Filter
		want []string
	}{
		{verdict.Filter{Phone: "+18005550100"}, nil},
		{verdict.Filter{Phone: "+18005550111"}, []string{"a"}},
		{verdict.Filter{RuleID: "r.old"}, nil},
		{verdict.Filter{RuleID: "r.new"}, []string{"a"}},
		{verdict.Filter{Host: "one.example"}, nil},
		{verdict.Filter{Host: "two.example"}, []string{"a"}},
		{verdict.Filter{Label: verdict.LabelScam}, []string{"a"}},
		{verdict.Filter{}, []string{"a"}},
		{verdict.Filter{Until: t0.Add(time.Second)}, nil},
		{verdict.Filter{Since: t0.Add(time.Second)}, []string{"a"}},
	} {
		list, _, err := s.ListScans(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(list); !slices.Equal(got, c.want) {
			t.Errorf("ListScans(%+v) = %q, want %q", c.f, got, c.want)
		}
	}
}

func testLifetimes(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	lt := verdict.DefaultLifetimes()
	for _, c := range []struct {
		label verdict.Label
		life  time.Duration
	}{
		{verdict.LabelClean, lt.Clean},
		{verdict.LabelSuspicious, lt.Suspicious},
		{verdict.LabelScam, lt.Scam},
	} {
		raw := "http://" + c.label.String() + ".example/page"
		sc := done(t, "id-"+c.label.String(), raw, c.label, t0)
		put(t, s, sc)
		cu := sc.CanonURL
		v, err := s.LookupURL(ctx, cu, sc.FinishedAt.Add(c.life-time.Microsecond))
		if err != nil {
			t.Fatalf("LookupURL(%q) just before expiry: %v", cu, err)
		}
		u := canon(t, cu)
		want := verdict.URLVerdict{
			CanonURL: cu, Hash: urlcanon.Hash(u.Expression()), Label: c.label, Score: sc.Score, ScanID: sc.ID,
			ScannedAt: sc.FinishedAt, ExpiresAt: sc.FinishedAt.Add(c.life),
		}
		if !sameVerdict(*v, want) {
			t.Errorf("LookupURL(%q) = %+v, want %+v", cu, *v, want)
		}
		if _, err := s.LookupURL(ctx, cu, sc.FinishedAt.Add(c.life)); !errors.Is(err, verdict.ErrNotFound) {
			t.Errorf("LookupURL(%q) at expiry error = %v, want ErrNotFound", cu, err)
		}
	}
	if lt.Clean >= lt.Suspicious || lt.Suspicious >= lt.Scam {
		t.Errorf("DefaultLifetimes() = %+v, want CLEAN < SUSPICIOUS < SCAM", lt)
	}
}

func sameVerdict(a, b verdict.URLVerdict) bool {
	return a.CanonURL == b.CanonURL && a.Hash == b.Hash && a.Label == b.Label && a.Score == b.Score &&
		a.ScanID == b.ScanID && a.ScannedAt.Equal(b.ScannedAt) && a.ExpiresAt.Equal(b.ExpiresAt)
}

func testNoVerdict(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	cases := map[string]func(*verdict.Scan){
		"queued":  func(sc *verdict.Scan) { sc.State, sc.FinishedAt = verdict.StateQueued, time.Time{} },
		"running": func(sc *verdict.Scan) { sc.State, sc.FinishedAt = verdict.StateRunning, time.Time{} },
		"failed":  func(sc *verdict.Scan) { sc.State, sc.Error = verdict.StateFailed, "navigation timeout" },
		"unknown": func(sc *verdict.Scan) { sc.Label = verdict.LabelUnknown },
	}
	for name, mod := range cases {
		sc := done(t, name, "http://"+name+".example/", verdict.LabelScam, t0)
		mod(sc)
		put(t, s, sc)
		if v, err := s.LookupURL(ctx, sc.CanonURL, t0.Add(time.Minute)); !errors.Is(err, verdict.ErrNotFound) {
			t.Errorf("%s scan: LookupURL = %+v, %v; want ErrNotFound", name, v, err)
		}
	}
	if _, err := s.LookupURL(ctx, "http://never.example/", t0); !errors.Is(err, verdict.ErrNotFound) {
		t.Errorf("LookupURL(unknown URL) error = %v, want ErrNotFound", err)
	}
}

func testLatestWins(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	now := t0.Add(time.Minute)
	a := done(t, "a", "http://x.example/", verdict.LabelScam, t0.Add(10*time.Second))
	b := done(t, "b", "http://x.example/", verdict.LabelClean, t0) // finished earlier, stored later
	put(t, s, a, b)
	if v, err := s.LookupURL(ctx, a.CanonURL, now); err != nil || v.ScanID != "a" || v.Label != verdict.LabelScam {
		t.Errorf("LookupURL after an older scan = %+v, %v; want scan a, SCAM", v, err)
	}
	c := done(t, "c", "http://x.example/", verdict.LabelClean, t0.Add(20*time.Second))
	put(t, s, c)
	if v, err := s.LookupURL(ctx, a.CanonURL, now); err != nil || v.ScanID != "c" || v.Label != verdict.LabelClean {
		t.Errorf("LookupURL after a newer scan = %+v, %v; want scan c, CLEAN", v, err)
	}
	// The newer verdict is the one found by hash, and only once.
	p := urlcanon.Prefix4(urlcanon.Hash(canon(t, a.CanonURL).Expression()))
	vs, err := s.SearchPrefixes(ctx, [][4]byte{p}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].ScanID != "c" {
		t.Errorf("SearchPrefixes = %+v, want scan c only", vs)
	}
}

func testSearchPrefixes(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	now := t0.Add(time.Minute)
	scans := []*verdict.Scan{
		done(t, "1", "http://a.b.c/1/2.html?param=1", verdict.LabelScam, t0),
		done(t, "2", "https://a.b.c/1/2.html?param=1", verdict.LabelSuspicious, t0),
		done(t, "3", "http://other.example/", verdict.LabelClean, t0),
		done(t, "4", "http://old.example/", verdict.LabelClean, t0.Add(-2*time.Hour)), // expired at now
	}
	put(t, s, scans...)
	prefix := func(expr string) [4]byte { return urlcanon.Prefix4(urlcanon.Hash(expr)) }

	check := func(name string, prefixes [][4]byte, want []string) {
		t.Helper()
		vs, err := s.SearchPrefixes(ctx, prefixes, now)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for i, v := range vs {
			got = append(got, v.CanonURL)
			u := canon(t, v.CanonURL)
			if v.Hash != urlcanon.Hash(u.Expression()) {
				t.Errorf("%s: %q has hash %x, want hash of %q", name, v.CanonURL, v.Hash, u.Expression())
			}
			if i > 0 && string(vs[i-1].Hash[:]) > string(v.Hash[:]) {
				t.Errorf("%s: results not ordered by hash", name)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: SearchPrefixes = %q, want %q", name, got, want)
		}
	}
	// http and https share the expression, so both come back, by CanonURL.
	check("full expression", [][4]byte{prefix("a.b.c/1/2.html?param=1")},
		[]string{"http://a.b.c/1/2.html?param=1", "https://a.b.c/1/2.html?param=1"})
	check("repeated prefix", [][4]byte{prefix("other.example/"), prefix("other.example/")},
		[]string{"http://other.example/"})
	// Verdicts are per URL: the host's expressions find nothing.
	check("host expression", [][4]byte{prefix("a.b.c/"), prefix("b.c/1/")}, nil)
	check("expired", [][4]byte{prefix("old.example/")}, nil)
	check("none", nil, nil)

	// All of a URL's expressions together find exactly its verdicts.
	var all [][4]byte
	for _, e := range urlcanon.Expressions(canon(t, "http://a.b.c/1/2.html?param=1")) {
		all = append(all, prefix(e))
	}
	all = append(all, prefix("other.example/"))
	vs, err := s.SearchPrefixes(ctx, all, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 3 {
		t.Errorf("SearchPrefixes(all expressions) returned %d verdicts, want 3: %+v", len(vs), vs)
	}
}

func testHostVerdicts(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	now := t0.Add(time.Hour)
	hv := func(label verdict.Label, expires time.Time) verdict.URLVerdict {
		return verdict.URLVerdict{Label: label, Score: 90, ScanID: "analyst-1", ScannedAt: t0, ExpiresAt: expires}
	}
	if err := s.PutHostVerdict(ctx, "evil.example/", hv(verdict.LabelScam, t0.Add(24*time.Hour))); err != nil {
		t.Fatalf("PutHostVerdict: %v", err)
	}
	// Any URL on the host, at any depth and on any subdomain, gets it.
	for _, raw := range []string{"http://evil.example/", "https://a.b.evil.example/x/y.html?q=1"} {
		cu := canon(t, raw).String()
		v, err := s.LookupURL(ctx, cu, now)
		if err != nil {
			t.Fatalf("LookupURL(%q): %v", cu, err)
		}
		if v.CanonURL != "evil.example/" || v.Label != verdict.LabelScam || v.Hash != urlcanon.Hash("evil.example/") {
			t.Errorf("LookupURL(%q) = %+v, want the host verdict", cu, v)
		}
	}
	if _, err := s.LookupURL(ctx, "http://notevil.example/", now); !errors.Is(err, verdict.ErrNotFound) {
		t.Errorf("LookupURL(other host) error = %v, want ErrNotFound", err)
	}
	vs, err := s.SearchPrefixes(ctx, [][4]byte{urlcanon.Prefix4(urlcanon.Hash("evil.example/"))}, now)
	if err != nil || len(vs) != 1 || vs[0].CanonURL != "evil.example/" || vs[0].ScanID != "analyst-1" {
		t.Errorf("SearchPrefixes(host) = %+v, %v; want the host verdict", vs, err)
	}

	// The most severe wins: a CLEAN scan of a page does not clear the host.
	put(t, s, done(t, "clean-page", "http://evil.example/about", verdict.LabelClean, t0.Add(30*time.Minute)))
	if v, err := s.LookupURL(ctx, "http://evil.example/about", now); err != nil || v.Label != verdict.LabelScam {
		t.Errorf("LookupURL(clean page on scam host) = %+v, %v; want SCAM", v, err)
	}
	// A CLEAN host verdict does not hide a SCAM page; ties go to the URL.
	if err := s.PutHostVerdict(ctx, "big.example/", hv(verdict.LabelClean, time.Time{})); err != nil {
		t.Fatal(err)
	}
	put(t, s, done(t, "scam-page", "http://big.example/sites/x", verdict.LabelScam, t0.Add(30*time.Minute)))
	if v, err := s.LookupURL(ctx, "http://big.example/sites/x", now); err != nil || v.ScanID != "scam-page" {
		t.Errorf("LookupURL(scam page on clean host) = %+v, %v; want the page's verdict", v, err)
	}
	put(t, s, done(t, "clean-page-2", "http://big.example/ok", verdict.LabelClean, t0.Add(30*time.Minute)))
	if v, err := s.LookupURL(ctx, "http://big.example/ok", now); err != nil || v.ScanID != "clean-page-2" {
		t.Errorf("LookupURL(clean page on clean host) = %+v, %v; want the page's own verdict", v, err)
	}
	// A zero ExpiresAt never expires.
	if v, err := s.LookupURL(ctx, "http://big.example/other", now.AddDate(50, 0, 0)); err != nil || v.CanonURL != "big.example/" {
		t.Errorf("LookupURL(never-expiring host verdict, 50 years on) = %+v, %v", v, err)
	}
	// Equal labels: the most specific expression wins.
	if err := s.PutHostVerdict(ctx, "a.evil.example/", hv(verdict.LabelScam, t0.Add(24*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if v, err := s.LookupURL(ctx, "http://a.evil.example/x", now); err != nil || v.CanonURL != "a.evil.example/" {
		t.Errorf("LookupURL with two host verdicts = %+v, %v; want a.evil.example/", v, err)
	}
	// Path-prefix expressions.
	if err := s.PutHostVerdict(ctx, "shared.example/~mallory/", hv(verdict.LabelSuspicious, t0.Add(24*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if v, err := s.LookupURL(ctx, "http://shared.example/~mallory/lock.html", now); err != nil || v.Label != verdict.LabelSuspicious {
		t.Errorf("LookupURL under a path-prefix verdict = %+v, %v; want SUSPICIOUS", v, err)
	}
	if _, err := s.LookupURL(ctx, "http://shared.example/~alice/", now); !errors.Is(err, verdict.ErrNotFound) {
		t.Errorf("LookupURL outside the path prefix error = %v, want ErrNotFound", err)
	}
	// Expired, then removed.
	if _, err := s.LookupURL(ctx, "http://evil.example/", t0.Add(25*time.Hour)); !errors.Is(err, verdict.ErrNotFound) {
		t.Errorf("LookupURL after the host verdict expired error = %v, want ErrNotFound", err)
	}
	for _, e := range []string{"evil.example/", "a.evil.example/"} {
		if err := s.PutHostVerdict(ctx, e, verdict.URLVerdict{Label: verdict.LabelUnknown}); err != nil {
			t.Fatalf("PutHostVerdict(%q, UNKNOWN): %v", e, err)
		}
	}
	if v, err := s.LookupURL(ctx, "http://evil.example/", now); !errors.Is(err, verdict.ErrNotFound) {
		t.Errorf("LookupURL after removal = %+v, %v; want ErrNotFound", v, err)
	}
	vs, err = s.SearchPrefixes(ctx, [][4]byte{urlcanon.Prefix4(urlcanon.Hash("evil.example/"))}, now)
	if err != nil || len(vs) != 0 {
		t.Errorf("SearchPrefixes after removal = %+v, %v; want none", vs, err)
	}

	for _, bad := range []string{"http://evil.example/", "Evil.Example/", "evil.example", "evil.example/a/../b", ""} {
		if err := s.PutHostVerdict(ctx, bad, hv(verdict.LabelScam, time.Time{})); !errors.Is(err, verdict.ErrInvalid) {
			t.Errorf("PutHostVerdict(%q) error = %v, want ErrInvalid", bad, err)
		}
	}
	if err := s.PutHostVerdict(ctx, "x.example/", verdict.URLVerdict{Label: 7, ScannedAt: t0}); !errors.Is(err, verdict.ErrInvalid) {
		t.Errorf("PutHostVerdict(label 7) error = %v, want ErrInvalid", err)
	}
}

// dataset is a set of scans with overlapping indicators, for pivots.
func dataset(t *testing.T) []*verdict.Scan {
	type row struct {
		id, url    string
		label      verdict.Label
		min        int
		phones     []string
		codes      []string
		rules      []string
		state      verdict.State
		profile    string
		canonEmpty bool
	}
	rows := []row{
		{"s01", "http://alert.example/a", verdict.LabelScam, 1, []string{"+18005550101"}, []string{"0x80070424"}, []string{"brand.ms", "lock.fs"}, "", "", false},
		{"s02", "http://alert.example/b", verdict.LabelScam, 2, []string{"+18005550101", "+18005550102"}, nil, []string{"brand.ms"}, "", "", false},
		{"s03", "http://news.example/story", verdict.LabelClean, 3, []string{"+18005550101"}, []string{"0x80070424"}, []string{"benign.news"}, "", "", false},
		{"s04", "http://sub.alert.example/", verdict.LabelSuspicious, 4, nil, []string{"268D3"}, []string{"lock.fs"}, "", "", false},
		{"s05", "http://alert.example/c", verdict.LabelUnknown, 5, nil, nil, nil, verdict.StateQueued, "", false},
		{"s06", "http://alert.example/a", verdict.LabelScam, 6, []string{"+18005550102"}, []string{"268D3", "0x80070424"}, []string{"brand.apple"}, "", "mobile", false},
		{"s07", "http://other.example/", verdict.LabelClean, 7, nil, nil, nil, "", "", false},
		{"s08", "http://alert.example/a", verdict.LabelUnknown, 8, nil, nil, nil, verdict.StateFailed, "", false},
		{"s09", "http://lock.example/x", verdict.LabelScam, 9, []string{"+18005550103"}, []string{"0x80070424"}, []string{"lock.fs"}, "", "", true},
		{"s10", "http://alert.example/d", verdict.LabelScam, 9, []string{"+18005550101"}, nil, []string{"brand.ms"}, "", "", false},
	}
	var out []*verdict.Scan
	for _, r := range rows {
		sc := done(t, r.id, r.url, r.label, t0.Add(time.Duration(r.min)*time.Minute))
		sc.Phones, sc.ErrorCodes, sc.RuleIDs = r.phones, r.codes, r.rules
		if r.state != "" {
			sc.State = r.state
			if r.state != verdict.StateFailed {
				sc.FinishedAt = time.Time{}
			}
		}
		if r.profile != "" {
			sc.Profile = r.profile
		}
		if r.canonEmpty {
			sc.CanonURL, sc.Host = "", ""
		}
		out = append(out, sc)
	}
	return out
}

func testListFilters(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	put(t, s, dataset(t)...)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	tests := []struct {
		name string
		f    verdict.Filter
		want []string
	}{
		{"all", verdict.Filter{}, []string{"s10", "s09", "s08", "s07", "s06", "s05", "s04", "s03", "s02", "s01"}},
		{"phone", verdict.Filter{Phone: "+18005550101"}, []string{"s10", "s03", "s02", "s01"}},
		{"phone2", verdict.Filter{Phone: "+18005550102"}, []string{"s06", "s02"}},
		{"unknown phone", verdict.Filter{Phone: "+18005550199"}, nil},
		{"error code", verdict.Filter{ErrorCode: "0x80070424"}, []string{"s09", "s06", "s03", "s01"}},
		{"host", verdict.Filter{Host: "alert.example"}, []string{"s10", "s08", "s06", "s05", "s02", "s01"}},
		{"host is exact", verdict.Filter{Host: "example"}, nil},
		{"rule", verdict.Filter{RuleID: "lock.fs"}, []string{"s09", "s04", "s01"}},
		{"label", verdict.Filter{Label: verdict.LabelScam}, []string{"s10", "s09", "s06", "s02", "s01"}},
		{"label clean", verdict.Filter{Label: verdict.LabelClean}, []string{"s07", "s03"}},
		{"since", verdict.Filter{Since: at(8)}, []string{"s10", "s09", "s08"}},
		{"until", verdict.Filter{Until: at(3)}, []string{"s02", "s01"}},
		{"since until", verdict.Filter{Since: at(3), Until: at(6)}, []string{"s05", "s04", "s03"}},
		{"phone and label", verdict.Filter{Phone: "+18005550101", Label: verdict.LabelScam}, []string{"s10", "s02", "s01"}},
		{"code and host", verdict.Filter{ErrorCode: "0x80070424", Host: "alert.example"}, []string{"s06", "s01"}},
		{"rule and phone and until", verdict.Filter{RuleID: "brand.ms", Phone: "+18005550101", Until: at(9)}, []string{"s02", "s01"}},
		{"host and label and since", verdict.Filter{Host: "alert.example", Label: verdict.LabelScam, Since: at(2)}, []string{"s10", "s06", "s02"}},
		{"phone and code, none", verdict.Filter{Phone: "+18005550102", ErrorCode: "nope"}, nil},
		{"empty window", verdict.Filter{Since: at(5), Until: at(5)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, next, err := s.ListScans(ctx, tc.f)
			if err != nil {
				t.Fatalf("ListScans(%+v): %v", tc.f, err)
			}
			if got := ids(list); !slices.Equal(got, tc.want) {
				t.Errorf("ListScans(%+v) = %q, want %q", tc.f, got, tc.want)
			}
			if next != "" {
				t.Errorf("ListScans(%+v) next token %q on the only page", tc.f, next)
			}
		})
	}
	// Results are whole scans.
	list, _, err := s.ListScans(ctx, verdict.Filter{RuleID: "brand.apple"})
	if err != nil || len(list) != 1 {
		t.Fatalf("ListScans(brand.apple) = %v, %v", list, err)
	}
	want := dataset(t)[5]
	if err := sameScan(list[0], want); err != nil {
		t.Errorf("ListScans result: %v", err)
	}
}

func testPaging(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	var all []*verdict.Scan
	for i := range 23 {
		// Pairs share a creation time: ties order by ID, descending.
		sc := done(t, fmt.Sprintf("p%02d", i), fmt.Sprintf("http://page%d.example/", i), verdict.LabelScam, t0.Add(time.Duration(i/2)*time.Second))
		sc.Phones = []string{"+18005550100"}
		all = append(all, sc)
	}
	put(t, s, all...)
	var want []string
	for i := len(all) - 1; i >= 0; i-- {
		want = append(want, all[i].ID)
	}
	var late []string // scans that arrived during earlier walks, newest first
	for iter, f := range []verdict.Filter{{PageSize: 5}, {PageSize: 5, Phone: "+18005550100"}, {PageSize: 4, Label: verdict.LabelScam, Since: t0.Add(time.Second)}} {
		wantHere := append(slices.Clone(late), want...)
		if !f.Since.IsZero() {
			wantHere = wantHere[:len(wantHere)-2]
		}
		var got []string
		pages := 0
		for {
			list, next, err := s.ListScans(ctx, f)
			if err != nil {
				t.Fatalf("ListScans(%+v): %v", f, err)
			}
			pages++
			if len(list) > f.PageSize {
				t.Fatalf("page of %d scans, want at most %d", len(list), f.PageSize)
			}
			got = append(got, ids(list)...)
			if pages == 2 {
				// A newer scan arriving between pages does not move the rest.
				sc := done(t, fmt.Sprintf("late%d", iter), "http://late.example/", verdict.LabelScam, t0.Add(time.Hour))
				sc.Phones = []string{"+18005550100"}
				put(t, s, sc)
				late = append([]string{sc.ID}, late...)
			}
			if next == "" {
				break
			}
			f.PageToken = next
		}
		if !slices.Equal(got, wantHere) {
			t.Errorf("paged ListScans(%+v) = %q, want %q", f, got, wantHere)
		}
		if wantPages := (len(wantHere) + f.PageSize - 1) / f.PageSize; pages != wantPages {
			t.Errorf("%d pages, want %d", pages, wantPages)
		}
	}
	// An exact last page has no next token.
	list, next, err := s.ListScans(ctx, verdict.Filter{Phone: "+18005550100", PageSize: 26})
	if err != nil || len(list) != 26 || next != "" {
		t.Errorf("ListScans(exactly one page) = %d scans, next %q, %v; want 26, no token", len(list), next, err)
	}
}

func testBadToken(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	for i := range 3 {
		put(t, s, done(t, fmt.Sprint(i), "http://t.example/", verdict.LabelScam, t0.Add(time.Duration(i)*time.Second)))
	}
	_, next, err := s.ListScans(ctx, verdict.Filter{PageSize: 1, Host: "t.example"})
	if err != nil || next == "" {
		t.Fatalf("ListScans = %q, %v; want a next token", next, err)
	}
	for name, f := range map[string]verdict.Filter{
		"garbage":      {PageToken: "!!not-a-token!!"},
		"truncated":    {PageToken: next[:5], Host: "t.example"},
		"other filter": {PageToken: next, Host: "u.example"},
		"no filter":    {PageToken: next},
	} {
		if _, _, err := s.ListScans(ctx, f); !errors.Is(err, verdict.ErrBadPageToken) {
			t.Errorf("%s: ListScans error = %v, want ErrBadPageToken", name, err)
		}
	}
	// A different page size is fine.
	if list, _, err := s.ListScans(ctx, verdict.Filter{PageSize: 10, Host: "t.example", PageToken: next}); err != nil || len(list) != 2 {
		t.Errorf("ListScans(token, bigger page) = %d scans, %v; want 2", len(list), err)
	}
}

func testDefaultPageSize(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	var scans []*verdict.Scan
	for i := range verdict.DefaultPageSize + 3 {
		scans = append(scans, &verdict.Scan{ID: fmt.Sprintf("q%03d", i), URL: "http://q.example/", State: verdict.StateQueued, CreatedAt: t0.Add(time.Duration(i) * time.Millisecond)})
	}
	put(t, s, scans...)
	list, next, err := s.ListScans(ctx, verdict.Filter{})
	if err != nil || len(list) != verdict.DefaultPageSize || next == "" {
		t.Fatalf("ListScans(PageSize 0) = %d scans, next %q, %v; want %d and a token", len(list), next, err, verdict.DefaultPageSize)
	}
	list, next, err = s.ListScans(ctx, verdict.Filter{PageToken: next})
	if err != nil || len(list) != 3 || next != "" {
		t.Errorf("second page = %d scans, next %q, %v; want 3, no token", len(list), next, err)
	}
}

func testRecentScan(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	put(t, s, dataset(t)...)
	alertA := canon(t, "http://alert.example/a").String()
	tests := []struct {
		name, url, profile string
		since              time.Time
		want               string // "" for ErrNotFound
	}{
		// s08 (minute 8) failed, so s01 (minute 1) is the newest for desktop.
		{"skips failed", alertA, "desktop", t0, "s01"},
		{"other profile", alertA, "mobile", t0, "s06"},
		{"window", alertA, "desktop", t0.Add(2 * time.Minute), ""},
		{"window edge inclusive", alertA, "desktop", t0.Add(time.Minute), "s01"},
		{"queued counts", canon(t, "http://alert.example/c").String(), "desktop", t0, "s05"},
		{"unknown profile", alertA, "tablet", t0, ""},
		{"unknown URL", "http://nowhere.example/", "desktop", t0, ""},
	}
	for _, tc := range tests {
		sc, err := s.RecentScan(ctx, tc.url, tc.profile, tc.since)
		switch {
		case tc.want == "" && !errors.Is(err, verdict.ErrNotFound):
			t.Errorf("%s: RecentScan = %v, %v; want ErrNotFound", tc.name, sc, err)
		case tc.want != "" && (err != nil || sc.ID != tc.want):
			t.Errorf("%s: RecentScan = %v, %v; want %s", tc.name, sc, err, tc.want)
		}
	}
	newer := done(t, "s11", "http://alert.example/a", verdict.LabelClean, t0.Add(20*time.Minute))
	put(t, s, newer)
	if sc, err := s.RecentScan(ctx, alertA, "desktop", t0); err != nil || sc.ID != "s11" {
		t.Errorf("RecentScan after a newer scan = %v, %v; want s11", sc, err)
	}
}

func testIndicators(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	scans := dataset(t)
	put(t, s, scans...)
	fin := func(id string) time.Time {
		for _, sc := range scans {
			if sc.ID == id {
				return verdict.Micro(sc.FinishedAt)
			}
		}
		t.Fatalf("no scan %s", id)
		return time.Time{}
	}
	cu := func(raw string) string { return canon(t, raw).String() }
	// Counted: done scans labelled SUSPICIOUS or SCAM (s01, s02, s04, s06, s09, s10).
	phones, err := s.Indicators(ctx, verdict.KindPhone, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantPhones := []verdict.Indicator{
		// s09 and s10 finish at the same time: by value.
		{Value: "+18005550101", FirstSeen: fin("s01"), LastSeen: fin("s10"), Count: 3,
			ExampleURLs: []string{cu("http://alert.example/d"), cu("http://alert.example/b"), cu("http://alert.example/a")}},
		{Value: "+18005550103", FirstSeen: fin("s09"), LastSeen: fin("s09"), Count: 1, ExampleURLs: []string{"http://lock.example/x"}},
		{Value: "+18005550102", FirstSeen: fin("s02"), LastSeen: fin("s06"), Count: 2,
			ExampleURLs: []string{cu("http://alert.example/a"), cu("http://alert.example/b")}},
	}
	checkIndicators(t, "phones", phones, wantPhones)

	codes, err := s.Indicators(ctx, verdict.KindErrorCode, fin("s04"))
	if err != nil {
		t.Fatal(err)
	}
	wantCodes := []verdict.Indicator{
		{Value: "0x80070424", FirstSeen: fin("s06"), LastSeen: fin("s09"), Count: 2,
			ExampleURLs: []string{"http://lock.example/x", cu("http://alert.example/a")}},
		{Value: "268D3", FirstSeen: fin("s04"), LastSeen: fin("s06"), Count: 2,
			ExampleURLs: []string{cu("http://alert.example/a"), cu("http://sub.alert.example/")}},
	}
	checkIndicators(t, "error codes since s04", codes, wantCodes)

	// At most MaxExampleURLs distinct URLs, newest first; repeats count.
	var more []*verdict.Scan
	for i := range 8 {
		sc := done(t, fmt.Sprintf("m%d", i), fmt.Sprintf("http://m%d.example/", i%7), verdict.LabelScam, t0.Add(time.Hour+time.Duration(i)*time.Minute))
		sc.Phones = []string{"+18005550199", "+18005550199"}
		more = append(more, sc)
	}
	put(t, s, more...)
	phones, err = s.Indicators(ctx, verdict.KindPhone, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []verdict.Indicator{{
		Value: "+18005550199", FirstSeen: verdict.Micro(more[0].FinishedAt), LastSeen: verdict.Micro(more[7].FinishedAt), Count: 8,
		ExampleURLs: []string{"http://m0.example/", "http://m6.example/", "http://m5.example/", "http://m4.example/", "http://m3.example/"},
	}}
	checkIndicators(t, "repeats", phones, want)

	if _, err := s.Indicators(ctx, "email", time.Time{}); !errors.Is(err, verdict.ErrInvalid) {
		t.Errorf("Indicators(email) error = %v, want ErrInvalid", err)
	}
}

func checkIndicators(t *testing.T, name string, got, want []verdict.Indicator) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		g, w := got[i], want[i]
		ok = g.Value == w.Value && g.FirstSeen.Equal(w.FirstSeen) && g.LastSeen.Equal(w.LastSeen) &&
			g.Count == w.Count && slices.Equal(g.ExampleURLs, w.ExampleURLs)
	}
	if !ok {
		t.Errorf("%s: Indicators =\n%+v\nwant\n%+v", name, got, want)
	}
}

func testPurge(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	put(t, s,
		done(t, "clean", "http://c.example/", verdict.LabelClean, t0),
		done(t, "susp", "http://s.example/", verdict.LabelSuspicious, t0),
		done(t, "scam", "http://x.example/", verdict.LabelScam, t0),
	)
	if err := s.PutHostVerdict(ctx, "h.example/", verdict.URLVerdict{Label: verdict.LabelScam, ScannedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutHostVerdict(ctx, "forever.example/", verdict.URLVerdict{Label: verdict.LabelScam, ScannedAt: t0}); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(2 * time.Hour) // CLEAN and the host verdict have expired
	n, err := s.Purge(ctx, now)
	if err != nil || n != 2 {
		t.Fatalf("Purge = %d, %v; want 2", n, err)
	}
	if n, err := s.Purge(ctx, now); err != nil || n != 0 {
		t.Errorf("second Purge = %d, %v; want 0", n, err)
	}
	// Purged verdicts are gone even for a clock that runs behind.
	if _, err := s.LookupURL(ctx, "http://c.example/", t0); !errors.Is(err, verdict.ErrNotFound) {
		t.Errorf("LookupURL(purged) error = %v, want ErrNotFound", err)
	}
	if _, err := s.LookupURL(ctx, "http://h.example/", t0); !errors.Is(err, verdict.ErrNotFound) {
		t.Errorf("LookupURL(purged host verdict) error = %v, want ErrNotFound", err)
	}
	vs, err := s.SearchPrefixes(ctx, [][4]byte{urlcanon.Prefix4(urlcanon.Hash("c.example/")), urlcanon.Prefix4(urlcanon.Hash("h.example/"))}, t0)
	if err != nil || len(vs) != 0 {
		t.Errorf("SearchPrefixes(purged) = %+v, %v; want none", vs, err)
	}
	for _, u := range []string{"http://s.example/", "http://x.example/", "http://forever.example/"} {
		if _, err := s.LookupURL(ctx, u, now); err != nil {
			t.Errorf("LookupURL(%q) after Purge: %v", u, err)
		}
	}
	// Scans stay.
	if _, err := s.GetScan(ctx, "clean"); err != nil {
		t.Errorf("GetScan after Purge: %v", err)
	}
	if n, err := s.Purge(ctx, t0.AddDate(1, 0, 0)); err != nil || n != 2 {
		t.Errorf("Purge a year on = %d, %v; want 2 (the never-expiring host verdict stays)", n, err)
	}
}

func testValidation(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	tests := map[string]func(sc *verdict.Scan){
		"empty ID":            func(sc *verdict.Scan) { sc.ID = "" },
		"bad state":           func(sc *verdict.Scan) { sc.State = "finished" },
		"no CreatedAt":        func(sc *verdict.Scan) { sc.CreatedAt = time.Time{} },
		"done no FinishedAt":  func(sc *verdict.Scan) { sc.FinishedAt = time.Time{} },
		"label out of range":  func(sc *verdict.Scan) { sc.Label = 9 },
		"non-canonical URL":   func(sc *verdict.Scan) { sc.CanonURL = "HTTP://V.example/" },
		"host mismatch":       func(sc *verdict.Scan) { sc.Host = "other.example" },
		"NUL in phone":        func(sc *verdict.Scan) { sc.Phones = []string{"+1800\x00"} },
		"empty phone":         func(sc *verdict.Scan) { sc.Phones = []string{""} },
		"invalid UTF-8 URL":   func(sc *verdict.Scan) { sc.URL = "http://v.example/\xff" },
		"NUL in profile":      func(sc *verdict.Scan) { sc.Profile = "a\x00b" },
		"rule ID too long":    func(sc *verdict.Scan) { sc.RuleIDs = []string{string(make([]byte, verdict.MaxValueLen+1))} },
		"too many error code": func(sc *verdict.Scan) { sc.ErrorCodes = make([]string, verdict.MaxListLen+1) },
	}
	for name, mod := range tests {
		sc := done(t, "v-"+name, "http://v.example/", verdict.LabelScam, t0)
		mod(sc)
		if err := s.PutScan(ctx, sc); !errors.Is(err, verdict.ErrInvalid) {
			t.Errorf("%s: PutScan error = %v, want ErrInvalid", name, err)
		}
		if sc.ID != "" {
			if _, err := s.GetScan(ctx, sc.ID); !errors.Is(err, verdict.ErrNotFound) {
				t.Errorf("%s: rejected scan was stored (GetScan error %v)", name, err)
			}
		}
	}
	if _, err := s.LookupURL(ctx, "http://v.example/", t0); !errors.Is(err, verdict.ErrNotFound) {
		t.Errorf("a rejected scan left a verdict: %v", err)
	}
}

func testCanceled(t *testing.T, s verdict.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.PutScan(ctx, done(t, "c", "http://c.example/", verdict.LabelScam, t0)); !errors.Is(err, context.Canceled) {
		t.Errorf("PutScan(canceled) error = %v, want context.Canceled", err)
	}
	if _, err := s.GetScan(context.Background(), "c"); !errors.Is(err, verdict.ErrNotFound) {
		t.Errorf("PutScan(canceled) stored the scan: %v", err)
	}
	if _, err := s.LookupURL(ctx, "http://c.example/", t0); !errors.Is(err, context.Canceled) {
		t.Errorf("LookupURL(canceled) error = %v, want context.Canceled", err)
	}
}

func testConcurrent(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	const writers, each = 4, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*each*2)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				sc := done(t, fmt.Sprintf("w%d-%d", w, i), fmt.Sprintf("http://w%d.example/%d", w, i), verdict.LabelScam, t0.Add(time.Duration(i)*time.Second))
				if err := s.PutScan(ctx, sc); err != nil {
					errs <- err
				}
			}
		})
		wg.Go(func() {
			for i := range each {
				_, err := s.LookupURL(ctx, fmt.Sprintf("http://w%d.example/%d", w, i), t0.Add(time.Minute))
				if err != nil && !errors.Is(err, verdict.ErrNotFound) {
					errs <- err
				}
				if _, _, err := s.ListScans(ctx, verdict.Filter{Host: fmt.Sprintf("w%d.example", w)}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	list, _, err := s.ListScans(ctx, verdict.Filter{PageSize: verdict.MaxPageSize})
	if err != nil || len(list) != writers*each {
		t.Errorf("after concurrent writes ListScans = %d scans, %v; want %d", len(list), err, writers*each)
	}
}

func testClosed(t *testing.T, s verdict.Store) {
	ctx := context.Background()
	put(t, s, done(t, "a", "http://a.example/", verdict.LabelScam, t0))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	checks := map[string]error{
		"PutScan": s.PutScan(ctx, done(t, "b", "http://b.example/", verdict.LabelScam, t0)),
	}
	_, checks["GetScan"] = s.GetScan(ctx, "a")
	_, _, checks["ListScans"] = s.ListScans(ctx, verdict.Filter{})
	_, checks["LookupURL"] = s.LookupURL(ctx, "http://a.example/", t0)
	_, checks["SearchPrefixes"] = s.SearchPrefixes(ctx, [][4]byte{{1, 2, 3, 4}}, t0)
	checks["PutHostVerdict"] = s.PutHostVerdict(ctx, "a.example/", verdict.URLVerdict{Label: verdict.LabelScam, ScannedAt: t0})
	_, checks["RecentScan"] = s.RecentScan(ctx, "http://a.example/", "desktop", t0)
	_, checks["Indicators"] = s.Indicators(ctx, verdict.KindPhone, t0)
	_, checks["Purge"] = s.Purge(ctx, t0)
	for name, err := range checks {
		if !errors.Is(err, verdict.ErrClosed) {
			t.Errorf("%s after Close: error = %v, want ErrClosed", name, err)
		}
	}
}

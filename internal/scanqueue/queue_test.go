package scanqueue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scamscope/scamscope/internal/urlcanon"
	"github.com/scamscope/scamscope/internal/verdict"
	"github.com/scamscope/scamscope/internal/verdict/boltstore"
)

// runner is a test Runner: fn decides each run's outcome; it records the
// jobs it saw.
type runner struct {
	mu   sync.Mutex
	jobs []Job
	fn   func(ctx context.Context, job Job) (*verdict.Scan, error)
}

func (r *runner) Run(ctx context.Context, job Job) (*verdict.Scan, error) {
	r.mu.Lock()
	r.jobs = append(r.jobs, job)
	r.mu.Unlock()
	return r.fn(ctx, job)
}

func (r *runner) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.jobs)
}

func scamResult(ctx context.Context, job Job) (*verdict.Scan, error) {
	return &verdict.Scan{Label: verdict.LabelScam, Score: 91, RuleSetVersion: "rs1", Phones: []string{"+18885550142"},
		ErrorCodes: []string{"0x80070424"}, RuleIDs: []string{"alarm.virus"}, Result: []byte("result of " + job.URL)}, nil
}

func openStore(t *testing.T, path string) *boltstore.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "q.db")
	}
	st, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newQueue(t *testing.T, cfg Config, st verdict.Store, r Runner) *Queue {
	t.Helper()
	q := New(cfg, st, r, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		q.Close(ctx)
	})
	return q
}

func req(t *testing.T, raw string) Request {
	t.Helper()
	u, err := urlcanon.Canonicalize(raw)
	if err != nil {
		t.Fatal(err)
	}
	return Request{URL: raw, CanonURL: u.String(), Host: u.Host, Profile: "windows-desktop"}
}

// waitState polls the store until scan id reaches state.
func waitState(t *testing.T, st verdict.Store, id string, want verdict.State) *verdict.Scan {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := st.GetScan(context.Background(), id)
		if err == nil && s.State == want {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("scan %s: state %v (err %v) after 10s, want %s", id, s, err, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSubmitRunsAndStores(t *testing.T) {
	st := openStore(t, "")
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	r := &runner{fn: func(ctx context.Context, job Job) (*verdict.Scan, error) {
		started <- struct{}{}
		<-release
		return scamResult(ctx, job)
	}}
	q := newQueue(t, Config{}, st, r)
	ids, err := q.Submit(t.Context(), []Request{req(t, "http://Scam.Example/lock?x=1")}, false)
	if err != nil || len(ids) != 1 || !ValidID(ids[0]) {
		t.Fatalf("Submit = %q, %v; want one valid ID", ids, err)
	}
	<-started
	s := waitState(t, st, ids[0], verdict.StateRunning)
	if s.URL != "http://Scam.Example/lock?x=1" || s.CanonURL != "http://scam.example/lock?x=1" || s.Host != "scam.example" || s.Profile != "windows-desktop" {
		t.Errorf("running scan = %+v, want the request's fields", s)
	}
	close(release)
	s = waitState(t, st, ids[0], verdict.StateDone)
	if s.Label != verdict.LabelScam || s.Score != 91 || s.RuleSetVersion != "rs1" || s.Phones[0] != "+18885550142" ||
		s.ErrorCodes[0] != "0x80070424" || s.RuleIDs[0] != "alarm.virus" || string(s.Result) != "result of http://Scam.Example/lock?x=1" ||
		s.FinishedAt.IsZero() || s.FinishedAt.Before(s.CreatedAt) {
		t.Errorf("done scan = %+v, want the runner's outcome", s)
	}
	if v, err := st.LookupURL(t.Context(), s.CanonURL, time.Now()); err != nil || v.ScanID != ids[0] || v.Label != verdict.LabelScam {
		t.Errorf("LookupURL after the scan = %+v, %v; want its SCAM verdict", v, err)
	}
}

func TestSubmitFailure(t *testing.T) {
	st := openStore(t, "")
	r := &runner{fn: func(ctx context.Context, job Job) (*verdict.Scan, error) {
		return nil, errors.New("the page could not be loaded: connection refused")
	}}
	q := newQueue(t, Config{}, st, r)
	ids, err := q.Submit(t.Context(), []Request{req(t, "http://down.example/")}, false)
	if err != nil {
		t.Fatal(err)
	}
	s := waitState(t, st, ids[0], verdict.StateFailed)
	if !strings.Contains(s.Error, "connection refused") || s.FinishedAt.IsZero() {
		t.Errorf("failed scan = %+v, want the runner's error and a finish time", s)
	}
	// A failed scan does not dedupe: the URL is scanned again.
	again, err := q.Submit(t.Context(), []Request{req(t, "http://down.example/")}, false)
	if err != nil || again[0] == ids[0] {
		t.Errorf("Submit after a failure = %q, %v; want a new scan", again, err)
	}
}

func TestDedup(t *testing.T) {
	st := openStore(t, "")
	var now atomic.Pointer[time.Time]
	t0 := time.Now()
	now.Store(&t0)
	r := &runner{fn: scamResult}
	q := newQueue(t, Config{DedupWindow: 10 * time.Minute, Now: func() time.Time { return *now.Load() }}, st, r)
	ctx := t.Context()

	ids, err := q.Submit(ctx, []Request{req(t, "http://a.example/"), req(t, "HTTP://A.example:80/"), req(t, "http://b.example/")}, false)
	if err != nil {
		t.Fatal(err)
	}
	if ids[0] != ids[1] || ids[0] == ids[2] {
		t.Errorf("Submit(a, a again, b) = %q, want the two a's to share one scan and b its own", ids)
	}
	waitState(t, st, ids[0], verdict.StateDone)
	later := t0.Add(5 * time.Minute)
	now.Store(&later)
	again, err := q.Submit(ctx, []Request{req(t, "http://a.example/")}, false)
	if err != nil || again[0] != ids[0] {
		t.Errorf("Submit(a) within the window = %q, %v; want %q", again, err, ids[0])
	}
	other := req(t, "http://a.example/")
	other.Profile = "android-phone"
	if p, err := q.Submit(ctx, []Request{other}, false); err != nil || p[0] == ids[0] {
		t.Errorf("Submit(a, other profile) = %q, %v; want a new scan", p, err)
	}
	forced, err := q.Submit(ctx, []Request{req(t, "http://a.example/"), req(t, "http://a.example/")}, true)
	if err != nil || forced[0] == ids[0] || forced[0] != forced[1] {
		t.Errorf("forced Submit(a, a) = %q, %v; want one new scan for both", forced, err)
	}
	waitState(t, st, forced[0], verdict.StateDone)
	past := t0.Add(25 * time.Minute)
	now.Store(&past)
	fresh, err := q.Submit(ctx, []Request{req(t, "http://a.example/")}, false)
	if err != nil || fresh[0] == ids[0] || fresh[0] == forced[0] {
		t.Errorf("Submit(a) after the window = %q, %v; want a new scan", fresh, err)
	}
	// A request without a canonical URL dedupes on its raw URL within a call only.
	raw := Request{URL: "http://[bad/", Profile: "p"}
	if got, err := q.Submit(ctx, []Request{raw, raw}, false); err != nil || got[0] != got[1] {
		t.Errorf("Submit(raw, raw) = %q, %v; want one scan", got, err)
	}
}

func TestFullQueue(t *testing.T) {
	st := openStore(t, "")
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	r := &runner{fn: func(ctx context.Context, job Job) (*verdict.Scan, error) {
		started <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return scamResult(ctx, job)
	}}
	q := newQueue(t, Config{Workers: 1, QueueSize: 2}, st, r)
	ctx := t.Context()
	if _, err := q.Submit(ctx, []Request{req(t, "http://1.example/")}, false); err != nil {
		t.Fatal(err)
	}
	<-started // the worker holds 1; the queue is empty again
	if _, err := q.Submit(ctx, []Request{req(t, "http://2.example/"), req(t, "http://3.example/"), req(t, "http://4.example/")}, false); !errors.Is(err, ErrFull) {
		t.Fatalf("Submit(3 URLs) into room for 2 = %v, want ErrFull", err)
	}
	scans, _, err := st.ListScans(ctx, verdict.Filter{})
	if err != nil || len(scans) != 1 {
		t.Errorf("store holds %d scans after a refused Submit, want 1 (nothing of the refused call)", len(scans))
	}
	if _, err := q.Submit(ctx, []Request{req(t, "http://2.example/"), req(t, "http://3.example/")}, false); err != nil {
		t.Fatalf("Submit(2 URLs) into room for 2 = %v", err)
	}
	if q.Len() != 2 {
		t.Errorf("Len() = %d, want 2", q.Len())
	}
	if _, err := q.Submit(ctx, []Request{req(t, "http://5.example/")}, false); !errors.Is(err, ErrFull) {
		t.Errorf("Submit into a full queue = %v, want ErrFull", err)
	}
	// A duplicate of a queued URL needs no room.
	if _, err := q.Submit(ctx, []Request{req(t, "http://2.example/")}, false); err != nil {
		t.Errorf("Submit of a queued URL into a full queue = %v, want its ID", err)
	}
	close(release)
}

func TestRetry(t *testing.T) {
	st := openStore(t, "")
	var calls atomic.Int32
	r := &runner{fn: func(ctx context.Context, job Job) (*verdict.Scan, error) {
		if calls.Add(1) <= 2 {
			return nil, fmt.Errorf("every tab busy: %w", ErrRetry)
		}
		return scamResult(ctx, job)
	}}
	q := newQueue(t, Config{RetryDelay: time.Millisecond, Attempts: 3}, st, r)
	ids, err := q.Submit(t.Context(), []Request{req(t, "http://busy.example/")}, false)
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, st, ids[0], verdict.StateDone)
	if n := calls.Load(); n != 3 {
		t.Errorf("runner called %d times, want 3 (two retries)", n)
	}
	calls.Store(-100) // always busy now
	ids, err = q.Submit(t.Context(), []Request{req(t, "http://busier.example/")}, false)
	if err != nil {
		t.Fatal(err)
	}
	s := waitState(t, st, ids[0], verdict.StateFailed)
	if !strings.Contains(s.Error, "busy") {
		t.Errorf("failed scan error = %q, want the last attempt's", s.Error)
	}
}

// TestCloseAndRecover: Close with no time left leaves the running scan and
// the waiting ones queued in the store; a new queue on the same file
// recovers and finishes them.
func TestCloseAndRecover(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	st, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{}, 10)
	blocked := &runner{fn: func(ctx context.Context, job Job) (*verdict.Scan, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	q := New(Config{Workers: 1}, st, blocked, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	ids, err := q.Submit(t.Context(), []Request{req(t, "http://r1.example/"), req(t, "http://r2.example/"), req(t, "http://r3.example/")}, false)
	if err != nil {
		t.Fatal(err)
	}
	<-started
	expired, cancel := context.WithCancel(t.Context())
	cancel()
	if left := q.Close(expired); left != 2 {
		t.Errorf("Close left %d scans waiting, want 2", left)
	}
	if _, err := q.Submit(t.Context(), []Request{req(t, "http://r4.example/")}, false); !errors.Is(err, ErrClosed) {
		t.Errorf("Submit after Close = %v, want ErrClosed", err)
	}
	for _, id := range ids {
		if s, err := st.GetScan(t.Context(), id); err != nil || s.State != verdict.StateQueued {
			t.Errorf("scan %s after Close = %+v, %v; want queued", id, s, err)
		}
	}
	st.Close()

	st = openStore(t, path)
	r := &runner{fn: scamResult}
	q2 := newQueue(t, Config{Workers: 1}, st, r)
	n, err := q2.Recover(t.Context(), time.Now().Add(-time.Hour))
	if err != nil || n != 3 {
		t.Fatalf("Recover = %d, %v; want 3", n, err)
	}
	for _, id := range ids {
		waitState(t, st, id, verdict.StateDone)
	}
	r.mu.Lock()
	order := []string{r.jobs[0].URL, r.jobs[1].URL, r.jobs[2].URL}
	r.mu.Unlock()
	if strings.Join(order, " ") != "http://r1.example/ http://r2.example/ http://r3.example/" {
		t.Errorf("recovered scans ran in order %q, want submission order", order)
	}
	if n, err := q2.Recover(t.Context(), time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("second Recover = %d, %v; want nothing left", n, err)
	}
}

// TestCloseDrains: with time enough, Close lets the waiting scans finish.
func TestCloseDrains(t *testing.T) {
	st := openStore(t, "")
	r := &runner{fn: func(ctx context.Context, job Job) (*verdict.Scan, error) {
		time.Sleep(10 * time.Millisecond)
		return scamResult(ctx, job)
	}}
	q := New(Config{Workers: 1}, st, r, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	var reqs []Request
	for i := range 5 {
		reqs = append(reqs, req(t, fmt.Sprintf("http://d%d.example/", i)))
	}
	ids, err := q.Submit(t.Context(), reqs, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if left := q.Close(ctx); left != 0 {
		t.Errorf("Close left %d waiting, want 0", left)
	}
	for _, id := range ids {
		if s, err := st.GetScan(t.Context(), id); err != nil || s.State != verdict.StateDone {
			t.Errorf("scan %s after a draining Close = %v, %v; want done", id, s.State, err)
		}
	}
	if r.count() != 5 {
		t.Errorf("runner ran %d scans, want 5", r.count())
	}
}

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := NewID()
		if !ValidID(id) || seen[id] {
			t.Fatalf("NewID() = %q: invalid or repeated", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "abc", strings.Repeat("A", 32), strings.Repeat("g", 32), strings.Repeat("a", 33), "../../" + strings.Repeat("a", 26)} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}

package scanqueue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/scamscope/scamscope/internal/verdict"
)

// Errors of the queue, wrapped with context.
var (
	// ErrFull: the queue has no room for the submitted scans.
	ErrFull = errors.New("scan queue full")
	// ErrClosed: the queue no longer accepts scans.
	ErrClosed = errors.New("scan queue closed")
	// ErrRetry, wrapped by a Runner's error, asks for another attempt later
	// (the browser is busy).
	ErrRetry = errors.New("retry later")
)

// Request is one URL to scan.
type Request struct {
	URL      string // as submitted
	CanonURL string // its canonical form; "" when it has none (then URL dedupes)
	Host     string // the canonical host
	Profile  string // the browsing profile, encoded by the caller (opaque)
}

// Job is a scan handed to a Runner.
type Job struct {
	ID string
	Request
	CreatedAt time.Time
}

// Runner runs one scan and returns its outcome: Label, Score,
// RuleSetVersion, Phones, ErrorCodes, RuleIDs and Result are taken from the
// returned scan; the queue sets the rest. An error fails the scan with the
// error's text, which should be fit for the client.
type Runner interface {
	Run(ctx context.Context, job Job) (*verdict.Scan, error)
}

// bulkPutter is implemented by stores that write many scans in one
// transaction (boltstore).
type bulkPutter interface {
	PutScans(ctx context.Context, scans []*verdict.Scan) error
}

// Config tunes a Queue.
type Config struct {
	// Workers run scans at once; default 1. Match the browser pool.
	Workers int
	// QueueSize bounds the scans waiting for a worker; default 1000.
	QueueSize int
	// DedupWindow: a URL scanned (or queued) this recently is not scanned
	// again unless forced; default 10 minutes, negative disables dedup.
	DedupWindow time.Duration
	// Attempts per scan when the Runner asks for a retry; default 5.
	Attempts int
	// RetryDelay between attempts; default 2 s.
	RetryDelay time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Queue is the background scan queue. It is safe for concurrent use.
type Queue struct {
	cfg   Config
	store verdict.Store
	run   Runner
	log   *slog.Logger
	m     *Metrics

	submitMu sync.Mutex // serialises Submit and Recover: dedup, then write
	closed   bool       // guarded by submitMu

	mu       sync.Mutex
	cond     *sync.Cond
	pending  []Job               // waiting, oldest first
	known    map[string]struct{} // IDs waiting or running
	draining bool                // Close called: exit when pending is empty
	abandon  bool                // Close's context ended: exit now

	runCtx    context.Context
	cancelRun context.CancelFunc
	workers   sync.WaitGroup
}

// New starts a queue with cfg.Workers workers. log must not be nil; m may be.
func New(cfg Config, st verdict.Store, r Runner, log *slog.Logger, m *Metrics) *Queue {
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 1000
	}
	if cfg.DedupWindow == 0 {
		cfg.DedupWindow = 10 * time.Minute
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 5
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = 2 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	q := &Queue{cfg: cfg, store: st, run: r, log: log, m: m, known: map[string]struct{}{}}
	q.cond = sync.NewCond(&q.mu)
	q.runCtx, q.cancelRun = context.WithCancel(context.Background())
	for range cfg.Workers {
		q.workers.Add(1)
		go q.work()
	}
	return q
}

// NewID returns a new scan ID.
func NewID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// ValidID reports whether id has the form NewID gives.
func ValidID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Len returns how many scans are waiting.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}

// Submit queues reqs and returns one scan ID per request, in order. With
// force, no recent scan is reused (the same URL twice in reqs still makes
// one scan). Errors: ErrClosed, ErrFull, or the store's.
func (q *Queue) Submit(ctx context.Context, reqs []Request, force bool) ([]string, error) {
	q.submitMu.Lock()
	defer q.submitMu.Unlock()
	if q.closed {
		return nil, ErrClosed
	}
	now := verdict.Micro(q.cfg.Now())
	ids := make([]string, len(reqs))
	seen := make(map[string]string, len(reqs))
	var fresh []*verdict.Scan
	deduped := 0
	for i, r := range reqs {
		key := r.CanonURL
		if key == "" {
			key = r.URL
		}
		key += "\x00" + r.Profile
		if id, ok := seen[key]; ok {
			ids[i] = id
			deduped++
			continue
		}
		if !force && q.cfg.DedupWindow > 0 && r.CanonURL != "" {
			s, err := q.store.RecentScan(ctx, r.CanonURL, r.Profile, now.Add(-q.cfg.DedupWindow))
			switch {
			case err == nil:
				ids[i], seen[key] = s.ID, s.ID
				deduped++
				continue
			case !errors.Is(err, verdict.ErrNotFound):
				return nil, fmt.Errorf("look for a recent scan of %s: %w", r.CanonURL, err)
			}
		}
		id := NewID()
		ids[i], seen[key] = id, id
		fresh = append(fresh, &verdict.Scan{
			ID: id, URL: r.URL, CanonURL: r.CanonURL, Host: r.Host, Profile: r.Profile,
			// A microsecond apart, so that listings and Recover keep the order.
			State: verdict.StateQueued, CreatedAt: now.Add(time.Duration(len(fresh)) * time.Microsecond),
		})
	}
	q.mu.Lock()
	room := q.cfg.QueueSize - len(q.pending)
	q.mu.Unlock()
	if len(fresh) > room {
		q.m.submitted("rejected", len(reqs))
		return nil, fmt.Errorf("%w: %d scans wait, room for %d more, %d asked", ErrFull, q.cfg.QueueSize-room, room, len(fresh))
	}
	if err := q.put(ctx, fresh); err != nil {
		return nil, err
	}
	q.mu.Lock()
	for _, s := range fresh {
		q.pending = append(q.pending, Job{ID: s.ID, Request: Request{URL: s.URL, CanonURL: s.CanonURL, Host: s.Host, Profile: s.Profile}, CreatedAt: s.CreatedAt})
		q.known[s.ID] = struct{}{}
		q.cond.Signal()
	}
	q.m.setQueued(len(q.pending))
	q.mu.Unlock()
	q.m.submitted("queued", len(fresh))
	q.m.submitted("deduplicated", deduped)
	return ids, nil
}

func (q *Queue) put(ctx context.Context, scans []*verdict.Scan) error {
	if len(scans) == 0 {
		return nil
	}
	if bp, ok := q.store.(bulkPutter); ok && len(scans) > 1 {
		if err := bp.PutScans(ctx, scans); err != nil {
			return fmt.Errorf("store %d queued scans: %w", len(scans), err)
		}
		return nil
	}
	for _, s := range scans {
		if err := q.store.PutScan(ctx, s); err != nil {
			return fmt.Errorf("store queued scan %s: %w", s.ID, err)
		}
	}
	return nil
}

// Recover queues again the scans created since since that a previous run
// left queued or running, and returns how many. Those that do not fit in the
// queue are marked failed.
func (q *Queue) Recover(ctx context.Context, since time.Time) (int, error) {
	q.submitMu.Lock()
	defer q.submitMu.Unlock()
	if q.closed {
		return 0, ErrClosed
	}
	var (
		found []Job
		token string
	)
	for {
		page, next, err := q.store.ListScans(ctx, verdict.Filter{Since: since, PageSize: verdict.MaxPageSize, PageToken: token})
		if err != nil {
			return 0, fmt.Errorf("list scans to recover: %w", err)
		}
		for _, s := range page {
			if s.State != verdict.StateQueued && s.State != verdict.StateRunning {
				continue
			}
			found = append(found, Job{ID: s.ID, Request: Request{URL: s.URL, CanonURL: s.CanonURL, Host: s.Host, Profile: s.Profile}, CreatedAt: s.CreatedAt})
		}
		if next == "" {
			break
		}
		token = next
	}
	// Oldest first, as they were submitted.
	for i, j := 0, len(found)-1; i < j; i, j = i+1, j-1 {
		found[i], found[j] = found[j], found[i]
	}
	n := 0
	for _, job := range found {
		q.mu.Lock()
		_, dup := q.known[job.ID]
		full := len(q.pending) >= q.cfg.QueueSize
		if !dup && !full {
			q.pending = append(q.pending, job)
			q.known[job.ID] = struct{}{}
			q.cond.Signal()
			n++
		}
		q.m.setQueued(len(q.pending))
		q.mu.Unlock()
		if full && !dup {
			q.finish(job, nil, errors.New("the scan queue was full when the server restarted; submit the URL again"))
		}
	}
	return n, nil
}

// Close stops accepting scans and drains the queue until ctx ends, then
// cancels what runs and waits for the workers to write it back. It returns
// how many scans were left queued.
func (q *Queue) Close(ctx context.Context) int {
	q.submitMu.Lock()
	q.closed = true
	q.submitMu.Unlock()

	q.mu.Lock()
	q.draining = true
	q.cond.Broadcast()
	q.mu.Unlock()

	done := make(chan struct{})
	go func() {
		q.workers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		q.mu.Lock()
		q.abandon = true
		q.cond.Broadcast()
		q.mu.Unlock()
		q.cancelRun()
		<-done
	}
	q.cancelRun()
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}

// next blocks until a job is waiting or the queue stops.
func (q *Queue) next() (Job, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.pending) == 0 && !q.draining && !q.abandon {
		q.cond.Wait()
	}
	if q.abandon || len(q.pending) == 0 {
		return Job{}, false
	}
	job := q.pending[0]
	q.pending[0] = Job{}
	q.pending = q.pending[1:]
	q.m.setQueued(len(q.pending))
	return job, true
}

func (q *Queue) work() {
	defer q.workers.Done()
	for {
		job, ok := q.next()
		if !ok {
			return
		}
		q.runJob(job)
		q.mu.Lock()
		delete(q.known, job.ID)
		q.mu.Unlock()
	}
}

func (q *Queue) runJob(job Job) {
	q.m.running(1)
	defer q.m.running(-1)
	running := q.scanOf(job)
	running.State = verdict.StateRunning
	if err := q.write(running); err != nil {
		q.log.Error("mark scan running", slog.String("scan_id", job.ID), slog.Any("error", err))
	}
	var (
		res *verdict.Scan
		err error
	)
	for attempt := 1; ; attempt++ {
		res, err = q.run.Run(q.runCtx, job)
		if err == nil || !errors.Is(err, ErrRetry) || attempt >= q.cfg.Attempts {
			break
		}
		select {
		case <-time.After(q.cfg.RetryDelay):
		case <-q.runCtx.Done():
		}
		if q.runCtx.Err() != nil {
			break
		}
	}
	if err != nil && q.runCtx.Err() != nil {
		// Shutting down: leave it for the next start.
		back := q.scanOf(job)
		if werr := q.write(back); werr != nil {
			q.log.Error("put an interrupted scan back in the queue", slog.String("scan_id", job.ID), slog.Any("error", werr))
		}
		return
	}
	q.finish(job, res, err)
}

// finish writes a scan done (res) or failed (err).
func (q *Queue) finish(job Job, res *verdict.Scan, err error) {
	s := q.scanOf(job)
	s.FinishedAt = verdict.Micro(q.cfg.Now())
	if s.FinishedAt.Before(s.CreatedAt) {
		s.FinishedAt = s.CreatedAt
	}
	if err == nil {
		s.State = verdict.StateDone
		s.Label, s.Score, s.RuleSetVersion = res.Label, res.Score, res.RuleSetVersion
		s.Phones, s.ErrorCodes, s.RuleIDs, s.Result = res.Phones, res.ErrorCodes, res.RuleIDs, res.Result
		werr := q.write(s)
		if werr == nil {
			q.m.finished(verdict.StateDone)
			return
		}
		q.log.Error("store a finished scan", slog.String("scan_id", job.ID), slog.Any("error", werr))
		err = errors.New("the scan finished but its result could not be stored")
		finished := s.FinishedAt
		s = q.scanOf(job)
		s.FinishedAt = finished
	}
	s.State = verdict.StateFailed
	s.Error = truncate(err.Error(), 1024)
	if werr := q.write(s); werr != nil {
		q.log.Error("store a failed scan", slog.String("scan_id", job.ID), slog.Any("error", werr))
	}
	q.m.finished(verdict.StateFailed)
}

func (q *Queue) scanOf(job Job) *verdict.Scan {
	return &verdict.Scan{
		ID: job.ID, URL: job.URL, CanonURL: job.CanonURL, Host: job.Host, Profile: job.Profile,
		State: verdict.StateQueued, CreatedAt: job.CreatedAt,
	}
}

// write stores s with a context of its own: the run's may be cancelled.
func (q *Queue) write(s *verdict.Scan) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return q.store.PutScan(ctx, s)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 { // do not cut a UTF-8 sequence
		n--
	}
	return s[:n] + "..."
}

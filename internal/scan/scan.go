// Package scan runs the classification pipeline: content -> extract ->
// rules (match) -> score. It owns the limits and the stage timings; it knows
// nothing of gRPC. URL scans put a browser stage (the Renderer interface,
// implemented by internal/browser) before extract.
package scan

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/rules"
	"github.com/scamscope/scamscope/internal/score"
)

// Errors the pipeline returns; the server maps them to status codes.
var (
	ErrEmpty    = errors.New("empty content")
	ErrTooLarge = errors.New("content too large")
	ErrBinary   = errors.New("content is binary, not a web page")
)

// Timing is the time one stage took.
type Timing struct {
	Stage    string
	Duration time.Duration
}

// Result is a scan's verdict with its stage timings.
type Result struct {
	Verdict score.Verdict
	Timings []Timing
}

// Observer is told how long each stage took; metrics implement it.
type Observer interface {
	ObserveStage(stage string, d time.Duration)
}

// Config bounds a scan.
type Config struct {
	// MaxContentBytes bounds markup plus scripts of one scan.
	MaxContentBytes int
}

// DefaultConfig is what the server runs with unless told otherwise.
func DefaultConfig() Config { return Config{MaxContentBytes: 8 << 20} }

// Scanner classifies content with one rule set. It is safe for concurrent use.
type Scanner struct {
	cfg      Config
	rules    *rules.Set
	obs      Observer
	renderer Renderer // nil: no URL scans
}

// New returns a Scanner; obs may be nil.
func New(cfg Config, rs *rules.Set, obs Observer) *Scanner {
	if cfg.MaxContentBytes <= 0 {
		cfg.MaxContentBytes = DefaultConfig().MaxContentBytes
	}
	return &Scanner{cfg: cfg, rules: rs, obs: obs}
}

// RuleSet returns the rule set the scanner uses.
func (s *Scanner) RuleSet() *rules.Set { return s.rules }

// Validate checks content against the limits without scanning it.
func (s *Scanner) Validate(c *extract.Content) error {
	n := len(c.HTML)
	for _, sc := range c.Scripts {
		n += len(sc.Source)
	}
	if n == 0 {
		return ErrEmpty
	}
	if n > s.cfg.MaxContentBytes {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, n, s.cfg.MaxContentBytes)
	}
	if len(c.HTML) > 0 && looksBinary(c.HTML) {
		return ErrBinary
	}
	return nil
}

// ScanContent classifies submitted content. It honours ctx between stages.
func (s *Scanner) ScanContent(ctx context.Context, c *extract.Content) (*Result, error) {
	if err := s.Validate(c); err != nil {
		return nil, err
	}
	res := &Result{Timings: make([]Timing, 0, 4)}
	if err := s.classify(ctx, c, res); err != nil {
		return nil, err
	}
	return res, nil
}

// classify runs extract, match and score over c into res.
func (s *Scanner) classify(ctx context.Context, c *extract.Content, res *Result) error {
	t0 := time.Now()
	f := extract.Extract(c)
	s.timed(res, "extract", t0)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("after extract: %w", err)
	}
	t1 := time.Now()
	fired := s.rules.Evaluate(f)
	s.timed(res, "match", t1)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("after match: %w", err)
	}
	t2 := time.Now()
	res.Verdict = score.Score(f, fired, s.rules.Scoring())
	res.Verdict.RuleSetVersion = s.rules.Version()
	s.timed(res, "score", t2)
	return nil
}

func (s *Scanner) timed(res *Result, stage string, t0 time.Time) {
	d := time.Since(t0)
	res.Timings = append(res.Timings, Timing{Stage: stage, Duration: d})
	if s.obs != nil {
		s.obs.ObserveStage(stage, d)
	}
}

// looksBinary reports whether the first bytes hold NULs or mostly control
// bytes, as images, archives and executables do. Invalid UTF-8 alone is not
// binary: pages in legacy charsets are decoded by extract.
func looksBinary(b []byte) bool {
	if len(b) > 1024 {
		b = b[:1024]
	}
	ctl := 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		i += size
		switch {
		case r == 0:
			return true
		case r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\f':
			ctl++
		}
	}
	return ctl*10 > len(b)
}

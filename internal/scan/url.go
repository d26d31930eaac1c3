package scan

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/scamscope/scamscope/internal/browser"
	"github.com/scamscope/scamscope/internal/extract"
)

// ErrNoBrowser means the scanner has no browser: URL scans are off.
var ErrNoBrowser = errors.New("url scanning is not enabled: the server runs without a browser")

// Renderer loads a URL in a browser and reports what the page showed and
// did. *browser.Pool implements it.
type Renderer interface {
	Render(ctx context.Context, rawURL string, prof browser.Profile, opts browser.Options) (*browser.Page, error)
}

// URLResult is a URL scan's verdict with what the page run showed.
type URLResult struct {
	Result
	Page *browser.Page
}

// WithRenderer returns a copy of s that scans URLs with r.
func (s *Scanner) WithRenderer(r Renderer) *Scanner {
	c := *s
	c.renderer = r
	return &c
}

// ScanURL renders rawURL with the visitor profile prof and classifies what
// the page showed and did: its final DOM, every script it ran, its dialogs
// and the lock behaviours observed while it ran go through the same
// extract, match and score stages as ScanContent.
func (s *Scanner) ScanURL(ctx context.Context, rawURL string, prof browser.Profile, opts browser.Options) (*URLResult, error) {
	if s.renderer == nil {
		return nil, ErrNoBrowser
	}
	res := &URLResult{Result: Result{Timings: make([]Timing, 0, 4)}}
	t0 := time.Now()
	page, err := s.renderer.Render(ctx, rawURL, prof, opts)
	s.timed(&res.Result, "fetch", t0)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", rawURL, err)
	}
	res.Page = page
	if err := s.classify(ctx, PageContent(page), &res.Result); err != nil {
		return nil, err
	}
	return res, nil
}

// PageContent turns a rendered page into extract's input: the final DOM,
// the scripts that ran, the dialogs' texts and the observed behaviours.
func PageContent(p *browser.Page) *extract.Content {
	c := &extract.Content{HTML: p.HTML, ContentType: "text/html", Behaviors: p.Behaviors}
	if u, err := url.Parse(p.FinalURL); err == nil && u.Scheme != "" {
		c.URL = u
	}
	for _, sc := range p.Scripts {
		c.Scripts = append(c.Scripts, extract.Script{Name: sc.URL, Source: sc.Source})
	}
	for _, d := range p.Dialogs {
		if d.Message != "" {
			c.Dialogs = append(c.Dialogs, d.Message)
		}
	}
	return c
}

package matchbench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"time"

	"golang.org/x/net/html"

	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/rules"
	"github.com/scamscope/scamscope/internal/scan"
)

// PipelineSpeed is the static pipeline's throughput (scan.ScanContent on
// each page's HTML: parse, extract, match, score) next to parsing alone
// (golang.org/x/net/html.Parse, as goquery parses) on the same pages.
type PipelineSpeed struct {
	Pages     int
	Bytes     int64         // HTML
	Pipeline  time.Duration // the median pass
	ParseOnly time.Duration // the median pass
	// Ratios holds each pass's parsing time over its pipeline time, in
	// pass order.
	Ratios []float64
}

// PagesPerSec is the pipeline's pages per second.
func (p PipelineSpeed) PagesPerSec() float64 { return float64(p.Pages) / p.Pipeline.Seconds() }

// MBps is the pipeline's MB (1e6 bytes) of HTML per second.
func (p PipelineSpeed) MBps() float64 { return float64(p.Bytes) / 1e6 / p.Pipeline.Seconds() }

// ParseMBps is parsing's MB of HTML per second.
func (p PipelineSpeed) ParseMBps() float64 { return float64(p.Bytes) / 1e6 / p.ParseOnly.Seconds() }

// Ratio is the pipeline's throughput as a share of parsing's: the median
// of the passes' Ratios. A pass times the pipeline and then parsing back to
// back, so both see the same state of a host whose speed drifts; the ratio
// of the two medians could pair a pipeline pass from a slow stretch with a
// parsing pass from a fast one. Without Ratios, it is the ratio of the
// medians.
func (p PipelineSpeed) Ratio() float64 {
	if len(p.Ratios) == 0 {
		return p.ParseOnly.Seconds() / p.Pipeline.Seconds()
	}
	return Median(p.Ratios)
}

// Pipeline is the static pipeline set up over the pages the scanner
// accepts: Scan runs it on every page, Parse parses every page alone.
type Pipeline struct {
	sc    *scan.Scanner
	cs    []*extract.Content
	Bytes int64 // HTML of the accepted pages
}

// NewPipeline sets up the pipeline for set over pages.
func NewPipeline(set *rules.Set, pages []Page) (*Pipeline, error) {
	p := &Pipeline{sc: scan.New(scan.DefaultConfig(), set, nil)}
	for _, pg := range pages {
		c := &extract.Content{HTML: pg.HTML}
		if p.sc.Validate(c) == nil {
			p.cs = append(p.cs, c)
			p.Bytes += int64(len(pg.HTML))
		}
	}
	if len(p.cs) == 0 {
		return nil, fmt.Errorf("pipeline: %w", ErrNoInput)
	}
	return p, nil
}

// Pages returns the number of pages the pipeline runs on.
func (p *Pipeline) Pages() int { return len(p.cs) }

// Scan runs ScanContent on every page.
func (p *Pipeline) Scan(ctx context.Context) error {
	for _, c := range p.cs {
		if _, err := p.sc.ScanContent(ctx, c); err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
	}
	return nil
}

// Parse parses every page with golang.org/x/net/html.
func (p *Pipeline) Parse() error {
	for _, c := range p.cs {
		if _, err := html.Parse(bytes.NewReader(c.HTML)); err != nil {
			return fmt.Errorf("parse: %w", err)
		}
	}
	return nil
}

// MeasurePipeline times passes passes of the pipeline and of parsing alone
// over the pages that the scanner accepts, alternating the two so that both
// see the same machine, and reports the medians and each pass's ratio.
func MeasurePipeline(ctx context.Context, set *rules.Set, pages []Page, passes int) (PipelineSpeed, error) {
	p, err := NewPipeline(set, pages)
	if err != nil {
		return PipelineSpeed{}, err
	}
	sp := PipelineSpeed{Pages: p.Pages(), Bytes: p.Bytes}
	gc()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	passes = max(passes, 1)
	var tp, tq []time.Duration
	for i := -1; i < passes; i++ { // pass -1 warms up
		if err := ctx.Err(); err != nil {
			return sp, err
		}
		t0 := time.Now()
		if err := p.Scan(ctx); err != nil {
			return sp, err
		}
		t1 := time.Now()
		if err := p.Parse(); err != nil {
			return sp, err
		}
		if i >= 0 {
			dp, dq := t1.Sub(t0), time.Since(t1)
			tp, tq = append(tp, dp), append(tq, dq)
			sp.Ratios = append(sp.Ratios, dq.Seconds()/dp.Seconds())
		}
	}
	sp.Pipeline, sp.ParseOnly = Median(tp), Median(tq)
	return sp, nil
}

// writePipeline writes the static pipeline's figures.
func writePipeline(w io.Writer, sp PipelineSpeed) {
	fmt.Fprintf(w, "\nstatic pipeline (ScanContent: parse, extract, match, score) on %d pages, %.2f MB of HTML:\n", sp.Pages, float64(sp.Bytes)/1e6)
	fmt.Fprintf(w, "  pipeline    %7.1f pages/s  %6.1f MB/s\n", sp.PagesPerSec(), sp.MBps())
	fmt.Fprintf(w, "  parse only  %7.1f pages/s  %6.1f MB/s  (golang.org/x/net/html.Parse)\n", float64(sp.Pages)/sp.ParseOnly.Seconds(), sp.ParseMBps())
	// Three places, so that a ratio just under the 0.5 does not
	// print as 0.50.
	fmt.Fprintf(w, "  pipeline / parse only: %.3f (the median of %d passes, each timing the pipeline and then parsing:", sp.Ratio(), len(sp.Ratios))
	for _, r := range sp.Ratios {
		fmt.Fprintf(w, " %.3f", r)
	}
	fmt.Fprintln(w, ")")
}

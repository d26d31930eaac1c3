package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
)

// upstreamFailed is the body of the egress proxy's answer when it could
// not reach a plain-http upstream.
const upstreamFailed = "egress: upstream failed"

// collect reads the page and builds the result. ctx is the Render's.
func (s *scan) collect(ctx context.Context) (*Page, error) {
	if !s.inst.alive() {
		return nil, fmt.Errorf("browser: render %s: %w", s.url, ErrCrashed)
	}
	crashed := s.isCrashedNow()
	if crashed {
		s.note("page: renderer crashed")
	}
	var html []byte
	looping := 0
	if !crashed {
		h, l, err := s.readDOM(ctx)
		if err != nil {
			s.note("html: " + shortErr(err))
		}
		html, looping = h, l
		if snap, err := s.evalString(ctx, "(function(){var f=window["+strconv.Quote(s.names.global)+"];return typeof f==='function'?f():''})()", 0); err == nil {
			s.mu.Lock()
			s.probe.add(snap)
			s.mu.Unlock()
		} else {
			s.note("probes: " + shortErr(err))
		}
		s.drainScripts(ctx)
	}
	var shot []byte
	if s.opts.Screenshot && !crashed {
		shot = s.screenshot(ctx)
	}
	rep := s.proxy.Report()
	s.loopCancel()
	s.loops.Wait() // no more writes by the loops

	s.mu.Lock()
	defer s.mu.Unlock()
	s.finished = true
	if s.status >= 400 {
		if b, ok := blockedDocument(rep, []string{s.finalURL}); ok {
			return nil, fmt.Errorf("browser: render %s: %w: %s (%s)", s.url, ErrBlocked, b.Target, b.Reason)
		}
	}
	// For plain http the proxy answers a failed upstream itself; its error
	// page is not the site's.
	if (s.status == http.StatusBadGateway || s.status == http.StatusGatewayTimeout) && rep.Failed > 0 &&
		len(html) < 512 && bytes.Contains(html, []byte(upstreamFailed)) {
		return nil, fmt.Errorf("browser: render %s: %w: upstream failed (%d)", s.url, ErrNavigation, s.status)
	}
	calls := s.probe.total()
	if looping > 0 {
		calls[CallMediaLooping] += looping
	}
	pg := &Page{
		RequestedURL:  s.url,
		FinalURL:      s.finalURL,
		Redirects:     s.redirects,
		Status:        s.status,
		HTML:          html,
		Scripts:       s.scripts,
		Dialogs:       s.dialogs,
		Calls:         calls,
		Behaviors:     behaviors(calls, s.dialogTypes),
		Blocked:       rep.Blocked,
		ConsoleErrors: s.console,
		Screenshot:    shot,
		Profile:       s.prof,
		StartedAt:     s.start,
		Truncated:     s.truncated,
	}
	if pg.FinalURL == "" {
		pg.FinalURL = s.url
	}
	cut := func(n int, what string) {
		if n > 0 {
			pg.Truncated = append(pg.Truncated, fmt.Sprintf("%s: %d left out", what, n))
		}
	}
	cut(s.dialogsCut, "dialogs")
	cut(s.redirectsCut, "redirects")
	cut(s.consoleCut, "console errors")
	cut(s.scriptsCut, "scripts")
	cut(rep.Dropped, "blocked requests")
	return pg, nil
}

// shortErr keeps notes free of long chromedp messages.
func shortErr(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline exceeded"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return truncate(err.Error(), 200)
}

// evalString evaluates expr (in the execution context ctxID, 0 for the
// main world) and returns its string value. A page whose JavaScript
// never yields cannot answer: if a try gets no answer in a slice of the
// time left, evalString stops the running script with
// Runtime.terminateExecution and tries again.
func (s *scan) evalString(ctx context.Context, expr string, ctxID runtime.ExecutionContextID) (string, error) {
	expr += "\n//# sourceURL=" + s.names.source
	var res runtime.EvaluateResult
	err := s.busyRetry(ctx, func(ctx context.Context) error {
		var err error
		res, err = call(ctx, s, runtime.Evaluate, runtime.EvaluateParams{
			Expression: expr, ContextID: ctxID, ReturnByValue: new(true), Silent: new(true),
		})
		return err
	})
	if err != nil {
		return "", err
	}
	if res.ExceptionDetails != nil {
		return "", fmt.Errorf("exception: %s", truncate(res.ExceptionDetails.Text, 100))
	}
	var v string
	if res.Result == nil || json.Unmarshal(res.Result.Value, &v) != nil {
		return "", errors.New("not a string")
	}
	return v, nil
}

// busyRetry runs f with a slice of the time left; when the slice runs
// out but ctx has not, the page is busy: it terminates the page's running
// JavaScript and tries again, at most three times.
func (s *scan) busyRetry(ctx context.Context, f func(context.Context) error) error {
	for try := 0; ; try++ {
		deadline, _ := ctx.Deadline()
		left := time.Until(deadline)
		if left <= 0 {
			return context.DeadlineExceeded
		}
		slice := left
		if try < 2 {
			slice = min(left/3, time.Second)
		}
		tctx, cancel := context.WithTimeout(ctx, slice)
		err := f(tctx)
		cancel()
		if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) || try == 2 {
			return err
		}
		s.stopScript(ctx, stopAtRead)
	}
}

// stopScript stops the page's running JavaScript
// (Runtime.terminateExecution), notes it and counts it under when; the
// page's timers and handlers still run afterwards.
func (s *scan) stopScript(ctx context.Context, when string) {
	s.note("javascript: page was busy and was stopped")
	s.p.m.scriptStop(when)
	deadline, _ := ctx.Deadline()
	tctx, cancel := context.WithTimeout(ctx, min(time.Until(deadline)/2, 500*time.Millisecond))
	defer cancel()
	_, _ = call(tctx, s, runtime.TerminateExecution, cdp.Empty{})
}

// domSnapshot is what readDOM's script returns.
type domSnapshot struct {
	HTML      string `json:"h"`
	Length    int    `json:"n"`
	Looping   int    `json:"l"`
	Truncated bool   `json:"t"`
}

// readDOM serialises the main frame's DOM in an isolated world (the page
// cannot tamper with the serialiser there), cut to MaxDOMBytes, and
// counts looping media that play or autoplay.
func (s *scan) readDOM(ctx context.Context) ([]byte, int, error) {
	var world page.CreateIsolatedWorldResult
	err := s.busyRetry(ctx, func(ctx context.Context) error {
		var err error
		world, err = call(ctx, s, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{
			FrameID: s.mainFrame, WorldName: s.names.global,
		})
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	expr := fmt.Sprintf(`(function () {
var N = %d, d = document, s = '';
if (d.doctype) s = '<!DOCTYPE ' + d.doctype.name + '>';
if (d.documentElement) s += d.documentElement.outerHTML;
var l = 0, ms = d.querySelectorAll('audio,video');
for (var i = 0; i < ms.length && i < 1000; i++) { var m = ms[i]; if (m.loop && (!m.paused || m.autoplay)) l++; }
return JSON.stringify({h: s.length > N ? s.slice(0, N) : s, n: s.length, l: l, t: s.length > N});
})()`, s.cfg.MaxDOMBytes)
	v, err := s.evalString(ctx, expr, world.ExecutionContextID)
	if err != nil {
		return nil, 0, err
	}
	var snap domSnapshot
	if err := json.Unmarshal([]byte(v), &snap); err != nil {
		return nil, 0, err
	}
	h := snap.HTML
	if len(h) > s.cfg.MaxDOMBytes {
		h = truncate(h, s.cfg.MaxDOMBytes)
		snap.Truncated = true
	}
	if snap.Truncated {
		s.note(fmt.Sprintf("html: cut to %d bytes (document has %d characters)", len(h), snap.Length))
	}
	return []byte(h), snap.Looping, nil
}

// screenshot takes a PNG of the viewport. Headless Chromium captures the
// next compositor frame, and a still page may not make one for seconds:
// after a short first try, it resizes the viewport to the same size (which
// forces a frame) and tries again.
func (s *scan) screenshot(ctx context.Context) []byte {
	deadline, _ := ctx.Deadline()
	var res page.CaptureScreenshotResult
	var err error
	for try := range 2 {
		left := time.Until(deadline)
		wait := min(left, 3*time.Second)
		if try == 0 {
			wait = min(left/2, time.Second)
		}
		sctx, cancel := context.WithTimeout(ctx, wait)
		if try > 0 {
			_, _ = call(sctx, s, emulation.SetDeviceMetricsOverride, s.metrics())
		}
		_, _ = call(sctx, s, page.BringToFront, cdp.Empty{})
		res, err = call(sctx, s, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format: page.CaptureScreenshotFormatPng, OptimizeForSpeed: new(true),
		})
		cancel()
		if err == nil || ctx.Err() != nil {
			break
		}
	}
	switch {
	case err != nil:
		s.note("screenshot: " + shortErr(err))
		return nil
	case len(res.Data) > s.cfg.MaxScreenshotBytes:
		s.note(fmt.Sprintf("screenshot: %d bytes, over the limit", len(res.Data)))
		return nil
	}
	return res.Data
}

// metrics is the profile's viewport.
func (s *scan) metrics() emulation.SetDeviceMetricsOverrideParams {
	pr := s.prof
	return emulation.SetDeviceMetricsOverrideParams{
		Width: int64(pr.ViewportWidth), Height: int64(pr.ViewportHeight),
		DeviceScaleFactor: pr.ScaleFactor, Mobile: pr.Mobile,
		ScreenWidth: int64(pr.ViewportWidth), ScreenHeight: int64(pr.ViewportHeight),
	}
}

// truncate cuts s to at most n bytes of valid UTF-8.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

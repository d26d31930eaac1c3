package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
	"github.com/scamscope/scamscope/internal/apiconv"
	"github.com/scamscope/scamscope/internal/browser"
	"github.com/scamscope/scamscope/internal/scan"
)

// ScanURL renders a URL in the browser pool and classifies it.
func (s *ScanService) ScanURL(ctx context.Context, req *scamscopev1.ScanURLRequest) (*scamscopev1.ScanURLResponse, error) {
	const method = scamscopev1.ScanService_ScanURL_FullMethodName
	resp, err := s.scanURL(ctx, req)
	if err != nil {
		if st, ok := urlScanStatus(err); ok {
			return nil, st
		}
		return nil, s.toStatus(ctx, method, err)
	}
	return resp, nil
}

func (s *ScanService) scanURL(ctx context.Context, req *scamscopev1.ScanURLRequest) (*scamscopev1.ScanURLResponse, error) {
	if _, err := parsePageURL(req.GetUrl()); err != nil || req.GetUrl() == "" {
		return nil, &invalidArgumentError{fmt.Sprintf("url %q is not an absolute http or https URL (like https://example.com/page)", truncate(req.GetUrl(), 200))}
	}
	prof, err := profileFromProto(req.GetProfile())
	if err != nil {
		return nil, err
	}
	timeout := s.cfg.URLScanTimeout
	if d := req.GetTimeout(); d != nil {
		if err := d.CheckValid(); err != nil || d.AsDuration() <= 0 {
			return nil, &invalidArgumentError{"timeout must be a positive duration, like \"20s\""}
		}
		timeout = min(timeout, d.AsDuration())
	}
	started := time.Now()
	scanCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := s.scanner.ScanURL(scanCtx, req.GetUrl(), prof, browser.Options{Screenshot: req.GetScreenshot()})
	if err != nil {
		return nil, err
	}
	if s.obs != nil {
		s.obs.ObserveVerdict(&res.Verdict)
	}
	resp := &scamscopev1.ScanURLResponse{
		Verdict: apiconv.Verdict(res.Verdict, res.Timings),
		Run:     pageRunToProto(res.Page),
	}
	s.storeURLScan(ctx, req.GetUrl(), prof, started, resp)
	return resp, nil
}

// profileFromProto starts from the named built-in profile (the default
// Windows desktop when unnamed) and applies the fields that are set.
func profileFromProto(p *scamscopev1.BrowsingProfile) (browser.Profile, error) {
	prof := browser.DefaultProfile()
	if name := p.GetName(); name != "" {
		named, err := browser.LookupProfile(name)
		if err != nil {
			return prof, &invalidArgumentError{fmt.Sprintf("profile.name %q is not a built-in profile (%v)", truncate(name, 64), profileNames())}
		}
		prof = named
	}
	if v := p.GetUserAgent(); v != "" {
		prof.UserAgent = v
	}
	if v := p.GetAcceptLanguage(); v != "" {
		prof.AcceptLanguage = v
	}
	if v := p.GetTimezone(); v != "" {
		if _, err := time.LoadLocation(v); err != nil {
			return prof, &invalidArgumentError{fmt.Sprintf("profile.timezone %q is not an IANA time zone (like Europe/Paris)", truncate(v, 64))}
		}
		prof.Timezone = v
	}
	if v := p.GetPlatform(); v != "" {
		prof.Platform = v
	}
	w, h := int(p.GetViewportWidth()), int(p.GetViewportHeight())
	if w != 0 || h != 0 {
		if w < 200 || w > 4096 || h < 200 || h > 4096 {
			return prof, &invalidArgumentError{"profile viewport must be 200..4096 pixels in each dimension"}
		}
		prof.ViewportWidth, prof.ViewportHeight = w, h
	}
	return prof, nil
}

func profileNames() []string {
	var names []string
	for _, p := range browser.Profiles() {
		names = append(names, p.Name)
	}
	return names
}

func profileToProto(p browser.Profile) *scamscopev1.BrowsingProfile {
	return &scamscopev1.BrowsingProfile{
		Name: p.Name, UserAgent: p.UserAgent, AcceptLanguage: p.AcceptLanguage, Timezone: p.Timezone,
		ViewportWidth: int32(p.ViewportWidth), ViewportHeight: int32(p.ViewportHeight), Platform: p.Platform,
	}
}

func pageRunToProto(p *browser.Page) *scamscopev1.PageRun {
	run := &scamscopev1.PageRun{
		FinalUrl:      p.FinalURL,
		HttpStatus:    int32(p.Status),
		ConsoleErrors: p.ConsoleErrors,
		ScreenshotPng: p.Screenshot,
		Profile:       profileToProto(p.Profile),
		StartedAt:     timestamppb.New(p.StartedAt),
	}
	for _, n := range p.Redirects {
		run.RedirectChain = append(run.RedirectChain, &scamscopev1.Navigation{Url: n.URL, Kind: string(n.Kind), HttpStatus: int32(n.Status)})
	}
	for _, d := range p.Dialogs {
		run.Dialogs = append(run.Dialogs, &scamscopev1.Dialog{Type: d.Type, Message: d.Message, Count: int32(d.Count), SinceLoad: durationpb.New(d.SinceLoad)})
	}
	for _, b := range p.Blocked {
		run.BlockedRequests = append(run.BlockedRequests, &scamscopev1.BlockedRequest{Url: b.Target, Reason: string(b.Reason)})
	}
	return run
}

// urlScanStatus maps the browser's errors; toStatus calls it first.
func urlScanStatus(err error) (error, bool) {
	switch {
	case errors.Is(err, scan.ErrNoBrowser):
		return status.Error(codes.Unavailable,
			"URL scanning is not enabled on this server (it runs without Chromium: apt-get install chromium, then restart it); send the page's markup with ScanContent instead"), true
	case errors.Is(err, browser.ErrBusy):
		return status.Error(codes.ResourceExhausted,
			"every browser tab is busy and the queue is full: retry in a few seconds, or use SubmitURLs for bulk"), true
	case errors.Is(err, browser.ErrBadURL):
		return status.Error(codes.InvalidArgument, "url must be an absolute http or https URL"), true
	case errors.Is(err, browser.ErrBlocked):
		return status.Errorf(codes.InvalidArgument,
			"the egress policy refuses this destination (private, loopback, link-local or metadata address, or a port that is not allowed): %v", err), true
	case errors.Is(err, browser.ErrNavigation):
		return status.Errorf(codes.Unavailable, "the page could not be loaded: %v", err), true
	case errors.Is(err, browser.ErrBrowserUnavailable), errors.Is(err, browser.ErrCrashed), errors.Is(err, browser.ErrClosed):
		return status.Errorf(codes.Unavailable, "the browser is not available right now (%v): retry shortly", err), true
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded,
			"the page did not load before the scan's deadline: allow more time (timeout) or check that the URL answers"), true
	}
	return nil, false
}

package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
	"github.com/scamscope/scamscope/internal/apiconv"
	"github.com/scamscope/scamscope/internal/browser"
	"github.com/scamscope/scamscope/internal/scanqueue"
	"github.com/scamscope/scamscope/internal/urlcanon"
	"github.com/scamscope/scamscope/internal/verdict"
)

// WithStore makes ScanURL store every successful scan in st and answer with
// its scan_id; nil stores nothing. Call it before serving.
func (s *ScanService) WithStore(st verdict.Store) *ScanService {
	s.store = st
	return s
}

// storeURLScan stores a finished ScanURL and sets resp.ScanId; a store
// failure is logged and leaves scan_id empty: the caller still gets the
// verdict it waited for.
func (s *ScanService) storeURLScan(ctx context.Context, rawURL string, prof browser.Profile, started time.Time, resp *scamscopev1.ScanURLResponse) {
	if s.store == nil {
		return
	}
	resp.ScanId = scanqueue.NewID()
	sc, err := storedScan(resp.ScanId, rawURL, profileKey(prof), resp, started, time.Now())
	if err == nil {
		err = s.store.PutScan(ctx, sc)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "store a URL scan", slog.String("scan_id", resp.ScanId), slog.Any("error", err))
		resp.ScanId = ""
	}
}

// storedScan is the done verdict.Scan of a URL scan's response.
func storedScan(id, rawURL, profile string, resp *scamscopev1.ScanURLResponse, created, finished time.Time) (*verdict.Scan, error) {
	sc := &verdict.Scan{
		ID: id, URL: rawURL, Profile: profile, State: verdict.StateDone,
		CreatedAt: verdict.Micro(created), FinishedAt: verdict.Micro(finished),
	}
	if sc.FinishedAt.Before(sc.CreatedAt) {
		sc.FinishedAt = sc.CreatedAt
	}
	if u, err := urlcanon.Canonicalize(rawURL); err == nil {
		sc.CanonURL, sc.Host = u.String(), u.Host
	}
	fillOutcome(sc, resp)
	b, err := proto.Marshal(resp)
	if err != nil {
		return nil, fmt.Errorf("marshal the scan result: %w", err)
	}
	sc.Result = b
	return sc, nil
}

// fillOutcome copies what analysts pivot on from the response into sc.
func fillOutcome(sc *verdict.Scan, resp *scamscopev1.ScanURLResponse) {
	v := resp.GetVerdict()
	if l := verdict.Label(v.GetLabel()); l >= verdict.LabelUnknown && l <= verdict.LabelScam {
		sc.Label = l
	}
	sc.Score = int(v.GetScore())
	sc.RuleSetVersion = v.GetRuleSetVersion()
	add := func(list []string, s string) []string {
		if s == "" || len(s) > verdict.MaxValueLen || len(list) >= verdict.MaxListLen || slices.Contains(list, s) {
			return list
		}
		return append(list, s)
	}
	for _, p := range v.GetIndicators().GetPhoneNumbers() {
		sc.Phones = add(sc.Phones, p.GetE164())
	}
	for _, c := range v.GetIndicators().GetErrorCodes() {
		sc.ErrorCodes = add(sc.ErrorCodes, c.GetCode())
	}
	for _, r := range v.GetFiredRules() {
		sc.RuleIDs = add(sc.RuleIDs, r.GetId())
	}
}

// profileKey encodes a browsing profile for storage and dedup: the built-in
// profile's name, followed by "?" and the fields that differ from it
// (query-encoded, keys sorted), so that equal profiles get equal keys.
func profileKey(p browser.Profile) string {
	base, err := browser.LookupProfile(p.Name)
	if err != nil {
		base = browser.DefaultProfile()
	}
	v := url.Values{}
	set := func(k, got, want string) {
		if got != want {
			v.Set(k, got)
		}
	}
	set("ua", p.UserAgent, base.UserAgent)
	set("lang", p.AcceptLanguage, base.AcceptLanguage)
	set("tz", p.Timezone, base.Timezone)
	set("platform", p.Platform, base.Platform)
	if p.ViewportWidth != base.ViewportWidth || p.ViewportHeight != base.ViewportHeight {
		v.Set("vw", strconv.Itoa(p.ViewportWidth))
		v.Set("vh", strconv.Itoa(p.ViewportHeight))
	}
	if len(v) == 0 {
		return base.Name
	}
	return base.Name + "?" + v.Encode()
}

// profileFromKey decodes profileKey, checking it as a request's profile.
func profileFromKey(key string) (browser.Profile, error) {
	name, query, _ := strings.Cut(key, "?")
	v, err := url.ParseQuery(query)
	if err != nil {
		return browser.Profile{}, fmt.Errorf("profile %q: %w", key, err)
	}
	w, _ := strconv.Atoi(v.Get("vw"))
	h, _ := strconv.Atoi(v.Get("vh"))
	return profileFromProto(&scamscopev1.BrowsingProfile{
		Name: name, UserAgent: v.Get("ua"), AcceptLanguage: v.Get("lang"), Timezone: v.Get("tz"),
		Platform: v.Get("platform"), ViewportWidth: int32(w), ViewportHeight: int32(h),
	})
}

// URLScanRunner runs the scans of a scanqueue.Queue with a ScanService's
// scanner (the browser pool), so that background scans produce exactly what
// ScanURL answers.
type URLScanRunner struct {
	svc *ScanService
}

// NewURLScanRunner returns a runner over svc.
func NewURLScanRunner(svc *ScanService) *URLScanRunner { return &URLScanRunner{svc: svc} }

// Run renders and classifies job.URL. A busy browser is ErrRetry; other
// errors carry the message ScanURL would answer with.
func (r *URLScanRunner) Run(ctx context.Context, job scanqueue.Job) (*verdict.Scan, error) {
	prof, err := profileFromKey(job.Profile)
	if err != nil {
		return nil, fmt.Errorf("the stored browsing profile is not valid: %v", err)
	}
	started := time.Now()
	ctx, cancel := context.WithTimeout(ctx, r.svc.cfg.URLScanTimeout)
	defer cancel()
	res, err := r.svc.scanner.ScanURL(ctx, job.URL, prof, browser.Options{})
	if err != nil {
		if errors.Is(err, browser.ErrBusy) {
			return nil, fmt.Errorf("every browser tab is busy: %w", scanqueue.ErrRetry)
		}
		if st, ok := urlScanStatus(err); ok {
			return nil, errors.New(statusMessage(st))
		}
		var inv *invalidArgumentError
		if errors.As(err, &inv) {
			return nil, errors.New(inv.msg)
		}
		r.svc.log.ErrorContext(ctx, "background URL scan failed", slog.String("scan_id", job.ID), slog.Any("error", err))
		return nil, errors.New("internal error")
	}
	if r.svc.obs != nil {
		r.svc.obs.ObserveVerdict(&res.Verdict)
	}
	resp := &scamscopev1.ScanURLResponse{
		Verdict: apiconv.Verdict(res.Verdict, res.Timings),
		Run:     pageRunToProto(res.Page),
		ScanId:  job.ID,
	}
	return storedScan(job.ID, job.URL, job.Profile, resp, started, time.Now())
}

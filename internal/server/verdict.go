package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
	"github.com/scamscope/scamscope/internal/auth"
	"github.com/scamscope/scamscope/internal/browser"
	"github.com/scamscope/scamscope/internal/scanqueue"
	"github.com/scamscope/scamscope/internal/urlcanon"
	"github.com/scamscope/scamscope/internal/verdict"
)

// Limits of VerdictService requests.
const (
	MaxHashPrefixes = 1000 // SearchHashes
	MaxSubmitURLs   = 100  // SubmitURLs
)

// VerdictConfig tunes the VerdictService.
type VerdictConfig struct {
	// NegativeCacheDuration is how long a client may cache "unknown";
	// default 5 minutes.
	NegativeCacheDuration time.Duration
	// MaxCacheDuration caps the cache duration of a known verdict, which
	// is otherwise the verdict's remaining life; default 1 hour, so that a
	// corrected verdict reaches clients within the hour.
	MaxCacheDuration time.Duration
	// FeedWindow is how far back ListIndicators looks when since is unset;
	// default 30 days.
	FeedWindow time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Submitter queues background URL scans; *scanqueue.Queue implements it.
type Submitter interface {
	Submit(ctx context.Context, reqs []scanqueue.Request, force bool) ([]string, error)
}

// VerdictService implements scamscopev1.VerdictServiceServer over a
// verdict.Store. It is safe for concurrent use.
type VerdictService struct {
	scamscopev1.UnimplementedVerdictServiceServer

	cfg    VerdictConfig
	store  verdict.Store
	queue  Submitter // nil: URL scanning is off
	log    *slog.Logger
	access *Access // set by NewGRPC; nil: every caller may do everything
	// defaultProfile is the key of the profile scan_if_unknown scans with.
	defaultProfile string
}

// NewVerdictService returns a VerdictService. st and log must not be nil; q
// is nil when the server cannot render URLs (no browser).
func NewVerdictService(cfg VerdictConfig, st verdict.Store, q Submitter, log *slog.Logger) *VerdictService {
	if cfg.NegativeCacheDuration <= 0 {
		cfg.NegativeCacheDuration = 5 * time.Minute
	}
	if cfg.MaxCacheDuration <= 0 {
		cfg.MaxCacheDuration = time.Hour
	}
	if cfg.FeedWindow <= 0 {
		cfg.FeedWindow = 30 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &VerdictService{cfg: cfg, store: st, queue: q, log: log, defaultProfile: profileKey(browser.DefaultProfile())}
}

// unimplementedVerdicts answers Unimplemented when the server has no store.
type unimplementedVerdicts struct {
	scamscopev1.UnimplementedVerdictServiceServer
}

// LookupURL answers for one URL from the store.
func (s *VerdictService) LookupURL(ctx context.Context, req *scamscopev1.LookupURLRequest) (*scamscopev1.LookupURLResponse, error) {
	const method = scamscopev1.VerdictService_LookupURL_FullMethodName
	if req.GetScanIfUnknown() {
		if err := s.access.Permit(ctx, method, auth.RoleSubmit); err != nil {
			return nil, err
		}
		if s.queue == nil {
			return nil, errNoBrowser()
		}
	}
	u, err := canonicalURL("url", req.GetUrl())
	if err != nil {
		return nil, err
	}
	canon := u.String()
	now := s.cfg.Now()
	v, err := s.store.LookupURL(ctx, canon, now)
	if err == nil {
		return &scamscopev1.LookupURLResponse{
			Known:         true,
			Label:         scamscopev1.Label(v.Label),
			Score:         int32(v.Score),
			CacheDuration: durationpb.New(s.cacheFor(v, now)),
			ScannedAt:     timestamppb.New(v.ScannedAt),
		}, nil
	}
	if !errors.Is(err, verdict.ErrNotFound) {
		return nil, s.toStatus(ctx, method, err)
	}
	resp := &scamscopev1.LookupURLResponse{CacheDuration: durationpb.New(s.cfg.NegativeCacheDuration)}
	if req.GetScanIfUnknown() {
		ids, err := s.queue.Submit(ctx, []scanqueue.Request{{URL: req.GetUrl(), CanonURL: canon, Host: u.Host, Profile: s.defaultProfile}}, false)
		if err != nil {
			return nil, s.toStatus(ctx, method, err)
		}
		resp.ScanId = ids[0]
	}
	return resp, nil
}

// cacheFor is how long a client may cache v: its remaining life, at most
// MaxCacheDuration, at least a second.
func (s *VerdictService) cacheFor(v *verdict.URLVerdict, now time.Time) time.Duration {
	d := s.cfg.MaxCacheDuration
	if !v.ExpiresAt.IsZero() {
		d = min(d, v.ExpiresAt.Sub(now))
	}
	return max(d.Truncate(time.Second), time.Second)
}

// SearchHashes answers for 4-byte hash prefixes: the full hashes of live
// SUSPICIOUS and SCAM verdicts that start with them. CLEAN verdicts are not
// listed: a hash that does not come back is not known to be bad.
func (s *VerdictService) SearchHashes(ctx context.Context, req *scamscopev1.SearchHashesRequest) (*scamscopev1.SearchHashesResponse, error) {
	const method = scamscopev1.VerdictService_SearchHashes_FullMethodName
	in := req.GetHashPrefixes()
	switch {
	case len(in) == 0:
		return nil, status.Errorf(codes.InvalidArgument, "hash_prefixes is empty: send 1 to %d prefixes", MaxHashPrefixes)
	case len(in) > MaxHashPrefixes:
		return nil, status.Errorf(codes.InvalidArgument, "hash_prefixes has %d entries; send at most %d per call", len(in), MaxHashPrefixes)
	}
	prefixes := make([][4]byte, 0, len(in))
	for i, p := range in {
		if len(p) != 4 {
			return nil, status.Errorf(codes.InvalidArgument,
				"hash_prefixes[%d] is %d bytes; each prefix must be exactly 4 bytes: the start of the SHA-256 of a canonical URL expression", i, len(p))
		}
		pp := [4]byte(p)
		if !containsPrefix(prefixes, pp) {
			prefixes = append(prefixes, pp)
		}
	}
	now := s.cfg.Now()
	vs, err := s.store.SearchPrefixes(ctx, prefixes, now)
	if err != nil {
		return nil, s.toStatus(ctx, method, err)
	}
	cache := s.cfg.NegativeCacheDuration
	resp := &scamscopev1.SearchHashesResponse{}
	var last *scamscopev1.FullHash
	for i := range vs {
		v := &vs[i]
		if v.Label < verdict.LabelSuspicious {
			continue
		}
		cache = min(cache, s.cacheFor(v, now))
		exp := timestampOrNil(v.ExpiresAt)
		// The store orders by hash: several verdicts for one hash (http and
		// https of one place) merge into the most severe.
		if last != nil && bytes.Equal(last.Hash, v.Hash[:]) {
			if scamscopev1.Label(v.Label) > last.Label {
				last.Label, last.ExpiresAt = scamscopev1.Label(v.Label), exp
			}
			continue
		}
		last = &scamscopev1.FullHash{Hash: bytes.Clone(v.Hash[:]), Label: scamscopev1.Label(v.Label), ExpiresAt: exp}
		resp.FullHashes = append(resp.FullHashes, last)
	}
	resp.CacheDuration = durationpb.New(cache)
	return resp, nil
}

func containsPrefix(list [][4]byte, p [4]byte) bool {
	for _, q := range list {
		if q == p {
			return true
		}
	}
	return false
}

func timestampOrNil(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// GetScan returns one stored scan.
func (s *VerdictService) GetScan(ctx context.Context, req *scamscopev1.GetScanRequest) (*scamscopev1.GetScanResponse, error) {
	const method = scamscopev1.VerdictService_GetScan_FullMethodName
	id := req.GetScanId()
	if !scanqueue.ValidID(id) {
		return nil, status.Errorf(codes.InvalidArgument, "scan_id %q is not a scan ID (32 lower-case hex digits, as ScanURL and SubmitURLs return)", truncate(id, 80))
	}
	sc, err := s.store.GetScan(ctx, id)
	if errors.Is(err, verdict.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "no scan with ID %s", id)
	}
	if err != nil {
		return nil, s.toStatus(ctx, method, err)
	}
	out, err := scanToProto(sc, false)
	if err != nil {
		return nil, s.toStatus(ctx, method, err)
	}
	return &scamscopev1.GetScanResponse{Scan: out}, nil
}

// ListScans pages through stored scans, newest first. Results come without
// screenshots (GetScan has them).
func (s *VerdictService) ListScans(ctx context.Context, req *scamscopev1.ListScansRequest) (*scamscopev1.ListScansResponse, error) {
	const method = scamscopev1.VerdictService_ListScans_FullMethodName
	f, err := filterFromProto(req)
	if err != nil {
		return nil, err
	}
	scans, next, err := s.store.ListScans(ctx, f)
	if err != nil {
		return nil, s.toStatus(ctx, method, err)
	}
	resp := &scamscopev1.ListScansResponse{NextPageToken: next, Scans: make([]*scamscopev1.Scan, 0, len(scans))}
	for _, sc := range scans {
		out, err := scanToProto(sc, true)
		if err != nil {
			return nil, s.toStatus(ctx, method, err)
		}
		resp.Scans = append(resp.Scans, out)
	}
	return resp, nil
}

// filterFromProto validates a ListScansRequest.
func filterFromProto(req *scamscopev1.ListScansRequest) (verdict.Filter, error) {
	f := verdict.Filter{PageToken: req.GetPageToken()}
	var errs []string
	if p := req.GetPhoneNumber(); p != "" {
		if !isE164(p) {
			errs = append(errs, fmt.Sprintf("phone_number %q is not E.164 (a + then 7 to 15 digits, like +18005550100)", truncate(p, 40)))
		}
		f.Phone = p
	}
	if c := strings.TrimSpace(req.GetErrorCode()); c != "" {
		if !cleanValue(c) {
			errs = append(errs, "error_code must be printable UTF-8 of at most 256 bytes")
		}
		f.ErrorCode = normaliseErrorCode(c)
	}
	if h := strings.TrimSpace(req.GetHost()); h != "" {
		u, err := urlcanon.Canonicalize("http://" + h + "/")
		if err != nil || strings.ContainsAny(h, "/?#@") || u.Path != "/" {
			errs = append(errs, fmt.Sprintf("host %q is not a host name or IP address", truncate(h, 80)))
		}
		f.Host = u.Host
	}
	if r := req.GetRuleId(); r != "" {
		if !cleanValue(r) {
			errs = append(errs, "rule_id must be printable UTF-8 of at most 256 bytes")
		}
		f.RuleID = r
	}
	if l := req.GetLabel(); l < scamscopev1.Label_LABEL_UNSPECIFIED || l > scamscopev1.Label_LABEL_SCAM {
		errs = append(errs, fmt.Sprintf("label %d is not a label", l))
	} else {
		f.Label = verdict.Label(l)
	}
	for _, t := range []struct {
		name string
		ts   *timestamppb.Timestamp
		dst  *time.Time
	}{{"since", req.GetSince(), &f.Since}, {"until", req.GetUntil(), &f.Until}} {
		if t.ts == nil {
			continue
		}
		if err := t.ts.CheckValid(); err != nil {
			errs = append(errs, fmt.Sprintf("%s is not a valid timestamp", t.name))
			continue
		}
		*t.dst = t.ts.AsTime()
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		errs = append(errs, "since must be before until")
	}
	switch n := req.GetPageSize(); {
	case n < 0 || n > verdict.MaxPageSize:
		errs = append(errs, fmt.Sprintf("page_size %d is out of range: 0 (the default, %d) to %d", n, verdict.DefaultPageSize, verdict.MaxPageSize))
	default:
		f.PageSize = int(n)
	}
	if len(errs) > 0 {
		return f, status.Error(codes.InvalidArgument, strings.Join(errs, "; "))
	}
	return f, nil
}

func isE164(p string) bool {
	if len(p) < 8 || len(p) > 16 || p[0] != '+' || p[1] == '0' {
		return false
	}
	for i := 1; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

func cleanValue(s string) bool {
	if len(s) > verdict.MaxValueLen || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// normaliseErrorCode writes a code as extract does: upper case, with a
// lower-case 0x prefix.
func normaliseErrorCode(c string) string {
	c = strings.ToUpper(c)
	if strings.HasPrefix(c, "0X") {
		c = "0x" + c[2:]
	}
	return c
}

// SubmitURLs queues URLs for background scans.
func (s *VerdictService) SubmitURLs(ctx context.Context, req *scamscopev1.SubmitURLsRequest) (*scamscopev1.SubmitURLsResponse, error) {
	const method = scamscopev1.VerdictService_SubmitURLs_FullMethodName
	urls := req.GetUrls()
	switch {
	case len(urls) == 0:
		return nil, status.Errorf(codes.InvalidArgument, "urls is empty: send 1 to %d URLs", MaxSubmitURLs)
	case len(urls) > MaxSubmitURLs:
		return nil, status.Errorf(codes.InvalidArgument, "urls has %d entries; send at most %d per call", len(urls), MaxSubmitURLs)
	}
	prof, err := profileFromProto(req.GetProfile())
	if err != nil {
		return nil, s.toStatus(ctx, method, err)
	}
	key := profileKey(prof)
	reqs := make([]scanqueue.Request, len(urls))
	for i, raw := range urls {
		if _, err := parsePageURL(raw); err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "urls[%d] %q is not an absolute http or https URL (like https://example.com/page)", i, truncate(raw, 200))
		}
		u, err := urlcanon.Canonicalize(raw)
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "urls[%d]: %v", i, err)
		}
		reqs[i] = scanqueue.Request{URL: raw, CanonURL: u.String(), Host: u.Host, Profile: key}
	}
	if s.queue == nil {
		return nil, errNoBrowser()
	}
	ids, err := s.queue.Submit(ctx, reqs, req.GetForce())
	if err != nil {
		return nil, s.toStatus(ctx, method, err)
	}
	return &scamscopev1.SubmitURLsResponse{ScanIds: ids}, nil
}

// ListIndicators is the feed of phone numbers or error codes.
func (s *VerdictService) ListIndicators(ctx context.Context, req *scamscopev1.ListIndicatorsRequest) (*scamscopev1.ListIndicatorsResponse, error) {
	const method = scamscopev1.VerdictService_ListIndicators_FullMethodName
	var kind verdict.IndicatorKind
	switch req.GetKind() {
	case scamscopev1.IndicatorKind_INDICATOR_KIND_PHONE_NUMBER:
		kind = verdict.KindPhone
	case scamscopev1.IndicatorKind_INDICATOR_KIND_ERROR_CODE:
		kind = verdict.KindErrorCode
	default:
		return nil, status.Error(codes.InvalidArgument, "kind must be INDICATOR_KIND_PHONE_NUMBER or INDICATOR_KIND_ERROR_CODE")
	}
	since := s.cfg.Now().Add(-s.cfg.FeedWindow)
	if ts := req.GetSince(); ts != nil {
		if err := ts.CheckValid(); err != nil {
			return nil, status.Error(codes.InvalidArgument, "since is not a valid timestamp")
		}
		since = ts.AsTime()
	}
	ins, err := s.store.Indicators(ctx, kind, since)
	if err != nil {
		return nil, s.toStatus(ctx, method, err)
	}
	resp := &scamscopev1.ListIndicatorsResponse{Indicators: make([]*scamscopev1.Indicator, len(ins))}
	for i, in := range ins {
		resp.Indicators[i] = &scamscopev1.Indicator{
			Value: in.Value, FirstSeen: timestamppb.New(in.FirstSeen), LastSeen: timestamppb.New(in.LastSeen),
			Count: int64(in.Count), ExampleUrls: in.ExampleURLs,
		}
	}
	return resp, nil
}

// scanToProto converts a stored scan; lean drops the screenshot.
func scanToProto(sc *verdict.Scan, lean bool) (*scamscopev1.Scan, error) {
	out := &scamscopev1.Scan{
		ScanId: sc.ID, Url: sc.URL, State: string(sc.State), CreatedAt: timestamppb.New(sc.CreatedAt),
		FinishedAt: timestampOrNil(sc.FinishedAt), Error: sc.Error,
	}
	if len(sc.Result) > 0 {
		r := &scamscopev1.ScanURLResponse{}
		if err := proto.Unmarshal(sc.Result, r); err != nil {
			return nil, fmt.Errorf("decode the stored result of scan %s: %w", sc.ID, err)
		}
		if lean && r.GetRun() != nil {
			r.Run.ScreenshotPng = nil
		}
		out.Result = r
	}
	return out, nil
}

// canonicalURL canonicalises a request's URL field or answers InvalidArgument.
func canonicalURL(field, raw string) (urlcanon.URL, error) {
	if raw == "" {
		return urlcanon.URL{}, status.Errorf(codes.InvalidArgument, "%s is required", field)
	}
	u, err := urlcanon.Canonicalize(raw)
	if err != nil {
		return u, status.Errorf(codes.InvalidArgument, "%s %q is not an http or https URL: %v", field, truncate(raw, 200), errors.Unwrap(err))
	}
	return u, nil
}

func errNoBrowser() error {
	return status.Error(codes.Unavailable,
		"URL scanning is not enabled on this server (it runs without Chromium: apt-get install chromium, then restart it)")
}

func statusMessage(err error) string { return status.Convert(err).Message() }

// toStatus maps store and queue errors to status codes; unknown errors are
// logged once here and answered with Internal.
func (s *VerdictService) toStatus(ctx context.Context, method string, err error) error {
	var inv *invalidArgumentError
	switch {
	case errors.As(err, &inv):
		return status.Error(codes.InvalidArgument, inv.msg)
	case errors.Is(err, verdict.ErrBadPageToken):
		return status.Error(codes.InvalidArgument, "page_token is not valid for this filter: start again without it, and keep the filter unchanged between pages")
	case errors.Is(err, verdict.ErrInvalid):
		return status.Errorf(codes.InvalidArgument, "%v", err)
	case errors.Is(err, verdict.ErrNotFound):
		return status.Error(codes.NotFound, "not found")
	case errors.Is(err, scanqueue.ErrFull):
		return status.Errorf(codes.ResourceExhausted, "%v: retry in a minute, or submit fewer URLs", err)
	case errors.Is(err, scanqueue.ErrClosed), errors.Is(err, verdict.ErrClosed):
		return status.Error(codes.Unavailable, "the server is shutting down: retry against another instance or shortly")
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, "the call's deadline passed")
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "the call was canceled")
	}
	s.log.ErrorContext(ctx, "verdict call failed", slog.String("method", method), slog.Any("error", err))
	return status.Error(codes.Internal, "internal error")
}

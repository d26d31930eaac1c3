package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
	"github.com/scamscope/scamscope/internal/auth"
	"github.com/scamscope/scamscope/internal/scan"
	"github.com/scamscope/scamscope/internal/scanqueue"
	"github.com/scamscope/scamscope/internal/urlcanon"
	"github.com/scamscope/scamscope/internal/verdict"
	"github.com/scamscope/scamscope/internal/verdict/boltstore"
	"github.com/scamscope/scamscope/internal/verdict/pgstore"
)

// keys of the verdict test servers: one per role, and one with both.
type testKeys struct {
	submit, analyst, both string
	keys                  *auth.Keys
}

func newTestKeys(t testing.TB) testKeys {
	t.Helper()
	var tk testKeys
	var lines []string
	for _, k := range []struct {
		dst   *string
		id    string
		roles auth.Role
	}{{&tk.submit, "submitter", auth.RoleSubmit}, {&tk.analyst, "analyst", auth.RoleAnalyst}, {&tk.both, "both", auth.AllRoles}} {
		secret, line, err := auth.NewSecret(k.id, k.roles)
		if err != nil {
			t.Fatal(err)
		}
		*k.dst = secret
		lines = append(lines, line)
	}
	keys, err := auth.ParseKeys(strings.NewReader(strings.Join(lines, "\n")), "test")
	if err != nil {
		t.Fatal(err)
	}
	tk.keys = keys
	return tk
}

type venvConfig struct {
	open      bool    // no keys needed
	noAccess  bool    // no Access at all
	rate      float64 // anonymous calls per second; 0 = no limit
	burst     int
	queue     bool // a scan queue (without a browser: scans fail)
	queueSize int
	store     func(t *testing.T) verdict.Store // default: bolt in a temp dir
	proxies   []string                         // trusted proxies' CIDRs
}

// venv is a real gRPC server with a VerdictService over a real store.
type venv struct {
	conn    *grpc.ClientConn
	verdict scamscopev1.VerdictServiceClient
	scan    scamscopev1.ScanServiceClient
	store   verdict.Store
	keys    testKeys
	logs    *syncBuffer
}

func openBolt(t *testing.T) verdict.Store {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "verdicts.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var pgSchemas atomic.Int64

// openPostgres opens a PostgreSQL store in a schema of its own, or skips.
func openPostgres(t *testing.T) verdict.Store {
	dsn := os.Getenv("SCAMSCOPE_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("SCAMSCOPE_TEST_POSTGRES_DSN is not set (internal/verdict/testdata/start-postgres.sh starts one)")
	}
	ctx := context.Background()
	schema := fmt.Sprintf("server_test_%d_%d", time.Now().UnixNano(), pgSchemas.Add(1))
	st, err := pgstore.Open(ctx, dsn, pgstore.Options{Schema: schema, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema: %v", err)
			return
		}
		defer conn.Close(ctx)
		conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
	})
	return st
}

// stores runs f against each store: bbolt always, PostgreSQL when configured.
func stores(t *testing.T, f func(t *testing.T, open func(t *testing.T) verdict.Store)) {
	t.Run("bolt", func(t *testing.T) { f(t, openBolt) })
	t.Run("postgres", func(t *testing.T) {
		openPostgres(t) // skips when not configured
		f(t, openPostgres)
	})
}

func startVerdict(t *testing.T, vc venvConfig) *venv {
	t.Helper()
	rs := ruleSet(t)
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	if vc.store == nil {
		vc.store = openBolt
	}
	st := vc.store(t)
	svc := NewScanService(Config{}, scan.New(scan.Config{MaxContentBytes: testLimit}, rs, nil), log, nil).WithStore(st)
	var sub Submitter
	if vc.queue {
		q := scanqueue.New(scanqueue.Config{QueueSize: vc.queueSize, RetryDelay: time.Millisecond}, st, NewURLScanRunner(svc), log, nil)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			q.Close(ctx)
		})
		sub = q
	}
	vs := NewVerdictService(VerdictConfig{}, st, sub, log)
	tk := newTestKeys(t)
	var access *Access
	if !vc.noAccess {
		proxies, err := auth.ParseProxies(vc.proxies)
		if err != nil {
			t.Fatal(err)
		}
		access = NewAccess(AccessConfig{
			Keys: tk.keys, Open: vc.open, Logger: log, Proxies: proxies,
			Limiter: auth.NewLimiter(auth.LimiterConfig{Rate: vc.rate, Burst: vc.burst}),
		})
	}
	gs, _ := NewGRPC(Options{Scan: svc, Verdict: vs, Access: access, Logger: log})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go gs.Serve(lis)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		gs.Stop()
	})
	return &venv{conn: conn, verdict: scamscopev1.NewVerdictServiceClient(conn), scan: scamscopev1.NewScanServiceClient(conn), store: st, keys: tk, logs: logs}
}

// withKey sends key as a bearer token.
func withKey(ctx context.Context, key string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+key)
}

// seedScan stores a done scan of raw with the given outcome, as ScanURL
// would have, and returns it.
func seedScan(t *testing.T, st verdict.Store, raw string, label scamscopev1.Label, score int32, phones, codes, ruleIDs []string, created time.Time) *verdict.Scan {
	t.Helper()
	v := &scamscopev1.Verdict{Label: label, Score: score, RuleSetVersion: "test-rules", Indicators: &scamscopev1.Indicators{}}
	for _, p := range phones {
		v.Indicators.PhoneNumbers = append(v.Indicators.PhoneNumbers, &scamscopev1.PhoneNumber{Raw: p, E164: p})
	}
	for _, c := range codes {
		v.Indicators.ErrorCodes = append(v.Indicators.ErrorCodes, &scamscopev1.ErrorCode{Code: c})
	}
	for _, r := range ruleIDs {
		v.FiredRules = append(v.FiredRules, &scamscopev1.FiredRule{Id: r})
	}
	id := scanqueue.NewID()
	resp := &scamscopev1.ScanURLResponse{Verdict: v, Run: &scamscopev1.PageRun{FinalUrl: raw, HttpStatus: 200, ScreenshotPng: []byte("png")}, ScanId: id}
	sc, err := storedScan(id, raw, "windows-desktop", resp, created, created.Add(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutScan(context.Background(), sc); err != nil {
		t.Fatal(err)
	}
	return sc
}

func code(err error) codes.Code { return status.Code(err) }

func TestLookupURL(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) verdict.Store) {
		e := startVerdict(t, venvConfig{store: open})
		ctx := ctxTimeout(t)
		now := time.Now()
		scam := seedScan(t, e.store, "https://scam.example/lock?id=7", scamscopev1.Label_LABEL_SCAM, 93, nil, nil, nil, now.Add(-time.Minute))
		seedScan(t, e.store, "https://clean.example/", scamscopev1.Label_LABEL_CLEAN, 3, nil, nil, nil, now.Add(-time.Minute))

		resp, err := e.verdict.LookupURL(ctx, &scamscopev1.LookupURLRequest{Url: "HTTPS://Scam.Example:443/lock?id=7#top"})
		if err != nil {
			t.Fatalf("LookupURL(scam) = %v", err)
		}
		if !resp.GetKnown() || resp.GetLabel() != scamscopev1.Label_LABEL_SCAM || resp.GetScore() != 93 {
			t.Errorf("LookupURL(scam) = %v, want known SCAM 93", resp)
		}
		if d := resp.GetCacheDuration().AsDuration(); d < 59*time.Minute || d > time.Hour {
			t.Errorf("cache_duration of a 7-day SCAM verdict = %v, want the 1h cap", d)
		}
		if got := resp.GetScannedAt().AsTime(); !got.Equal(scam.FinishedAt) {
			t.Errorf("scanned_at = %v, want the scan's finish %v", got, scam.FinishedAt)
		}
		resp, err = e.verdict.LookupURL(ctx, &scamscopev1.LookupURLRequest{Url: "https://clean.example"})
		if err != nil || !resp.GetKnown() || resp.GetLabel() != scamscopev1.Label_LABEL_CLEAN {
			t.Errorf("LookupURL(clean) = %v, %v; want known CLEAN", resp, err)
		}
		if d := resp.GetCacheDuration().AsDuration(); d > 30*time.Minute || d < 28*time.Minute {
			t.Errorf("cache_duration of a fresh CLEAN verdict = %v, want its remaining life (about 29m)", d)
		}
		resp, err = e.verdict.LookupURL(ctx, &scamscopev1.LookupURLRequest{Url: "https://never-seen.example/"})
		if err != nil || resp.GetKnown() || resp.GetCacheDuration().AsDuration() != 5*time.Minute || resp.GetScanId() != "" {
			t.Errorf("LookupURL(unknown) = %v, %v; want known=false, cache 5m, no scan", resp, err)
		}
	})
}

func TestLookupURLMalformed(t *testing.T) {
	e := startVerdict(t, venvConfig{})
	for _, bad := range []string{"", "ftp://example.com/", "javascript:alert(1)", "http://", "http://" + strings.Repeat("a", 40<<10) + ".example/"} {
		_, err := e.verdict.LookupURL(ctxTimeout(t), &scamscopev1.LookupURLRequest{Url: bad})
		if st := status.Convert(err); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), "url") {
			t.Errorf("LookupURL(%.40q) = %v %q, want InvalidArgument about url", bad, st.Code(), st.Message())
		}
	}
}

func TestSearchHashes(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) verdict.Store) {
		e := startVerdict(t, venvConfig{store: open})
		ctx := ctxTimeout(t)
		now := time.Now()
		seedScan(t, e.store, "https://scam.example/lock", scamscopev1.Label_LABEL_SCAM, 95, nil, nil, nil, now)
		seedScan(t, e.store, "http://scam.example/lock", scamscopev1.Label_LABEL_SUSPICIOUS, 50, nil, nil, nil, now)
		seedScan(t, e.store, "https://clean.example/page", scamscopev1.Label_LABEL_CLEAN, 1, nil, nil, nil, now)

		// A client hashes the expressions of the URL it visits.
		prefixesOf := func(raw string) ([][]byte, map[[32]byte]bool) {
			u, err := urlcanon.Canonicalize(raw)
			if err != nil {
				t.Fatal(err)
			}
			var ps [][]byte
			full := map[[32]byte]bool{}
			for _, expr := range urlcanon.Expressions(u) {
				h := urlcanon.Hash(expr)
				p := urlcanon.Prefix4(h)
				ps = append(ps, p[:])
				full[h] = true
			}
			return ps, full
		}
		ps, full := prefixesOf("https://scam.example/lock")
		resp, err := e.verdict.SearchHashes(ctx, &scamscopev1.SearchHashesRequest{HashPrefixes: ps})
		if err != nil {
			t.Fatal(err)
		}
		want := urlcanon.Hash("scam.example/lock")
		if len(resp.GetFullHashes()) != 1 || !full[[32]byte(resp.GetFullHashes()[0].GetHash())] ||
			[32]byte(resp.GetFullHashes()[0].GetHash()) != want || resp.GetFullHashes()[0].GetLabel() != scamscopev1.Label_LABEL_SCAM {
			t.Errorf("SearchHashes(scam URL) = %v, want the one hash of scam.example/lock, SCAM (the most severe of http and https)", resp)
		}
		if exp := resp.GetFullHashes()[0].GetExpiresAt().AsTime(); exp.Before(now.Add(6 * 24 * time.Hour)) {
			t.Errorf("expires_at = %v, want the SCAM verdict's (7 days)", exp)
		}
		if d := resp.GetCacheDuration().AsDuration(); d <= 0 || d > 5*time.Minute {
			t.Errorf("cache_duration = %v, want at most the 5m negative cache", d)
		}
		for _, raw := range []string{"https://clean.example/page", "https://other.example/"} {
			ps, _ := prefixesOf(raw)
			resp, err := e.verdict.SearchHashes(ctx, &scamscopev1.SearchHashesRequest{HashPrefixes: ps})
			if err != nil || len(resp.GetFullHashes()) != 0 || resp.GetCacheDuration().AsDuration() != 5*time.Minute {
				t.Errorf("SearchHashes(%s) = %v, %v; want nothing, cached 5m", raw, resp, err)
			}
		}
	})
}

func TestSearchHashesInvalid(t *testing.T) {
	e := startVerdict(t, venvConfig{})
	four := []byte{1, 2, 3, 4}
	many := make([][]byte, 1001)
	for i := range many {
		many[i] = four
	}
	tests := []struct {
		name     string
		prefixes [][]byte
		want     string
	}{
		{"none", nil, "empty"},
		{"too many", many, "at most 1000"},
		{"short", [][]byte{four, {1, 2, 3}}, "hash_prefixes[1] is 3 bytes"},
		{"long", [][]byte{{1, 2, 3, 4, 5}}, "hash_prefixes[0] is 5 bytes"},
		{"empty prefix", [][]byte{four, four, {}}, "hash_prefixes[2] is 0 bytes"},
	}
	for _, tc := range tests {
		_, err := e.verdict.SearchHashes(ctxTimeout(t), &scamscopev1.SearchHashesRequest{HashPrefixes: tc.prefixes})
		if st := status.Convert(err); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), tc.want) {
			t.Errorf("%s: SearchHashes = %v %q, want InvalidArgument containing %q", tc.name, st.Code(), st.Message(), tc.want)
		}
	}
	if _, err := e.verdict.SearchHashes(ctxTimeout(t), &scamscopev1.SearchHashesRequest{HashPrefixes: many[:1000]}); err != nil {
		t.Errorf("SearchHashes(1000 prefixes) = %v, want OK", err)
	}
}

func TestGetScan(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) verdict.Store) {
		e := startVerdict(t, venvConfig{store: open})
		ctx := withKey(ctxTimeout(t), e.keys.analyst)
		sc := seedScan(t, e.store, "https://scam.example/x", scamscopev1.Label_LABEL_SCAM, 90, []string{"+18885550142"}, []string{"0x80070424"}, []string{"alarm"}, time.Now())
		resp, err := e.verdict.GetScan(ctx, &scamscopev1.GetScanRequest{ScanId: sc.ID})
		if err != nil {
			t.Fatal(err)
		}
		got := resp.GetScan()
		if got.GetScanId() != sc.ID || got.GetUrl() != sc.URL || got.GetState() != "done" || !got.GetCreatedAt().AsTime().Equal(sc.CreatedAt) ||
			!got.GetFinishedAt().AsTime().Equal(sc.FinishedAt) || got.GetError() != "" {
			t.Errorf("GetScan = %v, want the stored scan %+v", got, sc)
		}
		var want scamscopev1.ScanURLResponse
		if err := proto.Unmarshal(sc.Result, &want); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got.GetResult(), &want) || string(got.GetResult().GetRun().GetScreenshotPng()) != "png" {
			t.Errorf("GetScan result = %v, want the stored result with its screenshot", got.GetResult())
		}
		_, err = e.verdict.GetScan(ctx, &scamscopev1.GetScanRequest{ScanId: scanqueue.NewID()})
		if code(err) != codes.NotFound {
			t.Errorf("GetScan(unknown id) = %v, want NotFound", err)
		}
		for _, bad := range []string{"", "x", strings.ToUpper(sc.ID), sc.ID + "0", "../" + sc.ID[3:]} {
			_, err := e.verdict.GetScan(ctx, &scamscopev1.GetScanRequest{ScanId: bad})
			if code(err) != codes.InvalidArgument {
				t.Errorf("GetScan(%q) = %v, want InvalidArgument", bad, err)
			}
		}
	})
}

func TestListScans(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) verdict.Store) {
		e := startVerdict(t, venvConfig{store: open})
		ctx := withKey(ctxTimeout(t), e.keys.analyst)
		t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
		a := seedScan(t, e.store, "https://a.example/1", scamscopev1.Label_LABEL_SCAM, 90, []string{"+18885550142"}, []string{"0x80070424"}, []string{"alarm"}, t0)
		b := seedScan(t, e.store, "https://b.example/2", scamscopev1.Label_LABEL_SUSPICIOUS, 50, []string{"+18885550142", "+442079460000"}, nil, []string{"brand"}, t0.Add(time.Minute))
		c := seedScan(t, e.store, "https://A.example/3", scamscopev1.Label_LABEL_CLEAN, 2, nil, []string{"268D3"}, nil, t0.Add(2*time.Minute))
		list := func(req *scamscopev1.ListScansRequest) []string {
			t.Helper()
			resp, err := e.verdict.ListScans(ctx, req)
			if err != nil {
				t.Fatalf("ListScans(%v) = %v", req, err)
			}
			var ids []string
			for _, s := range resp.GetScans() {
				ids = append(ids, s.GetScanId())
				if len(s.GetResult().GetRun().GetScreenshotPng()) != 0 {
					t.Errorf("ListScans returned a screenshot")
				}
			}
			return ids
		}
		tests := []struct {
			name string
			req  *scamscopev1.ListScansRequest
			want []string
		}{
			{"all, newest first", &scamscopev1.ListScansRequest{}, []string{c.ID, b.ID, a.ID}},
			{"phone", &scamscopev1.ListScansRequest{PhoneNumber: "+18885550142"}, []string{b.ID, a.ID}},
			{"error code, any case", &scamscopev1.ListScansRequest{ErrorCode: "0X80070424"}, []string{a.ID}},
			{"error code", &scamscopev1.ListScansRequest{ErrorCode: "268d3"}, []string{c.ID}},
			{"host, any case", &scamscopev1.ListScansRequest{Host: "A.Example"}, []string{c.ID, a.ID}},
			{"rule", &scamscopev1.ListScansRequest{RuleId: "brand"}, []string{b.ID}},
			{"label", &scamscopev1.ListScansRequest{Label: scamscopev1.Label_LABEL_SCAM}, []string{a.ID}},
			{"since", &scamscopev1.ListScansRequest{Since: timestamppb.New(t0.Add(time.Minute))}, []string{c.ID, b.ID}},
			{"until", &scamscopev1.ListScansRequest{Until: timestamppb.New(t0.Add(time.Minute))}, []string{a.ID}},
			{"phone and label", &scamscopev1.ListScansRequest{PhoneNumber: "+18885550142", Label: scamscopev1.Label_LABEL_SUSPICIOUS}, []string{b.ID}},
			{"no match", &scamscopev1.ListScansRequest{PhoneNumber: "+18005550199"}, nil},
		}
		for _, tc := range tests {
			if got := list(tc.req); !slices.Equal(got, tc.want) {
				t.Errorf("%s: ListScans = %q, want %q", tc.name, got, tc.want)
			}
		}
		// Paging: one at a time, then a bad token.
		var paged []string
		req := &scamscopev1.ListScansRequest{PageSize: 1}
		for range 5 {
			resp, err := e.verdict.ListScans(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range resp.GetScans() {
				paged = append(paged, s.GetScanId())
			}
			if resp.GetNextPageToken() == "" {
				break
			}
			req.PageToken = resp.GetNextPageToken()
		}
		if !slices.Equal(paged, []string{c.ID, b.ID, a.ID}) {
			t.Errorf("paged ListScans = %q, want all three newest first", paged)
		}
	})
}

func TestListScansInvalid(t *testing.T) {
	e := startVerdict(t, venvConfig{})
	ctx := withKey(ctxTimeout(t), e.keys.analyst)
	t0 := time.Now()
	tests := []struct {
		name string
		req  *scamscopev1.ListScansRequest
		want string
	}{
		{"phone not E.164", &scamscopev1.ListScansRequest{PhoneNumber: "1-888-555-0142"}, "E.164"},
		{"page size", &scamscopev1.ListScansRequest{PageSize: 1001}, "page_size"},
		{"negative page size", &scamscopev1.ListScansRequest{PageSize: -1}, "page_size"},
		{"bad token", &scamscopev1.ListScansRequest{PageToken: "not-a-token"}, "page_token"},
		{"host with path", &scamscopev1.ListScansRequest{Host: "a.example/path"}, "host"},
		{"label", &scamscopev1.ListScansRequest{Label: 9}, "label"},
		{"range", &scamscopev1.ListScansRequest{Since: timestamppb.New(t0), Until: timestamppb.New(t0.Add(-time.Hour))}, "since must be before until"},
		{"bad time", &scamscopev1.ListScansRequest{Since: &timestamppb.Timestamp{Seconds: 1, Nanos: -5}}, "since"},
		{"control bytes", &scamscopev1.ListScansRequest{RuleId: "a\x00b"}, "rule_id"},
	}
	for _, tc := range tests {
		_, err := e.verdict.ListScans(ctx, tc.req)
		if st := status.Convert(err); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), tc.want) {
			t.Errorf("%s: ListScans = %v %q, want InvalidArgument containing %q", tc.name, st.Code(), st.Message(), tc.want)
		}
	}
	// A token from one filter does not work with another.
	for range 3 {
		seedScan(t, e.store, "https://p.example/"+scanqueue.NewID(), scamscopev1.Label_LABEL_SCAM, 90, nil, nil, nil, time.Now())
	}
	resp, err := e.verdict.ListScans(ctx, &scamscopev1.ListScansRequest{PageSize: 1})
	if err != nil || resp.GetNextPageToken() == "" {
		t.Fatalf("ListScans page 1 = %v, %v", resp, err)
	}
	_, err = e.verdict.ListScans(ctx, &scamscopev1.ListScansRequest{PageSize: 1, Label: scamscopev1.Label_LABEL_CLEAN, PageToken: resp.GetNextPageToken()})
	if code(err) != codes.InvalidArgument {
		t.Errorf("ListScans with another filter's token = %v, want InvalidArgument", err)
	}
}

func TestListIndicators(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) verdict.Store) {
		e := startVerdict(t, venvConfig{store: open})
		ctx := withKey(ctxTimeout(t), e.keys.analyst)
		t0 := time.Now().Add(-time.Hour)
		seedScan(t, e.store, "https://a.example/", scamscopev1.Label_LABEL_SCAM, 90, []string{"+18885550142"}, []string{"0x80070424"}, nil, t0)
		seedScan(t, e.store, "https://b.example/", scamscopev1.Label_LABEL_SCAM, 90, []string{"+18885550142"}, nil, nil, t0.Add(time.Minute))
		seedScan(t, e.store, "https://c.example/", scamscopev1.Label_LABEL_CLEAN, 1, []string{"+18005550100"}, nil, nil, t0)
		resp, err := e.verdict.ListIndicators(ctx, &scamscopev1.ListIndicatorsRequest{Kind: scamscopev1.IndicatorKind_INDICATOR_KIND_PHONE_NUMBER})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.GetIndicators()) != 1 {
			t.Fatalf("phone feed = %v, want only the number seen on SCAM pages", resp)
		}
		in := resp.GetIndicators()[0]
		if in.GetValue() != "+18885550142" || in.GetCount() != 2 || !slices.Equal(in.GetExampleUrls(), []string{"https://b.example/", "https://a.example/"}) ||
			!in.GetFirstSeen().AsTime().Before(in.GetLastSeen().AsTime()) {
			t.Errorf("phone feed entry = %v, want +18885550142 seen twice on b then a", in)
		}
		resp, err = e.verdict.ListIndicators(ctx, &scamscopev1.ListIndicatorsRequest{Kind: scamscopev1.IndicatorKind_INDICATOR_KIND_ERROR_CODE})
		if err != nil || len(resp.GetIndicators()) != 1 || resp.GetIndicators()[0].GetValue() != "0x80070424" {
			t.Errorf("error code feed = %v, %v", resp, err)
		}
		resp, err = e.verdict.ListIndicators(ctx, &scamscopev1.ListIndicatorsRequest{Kind: scamscopev1.IndicatorKind_INDICATOR_KIND_PHONE_NUMBER, Since: timestamppb.Now()})
		if err != nil || len(resp.GetIndicators()) != 0 {
			t.Errorf("phone feed since now = %v, %v; want empty", resp, err)
		}
		if _, err := e.verdict.ListIndicators(ctx, &scamscopev1.ListIndicatorsRequest{}); code(err) != codes.InvalidArgument {
			t.Errorf("ListIndicators(no kind) = %v, want InvalidArgument", err)
		}
	})
}

func TestSubmitURLs(t *testing.T) {
	e := startVerdict(t, venvConfig{queue: true, queueSize: 3})
	ctx := withKey(ctxTimeout(t), e.keys.submit)
	resp, err := e.verdict.SubmitURLs(ctx, &scamscopev1.SubmitURLsRequest{Urls: []string{"https://queued.example/a", "https://queued.example/b"}})
	if err != nil || len(resp.GetScanIds()) != 2 || resp.GetScanIds()[0] == resp.GetScanIds()[1] {
		t.Fatalf("SubmitURLs = %v, %v; want two scan IDs", resp, err)
	}
	// This server has no browser: the scans are stored, run, and fail saying so.
	actx := withKey(ctxTimeout(t), e.keys.analyst)
	for _, id := range resp.GetScanIds() {
		deadline := time.Now().Add(10 * time.Second)
		for {
			got, err := e.verdict.GetScan(actx, &scamscopev1.GetScanRequest{ScanId: id})
			if err != nil {
				t.Fatalf("GetScan(%s) right after SubmitURLs = %v", id, err)
			}
			if got.GetScan().GetState() == "failed" {
				if !strings.Contains(got.GetScan().GetError(), "not enabled") {
					t.Errorf("failed scan error = %q, want it to say URL scanning is off", got.GetScan().GetError())
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("scan %s still %s after 10s", id, got.GetScan().GetState())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("https://m.example/%d", i)
	}
	tests := []struct {
		name string
		req  *scamscopev1.SubmitURLsRequest
		code codes.Code
		want string
	}{
		{"none", &scamscopev1.SubmitURLsRequest{}, codes.InvalidArgument, "empty"},
		{"too many", &scamscopev1.SubmitURLsRequest{Urls: many}, codes.InvalidArgument, "at most 100"},
		{"bad URL", &scamscopev1.SubmitURLsRequest{Urls: []string{"https://ok.example/", "file:///etc/passwd"}}, codes.InvalidArgument, "urls[1]"},
		{"bad profile", &scamscopev1.SubmitURLsRequest{Urls: []string{"https://ok.example/"}, Profile: &scamscopev1.BrowsingProfile{Name: "toaster"}}, codes.InvalidArgument, "profile"},
		{"more than the queue holds", &scamscopev1.SubmitURLsRequest{Urls: many[:4]}, codes.ResourceExhausted, "queue full"},
	}
	for _, tc := range tests {
		_, err := e.verdict.SubmitURLs(ctx, tc.req)
		if st := status.Convert(err); st.Code() != tc.code || !strings.Contains(st.Message(), tc.want) {
			t.Errorf("%s: SubmitURLs = %v %q, want %v containing %q", tc.name, st.Code(), st.Message(), tc.code, tc.want)
		}
	}

	noQueue := startVerdict(t, venvConfig{})
	_, err = noQueue.verdict.SubmitURLs(withKey(ctxTimeout(t), noQueue.keys.submit), &scamscopev1.SubmitURLsRequest{Urls: []string{"https://a.example/"}})
	if st := status.Convert(err); st.Code() != codes.Unavailable || !strings.Contains(st.Message(), "chromium") {
		t.Errorf("SubmitURLs without a browser = %v %q, want Unavailable saying how to enable it", st.Code(), st.Message())
	}
}

func TestAccess(t *testing.T) {
	e := startVerdict(t, venvConfig{queue: true, rate: 1000, burst: 1000})
	id := scanqueue.NewID()
	calls := map[string]func(ctx context.Context) error{
		"GetScan": func(ctx context.Context) error {
			_, err := e.verdict.GetScan(ctx, &scamscopev1.GetScanRequest{ScanId: id})
			return err
		},
		"ListScans": func(ctx context.Context) error {
			_, err := e.verdict.ListScans(ctx, &scamscopev1.ListScansRequest{})
			return err
		},
		"ListIndicators": func(ctx context.Context) error {
			_, err := e.verdict.ListIndicators(ctx, &scamscopev1.ListIndicatorsRequest{Kind: scamscopev1.IndicatorKind_INDICATOR_KIND_ERROR_CODE})
			return err
		},
		"SubmitURLs": func(ctx context.Context) error {
			_, err := e.verdict.SubmitURLs(ctx, &scamscopev1.SubmitURLsRequest{Urls: []string{"https://access.example/"}})
			return err
		},
		"ScanURL": func(ctx context.Context) error {
			_, err := e.scan.ScanURL(ctx, &scamscopev1.ScanURLRequest{Url: "https://access.example/"})
			return err
		},
		"LookupURL": func(ctx context.Context) error {
			_, err := e.verdict.LookupURL(ctx, &scamscopev1.LookupURLRequest{Url: "https://access.example/"})
			return err
		},
		"LookupURL scan_if_unknown": func(ctx context.Context) error {
			_, err := e.verdict.LookupURL(ctx, &scamscopev1.LookupURLRequest{Url: "https://access.example/", ScanIfUnknown: true})
			return err
		},
		"SearchHashes": func(ctx context.Context) error {
			_, err := e.verdict.SearchHashes(ctx, &scamscopev1.SearchHashesRequest{HashPrefixes: [][]byte{{1, 2, 3, 4}}})
			return err
		},
		"ScanContent": func(ctx context.Context) error {
			_, err := e.scan.ScanContent(ctx, &scamscopev1.ScanContentRequest{Content: []byte(benignPage)})
			return err
		},
	}
	// What each caller gets: the code, or OK for "allowed" (GetScan of an
	// unknown ID is NotFound once allowed; ScanURL is Unavailable without
	// a browser).
	bearer := func(k string) func(context.Context) context.Context {
		return func(ctx context.Context) context.Context { return withKey(ctx, k) }
	}
	apiKey := func(k string) func(context.Context) context.Context {
		return func(ctx context.Context) context.Context {
			return metadata.AppendToOutgoingContext(ctx, "x-api-key", k)
		}
	}
	anon := func(ctx context.Context) context.Context { return ctx }
	allowed := map[string]codes.Code{"GetScan": codes.NotFound, "ScanURL": codes.Unavailable}
	tests := []struct {
		caller string
		ctx    func(context.Context) context.Context
		want   map[string]codes.Code // methods not listed: allowed
	}{
		{"anonymous", anon, map[string]codes.Code{"GetScan": codes.Unauthenticated, "ListScans": codes.Unauthenticated, "ListIndicators": codes.Unauthenticated,
			"SubmitURLs": codes.Unauthenticated, "ScanURL": codes.Unauthenticated, "LookupURL scan_if_unknown": codes.Unauthenticated}},
		{"unknown key", bearer("ssk_not-a-key"), map[string]codes.Code{"GetScan": codes.PermissionDenied, "ListScans": codes.PermissionDenied, "ListIndicators": codes.PermissionDenied,
			"SubmitURLs": codes.PermissionDenied, "ScanURL": codes.PermissionDenied, "LookupURL scan_if_unknown": codes.PermissionDenied,
			"LookupURL": codes.PermissionDenied, "SearchHashes": codes.PermissionDenied, "ScanContent": codes.PermissionDenied}},
		{"submit key", bearer(e.keys.submit), map[string]codes.Code{"GetScan": codes.PermissionDenied, "ListScans": codes.PermissionDenied, "ListIndicators": codes.PermissionDenied}},
		{"analyst key", apiKey(e.keys.analyst), map[string]codes.Code{"SubmitURLs": codes.PermissionDenied, "ScanURL": codes.PermissionDenied, "LookupURL scan_if_unknown": codes.PermissionDenied}},
		{"both roles", bearer(e.keys.both), nil},
		{"malformed authorization", func(ctx context.Context) context.Context {
			return metadata.AppendToOutgoingContext(ctx, "authorization", "Basic dXNlcjpwYXNz")
		}, map[string]codes.Code{"GetScan": codes.Unauthenticated, "LookupURL": codes.Unauthenticated}},
	}
	for _, tc := range tests {
		for name, call := range calls {
			want, ok := tc.want[name]
			if !ok {
				want = allowed[name] // codes.OK unless listed
			}
			if tc.caller == "malformed authorization" && !ok {
				continue
			}
			if got := code(call(tc.ctx(ctxTimeout(t)))); got != want {
				t.Errorf("%s calling %s: %v, want %v", tc.caller, name, got, want)
			}
		}
	}
	if strings.Contains(e.logs.String(), e.keys.submit) || strings.Contains(e.logs.String(), "ssk_not-a-key") {
		t.Error("a secret reached the logs")
	}
}

func TestAccessOpen(t *testing.T) {
	e := startVerdict(t, venvConfig{open: true})
	ctx := ctxTimeout(t)
	if _, err := e.verdict.GetScan(ctx, &scamscopev1.GetScanRequest{ScanId: scanqueue.NewID()}); code(err) != codes.NotFound {
		t.Errorf("open server, anonymous GetScan = %v, want NotFound (allowed)", err)
	}
	if _, err := e.verdict.ListScans(ctx, &scamscopev1.ListScansRequest{}); err != nil {
		t.Errorf("open server, anonymous ListScans = %v, want allowed", err)
	}
	if _, err := e.verdict.GetScan(withKey(ctx, "ssk_wrong"), &scamscopev1.GetScanRequest{ScanId: scanqueue.NewID()}); code(err) != codes.PermissionDenied {
		t.Errorf("open server, unknown key = %v, want PermissionDenied", err)
	}
}

func TestRateLimit(t *testing.T) {
	e := startVerdict(t, venvConfig{rate: 0.001, burst: 3})
	ctx := ctxTimeout(t)
	lookup := func(ctx context.Context) error {
		_, err := e.verdict.LookupURL(ctx, &scamscopev1.LookupURLRequest{Url: "https://rate.example/"})
		return err
	}
	for i := range 3 {
		if err := lookup(ctx); err != nil {
			t.Fatalf("call %d within the burst = %v", i+1, err)
		}
	}
	err := lookup(ctx)
	if st := status.Convert(err); st.Code() != codes.ResourceExhausted || !strings.Contains(st.Message(), "rate limit") {
		t.Errorf("call over the rate = %v %q, want ResourceExhausted", st.Code(), st.Message())
	}
	_, err = e.verdict.SearchHashes(ctx, &scamscopev1.SearchHashesRequest{HashPrefixes: [][]byte{{1, 2, 3, 4}}})
	if code(err) != codes.ResourceExhausted {
		t.Errorf("SearchHashes over the rate = %v, want ResourceExhausted (one bucket per client)", err)
	}
	if _, err := e.scan.ScanContent(ctx, &scamscopev1.ScanContentRequest{Content: []byte(benignPage)}); code(err) != codes.ResourceExhausted {
		t.Errorf("ScanContent over the rate = %v, want ResourceExhausted", err)
	}
	if err := lookup(withKey(ctx, e.keys.analyst)); err != nil {
		t.Errorf("keyed call over the anonymous rate = %v, want OK", err)
	}
	hc := healthpb.NewHealthClient(e.conn)
	if _, err := hc.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Errorf("health Check over the rate = %v, want OK (not limited)", err)
	}
}

// TestRateLimitForwardedFor: behind a trusted proxy (here loopback, where
// the test client connects from) the limit counts the address the proxy
// forwarded; from any other peer the header is ignored.
func TestRateLimitForwardedFor(t *testing.T) {
	lookup := func(e *venv, xff ...string) error {
		ctx := ctxTimeout(t)
		for _, v := range xff {
			ctx = metadata.AppendToOutgoingContext(ctx, "x-forwarded-for", v)
		}
		_, err := e.verdict.LookupURL(ctx, &scamscopev1.LookupURLRequest{Url: "https://rate.example/"})
		return err
	}
	t.Run("trusted", func(t *testing.T) {
		e := startVerdict(t, venvConfig{rate: 0.001, burst: 1, proxies: []string{"127.0.0.0/8", "::1"}})
		steps := []struct {
			xff  []string
			want codes.Code
		}{
			{[]string{"203.0.113.1"}, codes.OK},
			{[]string{"203.0.113.1"}, codes.ResourceExhausted},
			{[]string{"203.0.113.2"}, codes.OK}, // another client, its own bucket
			// A forged entry left of what the proxy appended changes nothing.
			{[]string{"198.51.100.77, 203.0.113.1"}, codes.ResourceExhausted},
			// Two proxies: the client is the rightmost untrusted entry.
			{[]string{"203.0.113.3", "127.0.0.9"}, codes.OK},
			{[]string{"203.0.113.3, 127.0.0.8"}, codes.ResourceExhausted},
			// No header: the proxy itself is the client.
			{nil, codes.OK},
			{nil, codes.ResourceExhausted},
			// Junk stops at the last proxy: the loopback bucket, used up above.
			{[]string{"not-an-address"}, codes.ResourceExhausted},
		}
		for i, s := range steps {
			if err := lookup(e, s.xff...); code(err) != s.want {
				t.Errorf("step %d: LookupURL with x-forwarded-for %q = %v, want %v", i, s.xff, err, s.want)
			}
		}
	})
	for name, proxies := range map[string][]string{"no proxies": nil, "peer not a proxy": {"10.0.0.0/8"}} {
		t.Run(name, func(t *testing.T) {
			e := startVerdict(t, venvConfig{rate: 0.001, burst: 1, proxies: proxies})
			if err := lookup(e, "203.0.113.1"); err != nil {
				t.Fatalf("first call = %v", err)
			}
			if err := lookup(e, "203.0.113.2"); code(err) != codes.ResourceExhausted {
				t.Errorf("second call claiming another address = %v, want ResourceExhausted (the header is not believed)", err)
			}
		})
	}
}

func TestProfileKey(t *testing.T) {
	tests := []*scamscopev1.BrowsingProfile{
		nil,
		{Name: "android-phone"},
		{Name: "mac-desktop", AcceptLanguage: "fr-FR,fr;q=0.9", Timezone: "Europe/Paris"},
		{UserAgent: "Mozilla/5.0 (X11; Linux x86_64) odd&agent=1?x", ViewportWidth: 800, ViewportHeight: 600, Platform: "Linux x86_64"},
	}
	seen := map[string]bool{}
	for _, p := range tests {
		prof, err := profileFromProto(p)
		if err != nil {
			t.Fatal(err)
		}
		key := profileKey(prof)
		if seen[key] {
			t.Errorf("profileKey(%v) = %q, shared with another profile", p, key)
		}
		seen[key] = true
		back, err := profileFromKey(key)
		if err != nil || back != prof {
			t.Errorf("profileFromKey(profileKey(%v) = %q) = %+v, %v; want %+v", p, key, back, err, prof)
		}
	}
	// The same effective profile gives the same key, however it is asked for.
	a, _ := profileFromProto(nil)
	b, _ := profileFromProto(&scamscopev1.BrowsingProfile{Name: a.Name, UserAgent: a.UserAgent})
	if profileKey(a) != profileKey(b) || profileKey(a) != a.Name {
		t.Errorf("profileKey(default) = %q and %q, want both %q", profileKey(a), profileKey(b), a.Name)
	}
	if _, err := profileFromKey("toaster"); err == nil {
		t.Error("profileFromKey(unknown profile) = nil error")
	}
}

func TestUnimplementedWithoutStore(t *testing.T) {
	e := start(t, envConfig{})
	vs := scamscopev1.NewVerdictServiceClient(e.conn)
	if _, err := vs.GetScan(ctxTimeout(t), &scamscopev1.GetScanRequest{ScanId: scanqueue.NewID()}); code(err) != codes.Unimplemented {
		t.Errorf("GetScan without a store = %v, want Unimplemented", err)
	}
}

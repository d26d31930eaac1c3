package gateway

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
	"github.com/scamscope/scamscope/internal/auth"
	"github.com/scamscope/scamscope/internal/rules"
	"github.com/scamscope/scamscope/internal/scan"
	"github.com/scamscope/scamscope/internal/scanqueue"
	"github.com/scamscope/scamscope/internal/server"
	"github.com/scamscope/scamscope/internal/urlcanon"
	"github.com/scamscope/scamscope/internal/verdict"
	"github.com/scamscope/scamscope/internal/verdict/boltstore"
	rulefiles "github.com/scamscope/scamscope/rules"
)

const extOrigin = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"

// env is a gRPC server and the gateway in front of the same handlers, both
// on loopback, over one bbolt store.
type env struct {
	grpc    scamscopev1.VerdictServiceClient
	scan    scamscopev1.ScanServiceClient
	url     string // the gateway's base URL
	store   verdict.Store
	analyst string // an analyst key
	http    *http.Client
}

// startEnv starts the servers with an anonymous rate limit, believing
// X-Forwarded-For from the proxies' CIDRs.
func startEnv(t *testing.T, rate float64, burst int, proxies ...string) *env {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "v.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rs, err := rules.Load(rulefiles.FS())
	if err != nil {
		t.Logf("embedded rules do not load (%v); using ../server/testdata/rules", err)
		if rs, err = rules.Load(os.DirFS("../server/testdata/rules")); err != nil {
			t.Fatal(err)
		}
	}
	svc := server.NewScanService(server.Config{}, scan.New(scan.Config{MaxContentBytes: 1 << 20}, rs, nil), log, nil).WithStore(st)
	vs := server.NewVerdictService(server.VerdictConfig{}, st, nil, log)
	secret, line, err := auth.NewSecret("analyst", auth.RoleAnalyst)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := auth.ParseKeys(strings.NewReader(line), "test")
	if err != nil {
		t.Fatal(err)
	}
	trusted, err := auth.ParseProxies(proxies)
	if err != nil {
		t.Fatal(err)
	}
	opts := server.Options{
		Scan: svc, Verdict: vs, Logger: log,
		Access: server.NewAccess(server.AccessConfig{Keys: keys, Proxies: trusted, Limiter: auth.NewLimiter(auth.LimiterConfig{Rate: rate, Burst: burst})}),
	}
	gs, _ := server.NewGRPC(opts)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go gs.Serve(lis)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	gw, err := New(Config{Verdict: vs, Scan: svc, Interceptor: opts.UnaryInterceptor(), CORSOrigins: []string{extOrigin}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(gw)
	t.Cleanup(func() {
		hs.Close()
		conn.Close()
		gs.Stop()
	})
	return &env{grpc: scamscopev1.NewVerdictServiceClient(conn), scan: scamscopev1.NewScanServiceClient(conn), url: hs.URL, store: st, analyst: secret,
		http: &http.Client{Timeout: 10 * time.Second}}
}

// seed stores a done scan of raw with label.
func seed(t *testing.T, st verdict.Store, raw string, label scamscopev1.Label, phone string) *verdict.Scan {
	t.Helper()
	u, err := urlcanon.Canonicalize(raw)
	if err != nil {
		t.Fatal(err)
	}
	id := scanqueue.NewID()
	resp := &scamscopev1.ScanURLResponse{ScanId: id, Verdict: &scamscopev1.Verdict{Label: label, Score: 88, RuleSetVersion: "t",
		Indicators: &scamscopev1.Indicators{PhoneNumbers: []*scamscopev1.PhoneNumber{{Raw: phone, E164: phone}}}}}
	b, err := proto.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	now := verdict.Micro(time.Now())
	sc := &verdict.Scan{ID: id, URL: raw, CanonURL: u.String(), Host: u.Host, Profile: "windows-desktop", State: verdict.StateDone,
		CreatedAt: now.Add(-time.Second), FinishedAt: now, Label: verdict.Label(label), Score: 88, RuleSetVersion: "t",
		Phones: []string{phone}, Result: b}
	if err := st.PutScan(context.Background(), sc); err != nil {
		t.Fatal(err)
	}
	return sc
}

type answer struct {
	code   int
	header http.Header
	body   string
}

func (e *env) do(t *testing.T, method, path, body string, header map[string]string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// sameJSON checks that the JSON body decodes to want.
func sameJSON(t *testing.T, what string, a answer, want proto.Message) {
	t.Helper()
	if a.code != http.StatusOK {
		t.Errorf("%s = %d %s, want 200", what, a.code, a.body)
		return
	}
	got := want.ProtoReflect().New().Interface()
	if err := protojson.Unmarshal([]byte(a.body), got); err != nil {
		t.Errorf("%s: body %s does not decode: %v", what, a.body, err)
		return
	}
	if !proto.Equal(got, want) {
		t.Errorf("%s = %v, want what gRPC answers: %v", what, got, want)
	}
}

func TestJSONMatchesGRPC(t *testing.T) {
	e := startEnv(t, 0, 0)
	ctx := t.Context()
	sc := seed(t, e.store, "https://scam.example/lock", scamscopev1.Label_LABEL_SCAM, "+18885550142")

	for _, raw := range []string{"https://scam.example/lock", "https://unknown.example/"} {
		want, err := e.grpc.LookupURL(ctx, &scamscopev1.LookupURLRequest{Url: raw})
		if err != nil {
			t.Fatal(err)
		}
		get := e.do(t, "GET", "/v1/lookup?url="+url.QueryEscape(raw), "", nil)
		sameJSON(t, "GET /v1/lookup "+raw, get, want)
		wantCache := fmt.Sprintf("public, max-age=%d", int(want.GetCacheDuration().AsDuration().Seconds()))
		if cc := get.header.Get("Cache-Control"); cc != wantCache {
			t.Errorf("GET /v1/lookup %s Cache-Control = %q, want %q", raw, cc, wantCache)
		}
		post := e.do(t, "POST", "/scamscope.v1.VerdictService/LookupURL", fmt.Sprintf(`{"url":%q}`, raw), nil)
		sameJSON(t, "POST LookupURL "+raw, post, want)
	}
	keyed := e.do(t, "GET", "/v1/lookup?url=https://scam.example/lock", "", map[string]string{"X-Api-Key": e.analyst})
	if cc := keyed.header.Get("Cache-Control"); !strings.HasPrefix(cc, "private, max-age=") {
		t.Errorf("keyed lookup Cache-Control = %q, want private", cc)
	}

	h := urlcanon.Hash("scam.example/lock")
	p := urlcanon.Prefix4(h)
	other := [4]byte{0xde, 0xad, 0xbe, 0xef}
	want, err := e.grpc.SearchHashes(ctx, &scamscopev1.SearchHashesRequest{HashPrefixes: [][]byte{p[:], other[:]}})
	if err != nil || len(want.GetFullHashes()) != 1 {
		t.Fatalf("gRPC SearchHashes = %v, %v; want one hash", want, err)
	}
	get := e.do(t, "GET", "/v1/hashes?prefix="+base64.RawURLEncoding.EncodeToString(p[:])+"&prefix="+base64.URLEncoding.EncodeToString(other[:]), "", nil)
	sameJSON(t, "GET /v1/hashes", get, want)
	if cc := get.header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("GET /v1/hashes Cache-Control = %q, want public, max-age=300", cc)
	}

	actx := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+e.analyst)
	wantScan, err := e.grpc.GetScan(actx, &scamscopev1.GetScanRequest{ScanId: sc.ID})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "POST GetScan", e.do(t, "POST", "/scamscope.v1.VerdictService/GetScan", fmt.Sprintf(`{"scanId":%q}`, sc.ID),
		map[string]string{"Authorization": "Bearer " + e.analyst}), wantScan)
	wantList, err := e.grpc.ListScans(actx, &scamscopev1.ListScansRequest{PhoneNumber: "+18885550142"})
	if err != nil || len(wantList.GetScans()) != 1 {
		t.Fatalf("gRPC ListScans = %v, %v", wantList, err)
	}
	sameJSON(t, "POST ListScans", e.do(t, "POST", "/scamscope.v1.VerdictService/ListScans", `{"phoneNumber":"+18885550142"}`,
		map[string]string{"X-Api-Key": e.analyst}), wantList)

	content := []byte("<p>Garden notes: water the tomatoes.</p>")
	wantContent, err := e.scan.ScanContent(ctx, &scamscopev1.ScanContentRequest{Content: content})
	if err != nil {
		t.Fatal(err)
	}
	a := e.do(t, "POST", "/scamscope.v1.ScanService/ScanContent", fmt.Sprintf(`{"content":%q}`, base64.StdEncoding.EncodeToString(content)), nil)
	var gotContent scamscopev1.ScanContentResponse
	if err := protojson.Unmarshal([]byte(a.body), &gotContent); err != nil || a.code != 200 ||
		gotContent.GetVerdict().GetLabel() != wantContent.GetVerdict().GetLabel() || gotContent.GetVerdict().GetScore() != wantContent.GetVerdict().GetScore() {
		t.Errorf("POST ScanContent = %d %s, want the gRPC verdict %v", a.code, a.body, wantContent.GetVerdict())
	}
}

func TestJSONErrors(t *testing.T) {
	e := startEnv(t, 0.001, 2)
	big := strings.Repeat("a", 2<<20)
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		code                     int
		want                     string
	}{
		{"malformed URL", "GET", "/v1/lookup?url=ftp%3A%2F%2Fx", "", nil, 400, `"code":3`},
		{"no URL", "GET", "/v1/lookup", "", nil, 400, "url is required"},
		{"short prefix", "GET", "/v1/hashes?prefix=AAAA", "", map[string]string{"X-Api-Key": e.analyst}, 400, "hash_prefixes[0] is 3 bytes"},
		{"not base64", "GET", "/v1/hashes?prefix=%21%21", "", map[string]string{"X-Api-Key": e.analyst}, 400, "base64url"},
		{"unknown scan", "POST", "/scamscope.v1.VerdictService/GetScan", `{"scanId":"` + scanqueue.NewID() + `"}`, map[string]string{"X-Api-Key": e.analyst}, 404, `"code":5`},
		{"malformed scan ID", "POST", "/scamscope.v1.VerdictService/GetScan", `{"scanId":"nope"}`, map[string]string{"X-Api-Key": e.analyst}, 400, "scan_id"},
		{"no key", "GET", "/v1/feed/phones.csv", "", nil, 401, "API key"},
		{"wrong key", "GET", "/v1/feed/phones.csv", "", map[string]string{"Authorization": "Bearer ssk_wrong"}, 403, "not valid"},
		{"unknown feed", "GET", "/v1/feed/emails.csv", "", map[string]string{"X-Api-Key": e.analyst}, 404, "phones.csv"},
		{"bad since", "GET", "/v1/feed/phones.json?since=yesterday", "", map[string]string{"X-Api-Key": e.analyst}, 400, "RFC 3339"},
		{"bad JSON", "POST", "/scamscope.v1.VerdictService/LookupURL", `{"url":`, nil, 400, ""},
		{"body too large", "POST", "/scamscope.v1.VerdictService/LookupURL", `{"url":"` + big + `"}`, map[string]string{"X-Api-Key": e.analyst}, 400, ""},
		{"no such method", "POST", "/scamscope.v1.VerdictService/DropTables", `{}`, nil, 404, ""},
	}
	for _, tc := range tests {
		a := e.do(t, tc.method, tc.path, tc.body, tc.header)
		if a.code != tc.code || !strings.Contains(a.body, tc.want) {
			t.Errorf("%s: %s %s = %d %.300s, want %d containing %q", tc.name, tc.method, tc.path, a.code, a.body, tc.code, tc.want)
		}
	}
	// The anonymous calls above used the burst of 2; the next is refused.
	a := e.do(t, "GET", "/v1/lookup?url=https%3A%2F%2Fa.example%2F", "", nil)
	if a.code != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Errorf("lookup over the rate = %d %s (Retry-After %q), want 429 with Retry-After", a.code, a.body, a.header.Get("Retry-After"))
	}
	if a := e.do(t, "GET", "/v1/lookup?url=https%3A%2F%2Fa.example%2F", "", map[string]string{"X-Api-Key": e.analyst}); a.code != 200 {
		t.Errorf("keyed lookup over the anonymous rate = %d %s, want 200", a.code, a.body)
	}
}

// TestRateLimitForwardedFor: behind a trusted proxy, the JSON API counts
// anonymous calls per forwarded client, on the hand-written routes and the
// generated ones alike; from other peers X-Forwarded-For is ignored.
func TestRateLimitForwardedFor(t *testing.T) {
	const (
		lookup = "/v1/lookup?url=https%3A%2F%2Fa.example%2F"
		post   = "/scamscope.v1.VerdictService/LookupURL"
		body   = `{"url":"https://a.example/"}`
	)
	e := startEnv(t, 0.001, 1, "127.0.0.0/8", "::1")
	steps := []struct {
		method, path, body, xff string
		want                    int
	}{
		{"GET", lookup, "", "203.0.113.1", 200},
		{"GET", lookup, "", "203.0.113.1", 429},
		{"POST", post, body, "203.0.113.1", 429}, // one bucket for both routes
		{"POST", post, body, "203.0.113.2", 200},
		{"GET", lookup, "", "203.0.113.2", 429},
		{"GET", lookup, "", "198.51.100.7, 203.0.113.2", 429}, // forged left entry
		{"GET", lookup, "", "203.0.113.3, 127.0.0.5", 200},    // two proxies
		{"GET", lookup, "", "", 200},                          // the proxy itself
		{"POST", post, body, "", 429},
	}
	for i, s := range steps {
		h := map[string]string{}
		if s.xff != "" {
			h["X-Forwarded-For"] = s.xff
		}
		if a := e.do(t, s.method, s.path, s.body, h); a.code != s.want {
			t.Errorf("step %d: %s %s with X-Forwarded-For %q = %d %s, want %d", i, s.method, s.path, s.xff, a.code, a.body, s.want)
		}
	}

	u := startEnv(t, 0.001, 1) // no trusted proxies
	if a := u.do(t, "GET", lookup, "", map[string]string{"X-Forwarded-For": "203.0.113.1"}); a.code != 200 {
		t.Fatalf("first lookup = %d %s", a.code, a.body)
	}
	if a := u.do(t, "GET", lookup, "", map[string]string{"X-Forwarded-For": "203.0.113.2"}); a.code != 429 {
		t.Errorf("lookup claiming another address, no trusted proxies = %d, want 429 (the header is not believed)", a.code)
	}
}

func TestCORS(t *testing.T) {
	e := startEnv(t, 0, 0)
	preflight := map[string]string{"Origin": extOrigin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-api-key"}
	a := e.do(t, "OPTIONS", "/v1/lookup", "", preflight)
	if a.code != http.StatusNoContent || a.header.Get("Access-Control-Allow-Origin") != extOrigin ||
		!strings.Contains(a.header.Get("Access-Control-Allow-Headers"), "X-Api-Key") || !strings.Contains(a.header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight from %s = %d %v, want 204 allowing it", extOrigin, a.code, a.header)
	}
	preflight["Origin"] = "https://evil.example"
	if a := e.do(t, "OPTIONS", "/v1/lookup", "", preflight); a.code != http.StatusForbidden || a.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin = %d %v, want 403 without CORS headers", a.code, a.header)
	}
	preflight["Origin"] = extOrigin + "x" // exact matches only
	if a := e.do(t, "OPTIONS", "/v1/lookup", "", preflight); a.code != http.StatusForbidden {
		t.Errorf("preflight from a longer origin = %d, want 403", a.code)
	}
	a = e.do(t, "GET", "/v1/lookup?url=https%3A%2F%2Fa.example%2F", "", map[string]string{"Origin": extOrigin})
	if a.code != 200 || a.header.Get("Access-Control-Allow-Origin") != extOrigin || !strings.Contains(a.header.Get("Vary"), "Origin") {
		t.Errorf("GET from %s = %d %v, want 200 with Allow-Origin and Vary", extOrigin, a.code, a.header)
	}
	a = e.do(t, "GET", "/v1/lookup?url=https%3A%2F%2Fa.example%2F", "", map[string]string{"Origin": "https://evil.example"})
	if a.header.Get("Access-Control-Allow-Origin") != "" || !strings.Contains(a.header.Get("Vary"), "Origin") {
		t.Errorf("GET from another origin: headers %v, want no Allow-Origin, Vary: Origin", a.header)
	}
	if _, err := New(Config{Verdict: &scamscopev1.UnimplementedVerdictServiceServer{}, CORSOrigins: []string{"chrome-extension://id/"}}); err == nil {
		t.Error("New accepted an origin with a path")
	}
	if _, err := New(Config{Verdict: &scamscopev1.UnimplementedVerdictServiceServer{}, CORSOrigins: []string{"*"}}); err == nil {
		t.Error("New accepted *")
	}
}

func TestFeeds(t *testing.T) {
	e := startEnv(t, 0, 0)
	sc := seed(t, e.store, "https://scam.example/a", scamscopev1.Label_LABEL_SCAM, "+18885550142")
	seed(t, e.store, "https://clean.example/", scamscopev1.Label_LABEL_CLEAN, "+18005550100")
	key := map[string]string{"X-Api-Key": e.analyst}
	a := e.do(t, "GET", "/v1/feed/phones.csv", "", key)
	if a.code != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("phones.csv = %d %s %s", a.code, a.header.Get("Content-Type"), a.body)
	}
	rows, err := csv.NewReader(strings.NewReader(a.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || strings.Join(rows[0], ",") != "value,first_seen,last_seen,count,example_urls" ||
		rows[1][0] != "+18885550142" || rows[1][3] != "1" || rows[1][4] != "https://scam.example/a" ||
		rows[1][1] != sc.FinishedAt.Format(time.RFC3339) {
		t.Errorf("phones.csv rows = %q, want the header and the SCAM page's number", rows)
	}
	want, err := e.grpc.ListIndicators(metadata.AppendToOutgoingContext(t.Context(), "x-api-key", e.analyst),
		&scamscopev1.ListIndicatorsRequest{Kind: scamscopev1.IndicatorKind_INDICATOR_KIND_PHONE_NUMBER})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "phones.json", e.do(t, "GET", "/v1/feed/phones.json", "", key), want)
	a = e.do(t, "GET", "/v1/feed/error-codes.json", "", key)
	if a.code != 200 || !strings.Contains(a.body, `"indicators":[]`) {
		t.Errorf("error-codes.json = %d %s, want an empty feed", a.code, a.body)
	}
	if a := e.do(t, "GET", "/v1/feed/phones.json?since="+time.Now().Add(time.Hour).UTC().Format(time.RFC3339), "", key); !strings.Contains(a.body, `"indicators":[]`) {
		t.Errorf("phones.json since the future = %s, want empty", a.body)
	}
}

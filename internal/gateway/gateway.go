// Package gateway serves ScamScope's gRPC API as JSON over HTTP, for browser
// extensions and scripts. It is generated from the protos (grpc-gateway v2,
// unbound methods), so it stays in step with them, and it calls the gRPC
// handlers in-process, through the same interceptor chain as gRPC calls
// (metrics, panic recovery, keys and rate limits):
//
//	POST /scamscope.v1.VerdictService/LookupURL      {"url": "..."}, and every other unary method alike
//	POST /scamscope.v1.ScanService/ScanContent       (streaming ScanContents is gRPC only)
//	GET  /v1/lookup?url=URL                          LookupURL, Cache-Control max-age from its cache_duration
//	GET  /v1/hashes?prefix=B64&prefix=B64...         SearchHashes; prefixes in base64url (padding optional)
//	GET  /v1/feed/phones.csv, phones.json,
//	     /v1/feed/error-codes.csv, error-codes.json  ListIndicators (analyst key); ?since=RFC 3339 time
//
// Bodies and answers are the protos' JSON mapping (lowerCamelCase fields,
// unset fields written out); errors are {"code", "message", "details"} with
// the HTTP status of the gRPC code (400, 401, 403, 404, 429, 503, ...). The
// API key travels in "Authorization: Bearer <key>" or "X-Api-Key: <key>".
// Anonymous lookups answer with Cache-Control "public, max-age=N", others
// "private". CORS is answered for the configured origins only, exact
// matches (chrome-extension://ID, moz-extension://UUID, https://site).
//
// It does not listen (the caller owns the http.Server), authenticate or
// rate-limit by itself (the interceptor does), or stream.
package gateway

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
)

// Config assembles a gateway.
type Config struct {
	// Verdict serves VerdictService; required.
	Verdict scamscopev1.VerdictServiceServer
	// Scan serves ScanService; nil leaves it out.
	Scan scamscopev1.ScanServiceServer
	// Interceptor wraps every call as the gRPC server's chain does
	// (server.Options.UnaryInterceptor); nil calls the handlers bare.
	Interceptor grpc.UnaryServerInterceptor
	// CORSOrigins may call from a browser: exact origins such as
	// "chrome-extension://abcdefghijklmnopabcdefghijklmnop".
	CORSOrigins []string
	// MaxBodyBytes bounds a request body; default 1 MiB.
	MaxBodyBytes int64
	// Logger receives what cannot be answered; required.
	Logger *slog.Logger
}

// Gateway is the JSON/HTTP handler.
type Gateway struct {
	cfg     Config
	verdict scamscopev1.VerdictServiceServer // wrapped with the interceptor
	mux     *runtime.ServeMux
	routes  *http.ServeMux
	json    *runtime.JSONPb
	origins map[string]bool
}

// New returns the gateway, or an error for a bad CORS origin.
func New(cfg Config) (*Gateway, error) {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	g := &Gateway{
		cfg:     cfg,
		verdict: &verdictServer{next: cfg.Verdict, icpt: cfg.Interceptor},
		json: &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: true},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: true},
		},
		origins: map[string]bool{},
	}
	var errs []error
	for _, o := range cfg.CORSOrigins {
		if err := checkOrigin(o); err != nil {
			errs = append(errs, err)
			continue
		}
		g.origins[o] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	g.mux = runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, g.json),
		runtime.WithIncomingHeaderMatcher(headerMatcher),
		runtime.WithErrorHandler(errorHandler),
	)
	ctx := context.Background()
	if err := scamscopev1.RegisterVerdictServiceHandlerServer(ctx, g.mux, g.verdict); err != nil {
		return nil, fmt.Errorf("register VerdictService: %w", err)
	}
	if cfg.Scan != nil {
		if err := scamscopev1.RegisterScanServiceHandlerServer(ctx, g.mux, &scanServer{next: cfg.Scan, icpt: cfg.Interceptor}); err != nil {
			return nil, fmt.Errorf("register ScanService: %w", err)
		}
	}
	g.routes = http.NewServeMux()
	g.routes.HandleFunc("GET /v1/lookup", g.lookup)
	g.routes.HandleFunc("GET /v1/hashes", g.hashes)
	g.routes.HandleFunc("GET /v1/feed/{file}", g.feed)
	g.routes.Handle("/", g.mux)
	return g, nil
}

// checkOrigin accepts scheme://host[:port] without a path.
func checkOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || o == "null" {
		return fmt.Errorf("CORS origin %q is not an origin like chrome-extension://<id> or https://example.com (scheme and host, no path or trailing slash)", o)
	}
	return nil
}

// headerMatcher forwards X-Api-Key besides what grpc-gateway forwards
// (Authorization, Grpc-Metadata-*).
func headerMatcher(key string) (string, bool) {
	if strings.EqualFold(key, "X-Api-Key") {
		return "x-api-key", true
	}
	return runtime.DefaultHeaderMatcher(key)
}

func errorHandler(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	if status.Code(err) == codes.ResourceExhausted {
		w.Header().Set("Retry-After", "1")
	}
	runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, err)
}

// ServeHTTP answers CORS, bounds the body, records the client's address for
// the rate limiter, and routes.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(g.origins) > 0 {
		// Answers differ by origin: shared caches must keep them apart.
		w.Header().Add("Vary", "Origin")
	}
	if origin := r.Header.Get("Origin"); origin != "" && len(g.origins) > 0 {
		h := w.Header()
		allowed := g.origins[origin]
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if !allowed {
				http.Error(w, "origin not allowed", http.StatusForbidden)
				return
			}
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, X-Api-Key, Content-Type")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed {
			h.Set("Access-Control-Allow-Origin", origin)
		}
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, g.cfg.MaxBodyBytes)
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		r = r.WithContext(peer.NewContext(r.Context(), &peer.Peer{Addr: net.TCPAddrFromAddrPort(ap)}))
	}
	g.routes.ServeHTTP(w, r)
}

// withKey puts the request's API key headers, and its X-Forwarded-For for
// the rate limiter, into incoming metadata, as grpc-gateway does for its own
// routes. It reports whether a key was sent.
func withKey(r *http.Request) (context.Context, bool) {
	ctx := r.Context()
	var md metadata.MD // made only when there is something to put in it
	set := func(key string, vals ...string) {
		if md == nil {
			md = metadata.MD{}
		}
		md.Set(key, vals...)
	}
	if v := r.Header.Get("Authorization"); v != "" {
		set("authorization", v)
	}
	if v := r.Header.Get("X-Api-Key"); v != "" {
		set("x-api-key", v)
	}
	keyed := md != nil
	if v := r.Header.Values("X-Forwarded-For"); len(v) > 0 {
		set("x-forwarded-for", v...)
	}
	if md == nil {
		return ctx, false
	}
	return metadata.NewIncomingContext(ctx, md), keyed
}

func (g *Gateway) lookup(w http.ResponseWriter, r *http.Request) {
	ctx, keyed := withKey(r)
	q := r.URL.Query()
	resp, err := g.verdict.LookupURL(ctx, &scamscopev1.LookupURLRequest{Url: q.Get("url")})
	if err != nil {
		g.fail(ctx, w, r, err)
		return
	}
	g.write(w, resp, cacheControl(resp.GetCacheDuration(), keyed))
}

func (g *Gateway) hashes(w http.ResponseWriter, r *http.Request) {
	ctx, keyed := withKey(r)
	vals := r.URL.Query()["prefix"]
	req := &scamscopev1.SearchHashesRequest{HashPrefixes: make([][]byte, len(vals))}
	for i, v := range vals {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(v, "="))
		if err != nil {
			g.fail(ctx, w, r, status.Errorf(codes.InvalidArgument, "prefix %d (%.20q) is not base64url: encode the 4 bytes with base64url, e.g. 3q2-7w", i, v))
			return
		}
		req.HashPrefixes[i] = b
	}
	resp, err := g.verdict.SearchHashes(ctx, req)
	if err != nil {
		g.fail(ctx, w, r, err)
		return
	}
	g.write(w, resp, cacheControl(resp.GetCacheDuration(), keyed))
}

func (g *Gateway) feed(w http.ResponseWriter, r *http.Request) {
	ctx, _ := withKey(r)
	file := r.PathValue("file")
	name, format, _ := strings.Cut(file, ".")
	var kind scamscopev1.IndicatorKind
	switch name {
	case "phones":
		kind = scamscopev1.IndicatorKind_INDICATOR_KIND_PHONE_NUMBER
	case "error-codes":
		kind = scamscopev1.IndicatorKind_INDICATOR_KIND_ERROR_CODE
	}
	if kind == scamscopev1.IndicatorKind_INDICATOR_KIND_UNSPECIFIED || (format != "csv" && format != "json") {
		g.fail(ctx, w, r, status.Errorf(codes.NotFound, "no feed %q: the feeds are phones.csv, phones.json, error-codes.csv and error-codes.json", file))
		return
	}
	req := &scamscopev1.ListIndicatorsRequest{Kind: kind}
	if s := r.URL.Query().Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			g.fail(ctx, w, r, status.Errorf(codes.InvalidArgument, "since %q is not an RFC 3339 time like 2026-01-02T15:04:05Z", s))
			return
		}
		req.Since = timestamppb.New(t)
	}
	resp, err := g.verdict.ListIndicators(ctx, req)
	if err != nil {
		g.fail(ctx, w, r, err)
		return
	}
	if format == "json" {
		g.write(w, resp, "private, max-age=60")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Cache-Control", "private, max-age=60")
	cw := csv.NewWriter(w)
	cw.Write([]string{"value", "first_seen", "last_seen", "count", "example_urls"})
	for _, in := range resp.GetIndicators() {
		cw.Write([]string{
			in.GetValue(), in.GetFirstSeen().AsTime().Format(time.RFC3339), in.GetLastSeen().AsTime().Format(time.RFC3339),
			strconv.FormatInt(in.GetCount(), 10), strings.Join(in.GetExampleUrls(), " "),
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		g.cfg.Logger.DebugContext(ctx, "write a feed", slog.Any("error", err))
	}
}

// cacheControl turns a cache duration into a Cache-Control value: shared
// caches may keep anonymous answers, not keyed ones.
func cacheControl(d *durationpb.Duration, keyed bool) string {
	secs := int64(0)
	if d != nil {
		secs = d.GetSeconds()
	}
	scope := "public"
	if keyed {
		scope = "private"
	}
	return scope + ", max-age=" + strconv.FormatInt(secs, 10)
}

func (g *Gateway) write(w http.ResponseWriter, m proto.Message, cache string) {
	b, err := g.json.Marshal(m)
	if err != nil {
		g.cfg.Logger.Error("marshal a JSON answer", slog.Any("error", err))
		http.Error(w, `{"code":13,"message":"internal error"}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", cache)
	w.Write(b)
}

func (g *Gateway) fail(ctx context.Context, w http.ResponseWriter, r *http.Request, err error) {
	errorHandler(ctx, g.mux, g.json, w, r, err)
}

// call runs h through the interceptor under method's name.
func call[Req, Resp any](ctx context.Context, icpt grpc.UnaryServerInterceptor, info *grpc.UnaryServerInfo, req Req, h func(context.Context, Req) (Resp, error)) (Resp, error) {
	if icpt == nil {
		return h(ctx, req)
	}
	out, err := icpt(ctx, req, info, func(ctx context.Context, r any) (any, error) { return h(ctx, r.(Req)) })
	if err != nil {
		var zero Resp
		return zero, err
	}
	return out.(Resp), nil
}

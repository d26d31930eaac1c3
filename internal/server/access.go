package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
	"github.com/scamscope/scamscope/internal/auth"
)

// methodRule is what a method asks of its caller: a role, or nothing but
// staying under the anonymous rate limit.
type methodRule struct {
	role    auth.Role // 0: open to anonymous callers, rate-limited
	limited bool
}

// methodRules maps every ScamScope method to its rule. Methods not listed
// (health, reflection) are not checked.
var methodRules = map[string]methodRule{
	scamscopev1.ScanService_ScanContent_FullMethodName:       {limited: true},
	scamscopev1.ScanService_ScanContents_FullMethodName:      {limited: true},
	scamscopev1.ScanService_ScanURL_FullMethodName:           {role: auth.RoleSubmit},
	scamscopev1.VerdictService_LookupURL_FullMethodName:      {limited: true},
	scamscopev1.VerdictService_SearchHashes_FullMethodName:   {limited: true},
	scamscopev1.VerdictService_GetScan_FullMethodName:        {role: auth.RoleAnalyst},
	scamscopev1.VerdictService_ListScans_FullMethodName:      {role: auth.RoleAnalyst},
	scamscopev1.VerdictService_ListIndicators_FullMethodName: {role: auth.RoleAnalyst},
	scamscopev1.VerdictService_SubmitURLs_FullMethodName:     {role: auth.RoleSubmit},
}

// AccessConfig says who may call what.
type AccessConfig struct {
	// Keys are the API keys; nil or empty for none.
	Keys *auth.Keys
	// Open grants every role to every caller, key or not: local
	// development without keys. A key that is sent must still be valid.
	Open bool
	// Limiter bounds anonymous calls per client; nil for no limit.
	Limiter *auth.Limiter
	// Proxies are the load balancers whose "x-forwarded-for" metadata (the
	// X-Forwarded-For header on the gateway) names the client; nil: the
	// client is the peer address, whatever the call says.
	Proxies *auth.Proxies
	// Metrics count refusals; nil for none.
	Metrics *AccessMetrics
	// Logger receives refusals at debug level (key IDs, never secrets).
	Logger *slog.Logger
}

// Access checks API keys, roles and the anonymous rate limit, for gRPC
// calls (its interceptors) and for the JSON gateway (through the same
// interceptor). A nil *Access lets everything through.
//
//	ScanContent, ScanContents, LookupURL, SearchHashes   anyone; anonymous callers rate-limited per client address
//	ScanURL, SubmitURLs, LookupURL with scan_if_unknown  a key with the submit role
//	GetScan, ListScans, ListIndicators                   a key with the analyst role
//
// The key travels in the "authorization: Bearer <key>" or "x-api-key: <key>"
// metadata (HTTP headers on the gateway). No key where one is needed:
// Unauthenticated. A key that is not known, anywhere, or one without the
// role: PermissionDenied. Over the rate: ResourceExhausted. Callers with a
// valid key are not rate-limited.
type Access struct {
	cfg AccessConfig
}

// NewAccess returns an Access.
func NewAccess(cfg AccessConfig) *Access {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Access{cfg: cfg}
}

// AccessMetrics count refused calls:
//
//	scamscope_auth_refused_total{reason}   reason: unauthenticated, permission_denied, rate_limited
type AccessMetrics struct {
	unauthenticated, denied, limited prometheus.Counter
}

// NewAccessMetrics creates the access metrics and registers them with reg.
func NewAccessMetrics(reg prometheus.Registerer) (*AccessMetrics, error) {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "scamscope", Subsystem: "auth", Name: "refused_total",
		Help: "Calls refused by the access checks, by reason: unauthenticated (no key), permission_denied (unknown key or missing role), rate_limited.",
	}, []string{"reason"})
	if err := reg.Register(v); err != nil {
		return nil, fmt.Errorf("register access metrics: %w", err)
	}
	return &AccessMetrics{
		unauthenticated: v.WithLabelValues("unauthenticated"),
		denied:          v.WithLabelValues("permission_denied"),
		limited:         v.WithLabelValues("rate_limited"),
	}, nil
}

func (m *AccessMetrics) inc(c codes.Code) {
	if m == nil {
		return
	}
	switch c {
	case codes.Unauthenticated:
		m.unauthenticated.Inc()
	case codes.PermissionDenied:
		m.denied.Inc()
	case codes.ResourceExhausted:
		m.limited.Inc()
	}
}

// callerKey holds the auth.Key of a call that sent a valid key.
type callerKey struct{}

// UnaryInterceptor checks unary calls.
func (a *Access) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := a.check(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamInterceptor checks streaming calls once, when they start.
func (a *Access) StreamInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if _, err := a.check(ss.Context(), info.FullMethod); err != nil {
			return err
		}
		return handler(srv, ss)
	}
}

// check applies method's rule to the caller in ctx, and returns ctx with
// the caller's key when one was sent.
func (a *Access) check(ctx context.Context, method string) (context.Context, error) {
	if a == nil {
		return ctx, nil
	}
	rule, ok := methodRules[method]
	if !ok {
		return ctx, nil
	}
	secret, sent, err := credentials(ctx)
	if err != nil {
		return ctx, a.refuse(ctx, method, codes.Unauthenticated, err.Error())
	}
	var key auth.Key
	if sent {
		key, err = a.cfg.Keys.Authenticate(secret)
		if err != nil {
			return ctx, a.refuse(ctx, method, codes.PermissionDenied, "the API key is not valid")
		}
		ctx = context.WithValue(ctx, callerKey{}, key)
	}
	if rule.role != 0 {
		if err := a.permit(ctx, method, rule.role, key, sent); err != nil {
			return ctx, err
		}
		return ctx, nil
	}
	if rule.limited && !sent && !a.cfg.Limiter.Allow(a.client(ctx)) {
		return ctx, a.refuse(ctx, method, codes.ResourceExhausted,
			"rate limit exceeded for your address: slow down, cache answers for their cache_duration, or use an API key")
	}
	return ctx, nil
}

// Permit checks that the caller holds role, for choices inside a method
// (LookupURL's scan_if_unknown). It relies on the interceptor having run.
func (a *Access) Permit(ctx context.Context, method string, role auth.Role) error {
	if a == nil {
		return nil
	}
	key, sent := ctx.Value(callerKey{}).(auth.Key)
	return a.permit(ctx, method, role, key, sent)
}

func (a *Access) permit(ctx context.Context, method string, role auth.Role, key auth.Key, sent bool) error {
	switch {
	case a.cfg.Open:
		return nil
	case !sent:
		return a.refuse(ctx, method, codes.Unauthenticated, fmt.Sprintf(
			"this needs an API key with the %s role: send it as \"authorization: Bearer <key>\" or \"x-api-key: <key>\"", role))
	case !key.Roles.Has(role):
		a.cfg.Logger.InfoContext(ctx, "API key lacks a role", slog.String("method", method), slog.String("key_id", key.ID), slog.String("role", role.String()))
		return a.refuse(ctx, method, codes.PermissionDenied, fmt.Sprintf("API key %q does not have the %s role", key.ID, role))
	}
	return nil
}

func (a *Access) refuse(ctx context.Context, method string, c codes.Code, msg string) error {
	a.cfg.Metrics.inc(c)
	if a.cfg.Logger.Enabled(ctx, slog.LevelDebug) {
		a.cfg.Logger.DebugContext(ctx, "call refused", slog.String("method", method), slog.String("code", c.String()),
			slog.String("client", a.client(ctx).String()))
	}
	return status.Error(c, msg)
}

// credentials returns the API key the call carries, whether it carries one,
// and an error for a malformed authorization header.
func credentials(ctx context.Context) (string, bool, error) {
	if v := metadata.ValueFromIncomingContext(ctx, "authorization"); len(v) > 0 {
		scheme, secret, ok := strings.Cut(strings.TrimSpace(v[0]), " ")
		secret = strings.TrimSpace(secret)
		if !ok || !strings.EqualFold(scheme, "bearer") || secret == "" {
			return "", false, fmt.Errorf("the authorization metadata must be \"Bearer <key>\"")
		}
		return secret, true, nil
	}
	if v := metadata.ValueFromIncomingContext(ctx, "x-api-key"); len(v) > 0 {
		if s := strings.TrimSpace(v[0]); s != "" {
			return s, true, nil
		}
	}
	return "", false, nil
}

// client is the address the call is counted under: the peer's, or the one
// a trusted proxy forwarded.
func (a *Access) client(ctx context.Context) netip.Addr {
	peer := peerAddr(ctx)
	if !a.cfg.Proxies.Trusted(peer) {
		return peer
	}
	return a.cfg.Proxies.Client(peer, metadata.ValueFromIncomingContext(ctx, "x-forwarded-for"))
}

// peerAddr is the connection's IP address, or the zero Addr when unknown.
func peerAddr(ctx context.Context) netip.Addr {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return netip.Addr{}
	}
	switch a := p.Addr.(type) {
	case *net.TCPAddr:
		return a.AddrPort().Addr()
	case interface{ AddrPort() netip.AddrPort }:
		return a.AddrPort().Addr()
	}
	return netip.Addr{}
}

package server

import (
	"context"
	"log/slog"
	"runtime"
	"runtime/debug"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
)

// Options assemble a gRPC server.
type Options struct {
	// Scan serves scamscope.v1.ScanService; required.
	Scan *ScanService
	// Verdict serves scamscope.v1.VerdictService; nil answers Unimplemented.
	Verdict *VerdictService
	// Access checks keys, roles and rate limits; nil lets every call through.
	Access *Access
	// Metrics count and time calls; nil for none.
	Metrics *Metrics
	// Logger receives panics and internal errors; required.
	Logger *slog.Logger
	// MaxRecvMsgBytes bounds one received message; 0 keeps gRPC's default
	// (4 MiB). Set it a little above the content limit so that oversized
	// content is refused with ResourceExhausted, by gRPC or by the scanner.
	MaxRecvMsgBytes int
}

// NewGRPC returns a *grpc.Server with ScanService, VerdictService, the
// grpc.health.v1 service (every service SERVING) and server reflection
// registered, and the metrics and panic-recovery interceptors installed.
// The health server is returned so that the caller can report NOT_SERVING
// while it drains.
func NewGRPC(o Options) (*grpc.Server, *health.Server) {
	if o.Metrics != nil {
		o.Scan.items = o.Metrics
	}
	if o.Verdict != nil {
		o.Verdict.access = o.Access
	}
	unary := o.unaryInterceptors()
	stream := []grpc.StreamServerInterceptor{}
	if o.Metrics != nil {
		stream = append(stream, o.Metrics.StreamInterceptor())
	}
	stream = append(stream, RecoverStream(o.Logger))
	if o.Access != nil {
		stream = append(stream, o.Access.StreamInterceptor())
	}

	opts := []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
	}
	if o.MaxRecvMsgBytes > 0 {
		opts = append(opts, grpc.MaxRecvMsgSize(o.MaxRecvMsgBytes))
	}
	// A pool of goroutines serves the calls instead of a new goroutine per
	// call, whose stack grows (and is copied) on every call: a third less
	// server CPU for small calls such as LookupURL. Calls beyond the pool
	// get a goroutine of their own, as without it.
	opts = append(opts, grpc.NumStreamWorkers(uint32(64*runtime.GOMAXPROCS(0))))
	gs := grpc.NewServer(opts...)
	scamscopev1.RegisterScanServiceServer(gs, o.Scan)
	if o.Verdict != nil {
		scamscopev1.RegisterVerdictServiceServer(gs, o.Verdict)
	} else {
		scamscopev1.RegisterVerdictServiceServer(gs, unimplementedVerdicts{})
	}

	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	for name := range gs.GetServiceInfo() {
		hs.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	}
	healthpb.RegisterHealthServer(gs, hs)
	reflection.Register(gs)
	return gs, hs
}

// unaryInterceptors are the unary interceptors, outermost first: metrics
// (so that a recovered panic or a refusal is counted), panic recovery, access.
func (o Options) unaryInterceptors() []grpc.UnaryServerInterceptor {
	var unary []grpc.UnaryServerInterceptor
	if o.Metrics != nil {
		unary = append(unary, o.Metrics.UnaryInterceptor())
	}
	unary = append(unary, RecoverUnary(o.Logger))
	if o.Access != nil {
		unary = append(unary, o.Access.UnaryInterceptor())
	}
	return unary
}

// UnaryInterceptor is the chain of unary interceptors NewGRPC installs, as
// one, for callers that invoke the handlers directly (the JSON gateway), so
// that their calls are counted, recovered and checked the same way.
func (o Options) UnaryInterceptor() grpc.UnaryServerInterceptor {
	chain := o.unaryInterceptors()
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		return chainFrom(chain, 0, info, handler)(ctx, req)
	}
}

func chainFrom(chain []grpc.UnaryServerInterceptor, i int, info *grpc.UnaryServerInfo, final grpc.UnaryHandler) grpc.UnaryHandler {
	if i == len(chain) {
		return final
	}
	return func(ctx context.Context, req any) (any, error) {
		return chain[i](ctx, req, info, chainFrom(chain, i+1, info, final))
	}
}

// RecoverUnary turns a panic in a unary handler into Internal, logging it
// with its stack, so that no request crashes the server.
func RecoverUnary(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = recovered(ctx, log, info.FullMethod, p)
			}
		}()
		return handler(ctx, req)
	}
}

// RecoverStream is RecoverUnary for streaming handlers. Goroutines a handler
// starts must recover on their own.
func RecoverStream(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = recovered(ss.Context(), log, info.FullMethod, p)
			}
		}()
		return handler(srv, ss)
	}
}

func recovered(ctx context.Context, log *slog.Logger, method string, p any) error {
	log.ErrorContext(ctx, "panic in gRPC handler",
		slog.String("method", method), slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
	return status.Error(codes.Internal, "internal error")
}

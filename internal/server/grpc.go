package server

import (
	"context"
	"log/slog"
	"runtime/debug"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
)

// VerdictService answers every method with Unimplemented until the verdict
// store lands.
type VerdictService struct {
	scamscopev1.UnimplementedVerdictServiceServer
}

// Options assemble a gRPC server.
type Options struct {
	// Scan serves scamscope.v1.ScanService; required.
	Scan *ScanService
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
	unary := []grpc.UnaryServerInterceptor{}
	stream := []grpc.StreamServerInterceptor{}
	if o.Metrics != nil {
		// Outermost, so a recovered panic is counted as Internal.
		unary = append(unary, o.Metrics.UnaryInterceptor())
		stream = append(stream, o.Metrics.StreamInterceptor())
		o.Scan.items = o.Metrics
	}
	unary = append(unary, RecoverUnary(o.Logger))
	stream = append(stream, RecoverStream(o.Logger))

	opts := []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
	}
	if o.MaxRecvMsgBytes > 0 {
		opts = append(opts, grpc.MaxRecvMsgSize(o.MaxRecvMsgBytes))
	}
	gs := grpc.NewServer(opts...)
	scamscopev1.RegisterScanServiceServer(gs, o.Scan)
	scamscopev1.RegisterVerdictServiceServer(gs, &VerdictService{})

	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	for name := range gs.GetServiceInfo() {
		hs.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	}
	healthpb.RegisterHealthServer(gs, hs)
	reflection.Register(gs)
	return gs, hs
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

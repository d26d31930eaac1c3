package gateway

import (
	"context"

	"google.golang.org/grpc"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
)

// The servers below put every directly called method through the
// interceptor, under its gRPC name. A method added to the protos and not
// wrapped here answers Unimplemented on the gateway.

func info(method string) *grpc.UnaryServerInfo { return &grpc.UnaryServerInfo{FullMethod: method} }

var (
	infoLookupURL      = info(scamscopev1.VerdictService_LookupURL_FullMethodName)
	infoSearchHashes   = info(scamscopev1.VerdictService_SearchHashes_FullMethodName)
	infoGetScan        = info(scamscopev1.VerdictService_GetScan_FullMethodName)
	infoListScans      = info(scamscopev1.VerdictService_ListScans_FullMethodName)
	infoSubmitURLs     = info(scamscopev1.VerdictService_SubmitURLs_FullMethodName)
	infoListIndicators = info(scamscopev1.VerdictService_ListIndicators_FullMethodName)
	infoScanContent    = info(scamscopev1.ScanService_ScanContent_FullMethodName)
	infoScanURL        = info(scamscopev1.ScanService_ScanURL_FullMethodName)
)

type verdictServer struct {
	scamscopev1.UnimplementedVerdictServiceServer
	next scamscopev1.VerdictServiceServer
	icpt grpc.UnaryServerInterceptor
}

func (s *verdictServer) LookupURL(ctx context.Context, req *scamscopev1.LookupURLRequest) (*scamscopev1.LookupURLResponse, error) {
	return call(ctx, s.icpt, infoLookupURL, req, s.next.LookupURL)
}

func (s *verdictServer) SearchHashes(ctx context.Context, req *scamscopev1.SearchHashesRequest) (*scamscopev1.SearchHashesResponse, error) {
	return call(ctx, s.icpt, infoSearchHashes, req, s.next.SearchHashes)
}

func (s *verdictServer) GetScan(ctx context.Context, req *scamscopev1.GetScanRequest) (*scamscopev1.GetScanResponse, error) {
	return call(ctx, s.icpt, infoGetScan, req, s.next.GetScan)
}

func (s *verdictServer) ListScans(ctx context.Context, req *scamscopev1.ListScansRequest) (*scamscopev1.ListScansResponse, error) {
	return call(ctx, s.icpt, infoListScans, req, s.next.ListScans)
}

func (s *verdictServer) SubmitURLs(ctx context.Context, req *scamscopev1.SubmitURLsRequest) (*scamscopev1.SubmitURLsResponse, error) {
	return call(ctx, s.icpt, infoSubmitURLs, req, s.next.SubmitURLs)
}

func (s *verdictServer) ListIndicators(ctx context.Context, req *scamscopev1.ListIndicatorsRequest) (*scamscopev1.ListIndicatorsResponse, error) {
	return call(ctx, s.icpt, infoListIndicators, req, s.next.ListIndicators)
}

type scanServer struct {
	scamscopev1.UnimplementedScanServiceServer
	next scamscopev1.ScanServiceServer
	icpt grpc.UnaryServerInterceptor
}

func (s *scanServer) ScanContent(ctx context.Context, req *scamscopev1.ScanContentRequest) (*scamscopev1.ScanContentResponse, error) {
	return call(ctx, s.icpt, infoScanContent, req, s.next.ScanContent)
}

func (s *scanServer) ScanURL(ctx context.Context, req *scamscopev1.ScanURLRequest) (*scamscopev1.ScanURLResponse, error) {
	return call(ctx, s.icpt, infoScanURL, req, s.next.ScanURL)
}

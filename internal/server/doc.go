// Package server is the gRPC edge of ScamScope: it validates requests,
// converts between the generated scamscopev1 messages and the domain types
// (extract.Content in, score.Verdict and scan timings out), maps pipeline
// errors to status codes, and supplies the interceptors (request metrics,
// panic recovery) and the assembled *grpc.Server with health and
// reflection.
//
// It is the only package that knows gRPC status codes. It does not classify
// anything itself (internal/scan does), does not listen on sockets (the
// caller owns the listener), and does not render URLs: ScanURL and every
// VerdictService method answer Unimplemented in this build.
//
// Status codes:
//
//	empty content, binary content, bad page_url,
//	missing client_id (per stream item)           InvalidArgument
//	markup plus scripts over the size limit       ResourceExhausted
//	the call's deadline passed                    DeadlineExceeded
//	the client went away                          Canceled
//	anything else (logged once, with slog)        Internal, generic message
//	a panic in a handler (logged with its stack)  Internal, generic message
//
// Invalid UTF-8 is not an error: extract decodes legacy charsets.
package server

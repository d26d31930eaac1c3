// Package server is the gRPC edge of ScamScope: it validates requests,
// converts them to extract.Content, runs them through scan.Scanner, answers
// with the verdict and stage timings (converted by internal/apiconv, which
// the CLI shares), maps pipeline errors to status codes, and supplies the
// interceptors (request metrics, panic recovery) and the assembled
// *grpc.Server with health and reflection.
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
//
// A message larger than the gRPC receive limit (Options.MaxRecvMsgBytes) is
// refused by gRPC itself with ResourceExhausted before a handler sees it; in
// ScanContents that ends the stream, while an item between the content
// limit and the message limit gets a ResourceExhausted ItemError and the
// stream goes on.
package server

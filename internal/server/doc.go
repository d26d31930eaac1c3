// Package server is the gRPC edge of ScamScope: it validates requests,
// converts them to extract.Content, runs them through scan.Scanner, answers
// with the verdict and stage timings (converted by internal/apiconv, which
// the CLI shares), maps pipeline errors to status codes, and supplies the
// interceptors (request metrics, panic recovery) and the assembled
// *grpc.Server with health and reflection.
//
// VerdictService answers from a verdict.Store: URL lookups in the clear or
// by hash prefix, stored scans and their pivots for analysts, the indicator
// feeds, and SubmitURLs, which queues background scans on a
// scanqueue.Queue run by URLScanRunner. ScanURL stores its result when the
// ScanService has a store (WithStore) and answers with its scan_id. Access
// checks API keys, roles and the anonymous rate limit (see Access for which
// method needs what); Options.UnaryInterceptor hands the same checks to the
// JSON gateway, which calls the handlers directly.
//
// It is the only package that knows gRPC status codes. It does not classify
// anything itself (internal/scan does), does not listen on sockets (the
// caller owns the listener), and does not keep verdicts (internal/verdict
// does). Without a store (Options.Verdict nil) every VerdictService method
// answers Unimplemented.
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
// VerdictService:
//
//	malformed URL, scan ID, phone number, host,
//	label, time range, page size or page token,
//	not 1..1,000 hash prefixes, a prefix that is
//	not 4 bytes, not 1..100 URLs to submit        InvalidArgument
//	no scan with that ID                          NotFound
//	the scan queue is full                        ResourceExhausted
//	no browser (SubmitURLs, scan_if_unknown),
//	shutting down                                 Unavailable
//
// Access (both services): a key needed but not sent Unauthenticated; an
// unknown key, or a key without the role, PermissionDenied; anonymous calls
// over the rate limit ResourceExhausted.
//
// Invalid UTF-8 is not an error: extract decodes legacy charsets.
//
// A message larger than the gRPC receive limit (Options.MaxRecvMsgBytes) is
// refused by gRPC itself with ResourceExhausted before a handler sees it; in
// ScanContents that ends the stream, while an item between the content
// limit and the message limit gets a ResourceExhausted ItemError and the
// stream goes on.
package server

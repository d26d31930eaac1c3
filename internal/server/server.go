package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
	"github.com/scamscope/scamscope/internal/apiconv"
	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/scan"
	"github.com/scamscope/scamscope/internal/score"
	"github.com/scamscope/scamscope/internal/verdict"
)

// VerdictObserver is told about every verdict the server hands out; the
// scan metrics implement it.
type VerdictObserver interface {
	ObserveVerdict(v *score.Verdict)
}

// Config tunes the ScanService.
type Config struct {
	// MaxConcurrentItems bounds how many items of one ScanContents stream
	// are scanned at once; 0 means runtime.GOMAXPROCS(0). Reading the
	// stream pauses while all slots are busy, so a fast client is held back
	// by flow control rather than queued in memory.
	MaxConcurrentItems int
	// URLScanTimeout bounds a ScanURL call; a request's own timeout and the
	// call's deadline may only shorten it. Default 30 s.
	URLScanTimeout time.Duration
}

// ScanService implements scamscopev1.ScanServiceServer over a scan.Scanner.
// It is safe for concurrent use.
type ScanService struct {
	scamscopev1.UnimplementedScanServiceServer

	cfg     Config
	scanner *scan.Scanner
	log     *slog.Logger
	obs     VerdictObserver
	items   itemCounter
	store   verdict.Store // nil: ScanURL results are not stored (WithStore)
}

// itemCounter counts stream items by status code; Metrics implements it.
type itemCounter interface {
	observeItem(method string, c codes.Code)
}

// NewScanService returns a ScanService. log must not be nil; obs may be.
func NewScanService(cfg Config, sc *scan.Scanner, log *slog.Logger, obs VerdictObserver) *ScanService {
	if cfg.MaxConcurrentItems <= 0 {
		cfg.MaxConcurrentItems = runtime.GOMAXPROCS(0)
	}
	if cfg.URLScanTimeout <= 0 {
		cfg.URLScanTimeout = 30 * time.Second
	}
	return &ScanService{cfg: cfg, scanner: sc, log: log, obs: obs}
}

// ScanContent classifies one page or creative.
func (s *ScanService) ScanContent(ctx context.Context, req *scamscopev1.ScanContentRequest) (*scamscopev1.ScanContentResponse, error) {
	v, err := s.scanOne(ctx, req)
	if err != nil {
		return nil, s.toStatus(ctx, scamscopev1.ScanService_ScanContent_FullMethodName, err)
	}
	return &scamscopev1.ScanContentResponse{Verdict: v}, nil
}

// ScanContents classifies a stream of items. Each item is answered with its
// client ID, a verdict or an ItemError; results go back as they finish.
// A bad item never ends the stream; a failure to receive or send does.
func (s *ScanService) ScanContents(stream scamscopev1.ScanService_ScanContentsServer) error {
	const method = scamscopev1.ScanService_ScanContents_FullMethodName
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()

	var (
		sendMu  sync.Mutex
		sendErr error
		wg      sync.WaitGroup
	)
	send := func(resp *scamscopev1.ScanContentsResponse) {
		sendMu.Lock()
		defer sendMu.Unlock()
		if sendErr != nil {
			return
		}
		if err := stream.Send(resp); err != nil {
			sendErr = err
			cancel() // stop the other workers: nobody can hear them
		}
	}
	sem := make(chan struct{}, s.cfg.MaxConcurrentItems)

	var recvErr error
	for {
		item, err := stream.Recv()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				recvErr = err
			}
			break
		}
		if item.GetClientId() == "" {
			s.countItem(method, codes.InvalidArgument)
			send(itemError(item.GetClientId(), codes.InvalidArgument,
				"client_id is required: set a unique client_id on every item so its result can be paired with it"))
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			send(s.scanItem(ctx, method, item))
		}()
	}
	wg.Wait()

	switch {
	case sendErr != nil:
		return sendErr
	case recvErr != nil:
		return recvErr
	case stream.Context().Err() != nil:
		return status.FromContextError(stream.Context().Err()).Err()
	}
	return nil
}

// scanItem answers one stream item; a panic becomes an Internal ItemError,
// as the recover interceptor does not see worker goroutines.
func (s *ScanService) scanItem(ctx context.Context, method string, item *scamscopev1.ScanContentsRequest) (resp *scamscopev1.ScanContentsResponse) {
	id := item.GetClientId()
	defer func() {
		if p := recover(); p != nil {
			s.log.ErrorContext(ctx, "panic scanning stream item",
				slog.String("method", method), slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			s.countItem(method, codes.Internal)
			resp = itemError(id, codes.Internal, "internal error")
		}
	}()
	v, err := s.scanOne(ctx, item.GetContent())
	if err != nil {
		st, _ := status.FromError(s.toStatus(ctx, method, err))
		s.countItem(method, st.Code())
		return itemError(id, st.Code(), st.Message())
	}
	s.countItem(method, codes.OK)
	return &scamscopev1.ScanContentsResponse{
		ClientId: id,
		Result:   &scamscopev1.ScanContentsResponse_Verdict{Verdict: v},
	}
}

func (s *ScanService) countItem(method string, c codes.Code) {
	if s.items != nil {
		s.items.observeItem(method, c)
	}
}

func itemError(clientID string, c codes.Code, msg string) *scamscopev1.ScanContentsResponse {
	return &scamscopev1.ScanContentsResponse{
		ClientId: clientID,
		Result: &scamscopev1.ScanContentsResponse_Error{
			Error: &scamscopev1.ItemError{Code: int32(c), Message: msg},
		},
	}
}

// scanOne validates, converts and scans one request. req may be nil (a
// stream item without content), which is empty content.
func (s *ScanService) scanOne(ctx context.Context, req *scamscopev1.ScanContentRequest) (*scamscopev1.Verdict, error) {
	c, err := contentFromProto(req)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res, err := s.scanner.ScanContent(ctx, c)
	if err != nil {
		return nil, err
	}
	if s.obs != nil {
		s.obs.ObserveVerdict(&res.Verdict)
	}
	return apiconv.Verdict(res.Verdict, res.Timings), nil
}

// invalidArgumentError is a request problem found here, before the
// pipeline; its message is for the client.
type invalidArgumentError struct{ msg string }

func (e *invalidArgumentError) Error() string { return e.msg }

// contentFromProto converts a request into the pipeline's input.
func contentFromProto(req *scamscopev1.ScanContentRequest) (*extract.Content, error) {
	c := &extract.Content{
		HTML:        req.GetContent(),
		ContentType: req.GetContentType(),
	}
	for _, sc := range req.GetScripts() {
		c.Scripts = append(c.Scripts, extract.Script{Name: sc.GetName(), Source: sc.GetSource()})
	}
	if raw := req.GetPageUrl(); raw != "" {
		u, err := parsePageURL(raw)
		if err != nil {
			return nil, err
		}
		c.URL = u
	}
	return c, nil
}

func parsePageURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &invalidArgumentError{fmt.Sprintf(
			"page_url %q is not a valid URL: %v; send an absolute http or https URL, or leave it empty", truncate(raw, 200), unwrapURLError(err))}
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, &invalidArgumentError{fmt.Sprintf(
			"page_url %q is not an absolute http or https URL (like https://example.com/page); leave it empty if unknown", truncate(raw, 200))}
	}
	return u, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// toStatus maps an error from validation or the pipeline to a status. It is
// the only place errors become codes. Unknown errors are logged here, once,
// and reach the client as a generic Internal.
func (s *ScanService) toStatus(ctx context.Context, method string, err error) error {
	var inv *invalidArgumentError
	switch {
	case errors.As(err, &inv):
		return status.Error(codes.InvalidArgument, inv.msg)
	case errors.Is(err, scan.ErrEmpty):
		return status.Error(codes.InvalidArgument,
			"content is empty: send the page's HTML in content or scripts in scripts")
	case errors.Is(err, scan.ErrTooLarge):
		return status.Errorf(codes.ResourceExhausted,
			"%v (markup plus scripts): send less, or raise the server's --max-content-bytes", err)
	case errors.Is(err, scan.ErrBinary):
		return status.Error(codes.InvalidArgument,
			"content is binary (NUL or control bytes near the start), not a web page: send HTML or JavaScript text")
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded,
			"the scan did not finish before the call's deadline: allow more time or send less content")
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "the call was canceled before the scan finished")
	}
	s.log.ErrorContext(ctx, "scan failed", slog.String("method", method), slog.Any("error", err))
	return status.Error(codes.Internal, "internal error")
}

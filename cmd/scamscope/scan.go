package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/local"
	"google.golang.org/protobuf/encoding/protojson"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
	"github.com/scamscope/scamscope/internal/apiconv"
	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/scan"
)

// contentType guesses a file's MIME type from its extension: scripts and
// plain text are told apart from markup, everything else is HTML.
func contentType(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".js", ".mjs":
		return "application/javascript"
	case ".txt", ".md":
		return "text/plain"
	}
	return "text/html"
}

// verdictFunc classifies one file's bytes.
type verdictFunc func(ctx context.Context, name string, data []byte) (*scamscopev1.Verdict, error)

// localVerdicts classifies with an in-process scanner.
func localVerdicts(s *scan.Scanner, pageURL *url.URL) verdictFunc {
	return func(ctx context.Context, name string, data []byte) (*scamscopev1.Verdict, error) {
		res, err := s.ScanContent(ctx, &extract.Content{HTML: data, Scripts: localScripts(name, data), URL: pageURL, ContentType: contentType(name)})
		if err != nil {
			return nil, err
		}
		return apiconv.Verdict(res.Verdict, res.Timings), nil
	}
}

// remoteVerdicts classifies through a server's ScanContent.
func remoteVerdicts(c scamscopev1.ScanServiceClient, pageURL string, timeout time.Duration) verdictFunc {
	return func(ctx context.Context, name string, data []byte) (*scamscopev1.Verdict, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		var scripts []*scamscopev1.ScriptSource
		for _, s := range localScripts(name, data) {
			scripts = append(scripts, &scamscopev1.ScriptSource{Name: s.Name, Source: s.Source})
		}
		resp, err := c.ScanContent(ctx, &scamscopev1.ScanContentRequest{Content: data, Scripts: scripts, PageUrl: pageURL, ContentType: contentType(name)})
		if err != nil {
			return nil, err
		}
		if resp.GetVerdict() == nil {
			return nil, errNoVerdict
		}
		return resp.GetVerdict(), nil
	}
}

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := newFlags("scan", "scamscope scan [--json] [--rules DIR | --server ADDR] [--url PAGEURL] FILE...", stderr)
	asJSON := fl.Bool("json", false, "print one JSON object a line: {\"file\": ..., \"verdict\": <scamscope.v1.Verdict>}")
	dir := fl.String("rules", "", "rules `DIR`; the built-in rules when empty (local scans only)")
	rawURL := fl.String("url", "", "`PAGEURL` the files were served from, as context (never fetched)")
	server := fl.String("server", "", "scan through the scamscoped at `ADDR` (host:port on loopback, or unix:PATH) instead of locally")
	timeout := fl.Duration("timeout", 30*time.Second, "per-file deadline of a --server call")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	files := fl.Args()
	if len(files) == 0 {
		return usagef("scan: want at least one FILE")
	}
	if *server != "" && *dir != "" {
		return usagef("scan: --rules applies to local scans; the server uses its own rules")
	}
	var pageURL *url.URL
	if *rawURL != "" {
		u, err := url.Parse(*rawURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("scan: --url %q: want an absolute http or https URL", *rawURL)
		}
		pageURL = u
	}

	var classify verdictFunc
	if *server != "" {
		// Local credentials: plaintext, and only to a loopback address or
		// a Unix socket, so a verdict never crosses a network unprotected.
		conn, err := grpc.NewClient(*server, grpc.WithTransportCredentials(local.NewCredentials()))
		if err != nil {
			return fmt.Errorf("scan: server %s: %w", *server, err)
		}
		defer conn.Close()
		classify = remoteVerdicts(scamscopev1.NewScanServiceClient(conn), *rawURL, *timeout)
	} else {
		set, err := loadRules(*dir)
		if err != nil {
			return err
		}
		classify = localVerdicts(scan.New(scan.DefaultConfig(), set, nil), pageURL)
	}

	failed := 0
	for _, file := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := os.ReadFile(file)
		if err == nil {
			var v *scamscopev1.Verdict
			if v, err = classify(ctx, file, data); err == nil {
				if *asJSON {
					err = writeVerdictJSON(stdout, file, v)
				} else {
					err = writeVerdictText(stdout, file, v)
				}
			}
		}
		if err != nil {
			failed++
			fmt.Fprintf(stderr, "scamscope: scan %s: %v\n", file, err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("scan: %d of %d file(s) failed", failed, len(files))
	}
	return nil
}

// writeVerdictJSON writes {"file": ..., "verdict": ...} on one line, the
// verdict in the contract's JSON form with proto field names.
func writeVerdictJSON(w io.Writer, file string, v *scamscopev1.Verdict) error {
	vj, err := protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true}.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode verdict: %w", err)
	}
	line, err := json.Marshal(struct {
		File    string          `json:"file"`
		Verdict json.RawMessage `json:"verdict"`
	}{file, vj})
	if err != nil {
		return fmt.Errorf("encode verdict: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", line)
	return err
}

// labelName is a label without its enum prefix: SCAM, SUSPICIOUS, CLEAN.
func labelName(l scamscopev1.Label) string {
	return strings.TrimPrefix(l.String(), "LABEL_")
}

// writeVerdictText writes a verdict for a person: the label and score, the
// fired rules with their evidence, then the indicators.
func writeVerdictText(w io.Writer, file string, v *scamscopev1.Verdict) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s score %d", file, labelName(v.GetLabel()), v.GetScore())
	if rv := v.GetRuleSetVersion(); rv != "" {
		fmt.Fprintf(&b, " (rules %s)", rv)
	}
	b.WriteByte('\n')
	if cats := v.GetCategories(); len(cats) > 0 {
		fmt.Fprintf(&b, "  categories: %s\n", strings.Join(cats, ", "))
	}
	if fired := v.GetFiredRules(); len(fired) > 0 {
		fmt.Fprintf(&b, "  fired rules (%d):\n", len(fired))
		for _, f := range fired {
			fmt.Fprintf(&b, "    %+4d %s [%s] %s\n", f.GetWeight(), f.GetId(), f.GetCategory(), f.GetTitle())
			for _, e := range f.GetEvidence() {
				fmt.Fprintf(&b, "         %s %d-%d: %q\n", e.GetField(), e.GetStart(), e.GetEnd(), e.GetSnippet())
			}
		}
	} else {
		b.WriteString("  fired rules: none\n")
	}
	in := v.GetIndicators()
	for _, p := range in.GetPhoneNumbers() {
		e164 := p.GetE164()
		if e164 == "" {
			e164 = "(invalid)"
		}
		fmt.Fprintf(&b, "  phone: %s %q region %s, %s, in %s\n", e164, p.GetRaw(), p.GetRegion(), p.GetType(), p.GetField())
	}
	for _, c := range in.GetErrorCodes() {
		fmt.Fprintf(&b, "  error code: %s in %s", c.GetCode(), c.GetField())
		if s := c.GetSnippet(); s != "" {
			fmt.Fprintf(&b, ": %q", s)
		}
		b.WriteByte('\n')
	}
	if br := in.GetBrands(); len(br) > 0 {
		fmt.Fprintf(&b, "  brands: %s\n", strings.Join(br, ", "))
	}
	if rt := in.GetRemoteAccessTools(); len(rt) > 0 {
		fmt.Fprintf(&b, "  remote-access tools: %s\n", strings.Join(rt, ", "))
	}
	for _, l := range in.GetLockBehaviors() {
		how := "in source"
		if l.GetRuntime() {
			how = "at run time"
		}
		fmt.Fprintf(&b, "  lock: %s x%d %s", l.GetKind(), l.GetCount(), how)
		if ev := l.GetEvidence(); ev != "" {
			fmt.Fprintf(&b, ": %q", ev)
		}
		b.WriteByte('\n')
	}
	for _, wn := range v.GetWarnings() {
		fmt.Fprintf(&b, "  warning: %s\n", wn)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// errNoVerdict is returned when a server answers without a verdict.
var errNoVerdict = errors.New("server returned no verdict")

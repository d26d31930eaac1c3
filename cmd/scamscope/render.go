package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"time"

	"github.com/scamscope/scamscope/internal/browser"
	"github.com/scamscope/scamscope/internal/corpus"
	"github.com/scamscope/scamscope/internal/egress"
	"github.com/scamscope/scamscope/internal/scan"
)

// renderClassifier classifies corpus pages by rendering them in headless
// Chromium: the manifest's folder is served on a loopback port, and the
// browser may reach that port and nothing else (the default-deny egress
// policy, with loopback allowed on that one port only), so the kits'
// external assets are refused and recorded.
type renderClassifier struct {
	s       *scan.Scanner
	base    string
	timeout time.Duration
}

func (c renderClassifier) Classify(ctx context.Context, e corpus.Entry, _ []byte) (corpus.Outcome, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := c.base + (&url.URL{Path: path.Clean("/" + e.Path)}).EscapedPath()
	res, err := c.s.ScanURL(ctx, u, browser.Profile{}, browser.Options{})
	if err != nil {
		return corpus.Outcome{}, err
	}
	o := corpus.Outcome{Call: corpus.Call(res.Verdict.Label.String()), Score: res.Verdict.Score}
	for _, f := range res.Verdict.Fired {
		o.Rules = append(o.Rules, f.ID)
	}
	return o, nil
}

// startRender serves m's folder on loopback and starts a browser pool that
// may reach only it. stop releases both.
func startRender(ctx context.Context, m *corpus.Manifest, s *scan.Scanner, pool int, timeout time.Duration) (c renderClassifier, stop func(), err error) {
	var lc net.ListenConfig
	lis, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return c, nil, fmt.Errorf("render: serve the corpus: %w", err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(m.Dir)), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(lis)
	port := lis.Addr().(*net.TCPAddr).Port
	p, err := browser.New(ctx, browser.Config{
		PoolSize:  pool,
		QueueSize: 1 << 10,
		Timeout:   timeout,
		Egress:    egress.Config{Policy: egress.Policy{AllowLoopback: true, AllowedPorts: []int{port}}},
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		srv.Close()
		return c, nil, fmt.Errorf("render: %w", err)
	}
	stop = func() {
		p.Close()
		srv.Close()
	}
	return renderClassifier{s: s.WithRenderer(p), base: "http://127.0.0.1:" + strconv.Itoa(port), timeout: timeout}, stop, nil
}

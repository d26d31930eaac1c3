package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scamscope/scamscope/internal/browser"
	"github.com/scamscope/scamscope/internal/egress"
)

// startBrowser starts the Chromium pool for URL scans as cfg.Browser says:
// off gives nil; auto gives nil, with a warning, when Chromium cannot
// start; on fails then.
func startBrowser(ctx context.Context, cfg config, reg prometheus.Registerer, log *slog.Logger) (*browser.Pool, error) {
	if cfg.Browser == "off" {
		log.InfoContext(ctx, "URL scanning off (--browser=off)")
		return nil, nil
	}
	bm, err := browser.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	em, err := egress.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	bc := browser.Config{
		ExecPath:  cfg.ChromiumPath,
		PoolSize:  cfg.BrowserPool,
		QueueSize: cfg.BrowserQueue,
		Timeout:   cfg.URLScanTimeout,
		Egress:    egress.Config{Policy: egress.Policy{AllowLoopback: cfg.EgressAllowLoopback, AllowedPorts: cfg.EgressPorts}, Metrics: em},
		Metrics:   bm,
	}
	pool, err := browser.New(ctx, bc, log)
	if err != nil {
		if cfg.Browser == "auto" && errors.Is(err, browser.ErrBrowserUnavailable) {
			log.WarnContext(ctx, "URL scanning off: Chromium did not start (apt-get install chromium, or --chromium PATH)", slog.Any("error", err))
			return nil, nil
		}
		return nil, fmt.Errorf("start the browser for URL scans: %w", err)
	}
	if cfg.EgressAllowLoopback {
		log.WarnContext(ctx, "egress policy lets the browser reach loopback addresses (--egress-allow-loopback): for local testing only")
	}
	log.InfoContext(ctx, "URL scanning on", slog.Int("pool", cfg.BrowserPool), slog.Int("queue", cfg.BrowserQueue))
	return pool, nil
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// config is everything the server is told at start. Every flag has an
// environment variable; the variable, when set, replaces the flag's
// built-in default, and a flag on the command line wins over both.
type config struct {
	GRPCAddr           string        // --grpc-addr, SCAMSCOPE_GRPC_ADDR
	MetricsAddr        string        // --metrics-addr, SCAMSCOPE_METRICS_ADDR; empty disables
	MaxContentBytes    int           // --max-content-bytes, SCAMSCOPE_MAX_CONTENT_BYTES
	MaxConcurrentItems int           // --max-concurrent-items, SCAMSCOPE_MAX_CONCURRENT_ITEMS; 0 = GOMAXPROCS
	RulesDir           string        // --rules-dir, SCAMSCOPE_RULES_DIR; empty = embedded rules
	LogLevel           slog.Level    // --log-level, SCAMSCOPE_LOG_LEVEL
	ShutdownTimeout    time.Duration // --shutdown-timeout, SCAMSCOPE_SHUTDOWN_TIMEOUT
	Version            bool          // --version: print the version and exit

	Browser             string        // --browser, SCAMSCOPE_BROWSER: auto (use Chromium when installed), on, off
	ChromiumPath        string        // --chromium, SCAMSCOPE_CHROMIUM; empty = /usr/bin/chromium or chromium in PATH
	BrowserPool         int           // --browser-pool, SCAMSCOPE_BROWSER_POOL: pages rendered at once
	BrowserQueue        int           // --browser-queue, SCAMSCOPE_BROWSER_QUEUE: URL scans that may wait for a tab
	URLScanTimeout      time.Duration // --url-scan-timeout, SCAMSCOPE_URL_SCAN_TIMEOUT
	EgressAllowLoopback bool          // --egress-allow-loopback, SCAMSCOPE_EGRESS_ALLOW_LOOPBACK: for local testing only
	EgressPorts         []int         // --egress-ports, SCAMSCOPE_EGRESS_PORTS: ports the browser may reach
}

// recvSlack is how far above MaxContentBytes a gRPC message may be: room
// for page_url, content_type, script names and protobuf framing. Larger
// messages are refused by gRPC with ResourceExhausted before they are read.
const recvSlack = 64 << 10

// parseConfig reads the flags in args (without the program name), with
// defaults from getenv.
func parseConfig(args []string, getenv func(string) string, usage io.Writer) (config, error) {
	cfg := config{
		GRPCAddr:        "127.0.0.1:9090",
		MetricsAddr:     "127.0.0.1:9091",
		MaxContentBytes: 8 << 20,
		LogLevel:        slog.LevelInfo,
		ShutdownTimeout: 15 * time.Second,
		Browser:         "auto",
		BrowserPool:     2,
		BrowserQueue:    8,
		URLScanTimeout:  30 * time.Second,
		EgressPorts:     []int{80, 443, 8080, 8443},
	}
	var errs []error
	env := func(name string, set func(string) error) string {
		v := getenv(name)
		if v == "" {
			return ""
		}
		if err := set(v); err != nil {
			errs = append(errs, fmt.Errorf("environment variable %s=%q: %w", name, v, err))
		}
		return " (from $" + name + ")"
	}
	str := func(p *string) func(string) error { return func(s string) error { *p = s; return nil } }
	num := func(p *int) func(string) error {
		return func(s string) error {
			n, err := strconv.Atoi(s)
			if err != nil {
				return errors.New("not an integer")
			}
			*p = n
			return nil
		}
	}

	fs := flag.NewFlagSet("scamscoped", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.Usage = func() {
		fmt.Fprintf(usage, "Usage: scamscoped [flags]\n\n"+
			"Serves scamscope.v1.ScanService and VerdictService over gRPC (with health and reflection),\n"+
			"and Prometheus metrics over HTTP. Every flag can also be set with the environment variable\n"+
			"named beside it; a flag on the command line wins over the variable.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	note := env("SCAMSCOPE_GRPC_ADDR", str(&cfg.GRPCAddr))
	fs.StringVar(&cfg.GRPCAddr, "grpc-addr", cfg.GRPCAddr, "gRPC listen address, host:port [$SCAMSCOPE_GRPC_ADDR]"+note)
	note = env("SCAMSCOPE_METRICS_ADDR", str(&cfg.MetricsAddr))
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", cfg.MetricsAddr, "HTTP listen address for /metrics and /healthz; empty disables [$SCAMSCOPE_METRICS_ADDR]"+note)
	note = env("SCAMSCOPE_MAX_CONTENT_BYTES", num(&cfg.MaxContentBytes))
	fs.IntVar(&cfg.MaxContentBytes, "max-content-bytes", cfg.MaxContentBytes, "largest markup plus scripts one scan accepts, in bytes [$SCAMSCOPE_MAX_CONTENT_BYTES]"+note)
	note = env("SCAMSCOPE_MAX_CONCURRENT_ITEMS", num(&cfg.MaxConcurrentItems))
	fs.IntVar(&cfg.MaxConcurrentItems, "max-concurrent-items", cfg.MaxConcurrentItems, "items of one ScanContents stream scanned at once; 0 = GOMAXPROCS [$SCAMSCOPE_MAX_CONCURRENT_ITEMS]"+note)
	note = env("SCAMSCOPE_RULES_DIR", str(&cfg.RulesDir))
	fs.StringVar(&cfg.RulesDir, "rules-dir", cfg.RulesDir, "directory of rule files; empty = the rules built into the binary [$SCAMSCOPE_RULES_DIR]"+note)
	note = env("SCAMSCOPE_LOG_LEVEL", func(s string) error { return cfg.LogLevel.UnmarshalText([]byte(s)) })
	fs.TextVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error [$SCAMSCOPE_LOG_LEVEL]"+note)
	note = env("SCAMSCOPE_SHUTDOWN_TIMEOUT", func(s string) error {
		d, err := time.ParseDuration(s)
		cfg.ShutdownTimeout = d
		return err
	})
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "how long to drain calls on SIGTERM/SIGINT before cutting them off [$SCAMSCOPE_SHUTDOWN_TIMEOUT]"+note)
	fs.BoolVar(&cfg.Version, "version", false, "print the version and exit")
	dur := func(p *time.Duration) func(string) error {
		return func(s string) error {
			d, err := time.ParseDuration(s)
			*p = d
			return err
		}
	}
	boolean := func(p *bool) func(string) error {
		return func(s string) error {
			b, err := strconv.ParseBool(s)
			*p = b
			return err
		}
	}
	note = env("SCAMSCOPE_BROWSER", str(&cfg.Browser))
	fs.StringVar(&cfg.Browser, "browser", cfg.Browser, "URL scanning with headless Chromium: auto (when installed), on (fail without it) or off [$SCAMSCOPE_BROWSER]"+note)
	note = env("SCAMSCOPE_CHROMIUM", str(&cfg.ChromiumPath))
	fs.StringVar(&cfg.ChromiumPath, "chromium", cfg.ChromiumPath, "Chromium binary; empty = /usr/bin/chromium or chromium in PATH [$SCAMSCOPE_CHROMIUM]"+note)
	note = env("SCAMSCOPE_BROWSER_POOL", num(&cfg.BrowserPool))
	fs.IntVar(&cfg.BrowserPool, "browser-pool", cfg.BrowserPool, "pages rendered at once [$SCAMSCOPE_BROWSER_POOL]"+note)
	note = env("SCAMSCOPE_BROWSER_QUEUE", num(&cfg.BrowserQueue))
	fs.IntVar(&cfg.BrowserQueue, "browser-queue", cfg.BrowserQueue, "URL scans that may wait for a tab; more get ResourceExhausted [$SCAMSCOPE_BROWSER_QUEUE]"+note)
	note = env("SCAMSCOPE_URL_SCAN_TIMEOUT", dur(&cfg.URLScanTimeout))
	fs.DurationVar(&cfg.URLScanTimeout, "url-scan-timeout", cfg.URLScanTimeout, "upper bound of one URL scan [$SCAMSCOPE_URL_SCAN_TIMEOUT]"+note)
	note = env("SCAMSCOPE_EGRESS_PORTS", (*portList)(&cfg.EgressPorts).Set)
	fs.Var((*portList)(&cfg.EgressPorts), "egress-ports", "comma-separated ports the browser may reach [$SCAMSCOPE_EGRESS_PORTS]"+note)
	note = env("SCAMSCOPE_EGRESS_ALLOW_LOOPBACK", boolean(&cfg.EgressAllowLoopback))
	fs.BoolVar(&cfg.EgressAllowLoopback, "egress-allow-loopback", cfg.EgressAllowLoopback, "let the browser reach 127.0.0.0/8 and ::1 (local testing only; the default denies it) [$SCAMSCOPE_EGRESS_ALLOW_LOOPBACK]"+note)

	if err := errors.Join(errs...); err != nil {
		return cfg, err
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q: scamscoped takes flags only (see --help)", fs.Args())
	}
	return cfg, cfg.validate()
}

func (c *config) validate() error {
	var errs []error
	if c.GRPCAddr == "" {
		errs = append(errs, errors.New("--grpc-addr must not be empty"))
	}
	if c.MaxContentBytes <= 0 {
		errs = append(errs, fmt.Errorf("--max-content-bytes must be positive, got %d", c.MaxContentBytes))
	}
	if c.MaxContentBytes > 1<<30 {
		errs = append(errs, fmt.Errorf("--max-content-bytes must be at most 1 GiB, got %d", c.MaxContentBytes))
	}
	switch c.Browser {
	case "auto", "on", "off":
	default:
		errs = append(errs, fmt.Errorf("--browser must be auto, on or off, got %q", c.Browser))
	}
	if c.BrowserPool < 1 || c.BrowserPool > 64 {
		errs = append(errs, fmt.Errorf("--browser-pool must be within 1..64, got %d", c.BrowserPool))
	}
	if c.BrowserQueue < 0 {
		errs = append(errs, fmt.Errorf("--browser-queue must be 0 or more, got %d", c.BrowserQueue))
	}
	if c.URLScanTimeout < time.Second {
		errs = append(errs, fmt.Errorf("--url-scan-timeout must be at least 1s, got %v", c.URLScanTimeout))
	}
	if c.MaxConcurrentItems < 0 {
		errs = append(errs, fmt.Errorf("--max-concurrent-items must be 0 (GOMAXPROCS) or more, got %d", c.MaxConcurrentItems))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("--shutdown-timeout must be positive, got %v", c.ShutdownTimeout))
	}
	if c.GRPCAddr != "" && c.GRPCAddr == c.MetricsAddr && !strings.HasSuffix(c.GRPCAddr, ":0") {
		errs = append(errs, fmt.Errorf("--grpc-addr and --metrics-addr are both %s", c.GRPCAddr))
	}
	return errors.Join(errs...)
}

// portList is a flag.Value of comma-separated TCP ports.
type portList []int

func (l *portList) String() string {
	if l == nil {
		return ""
	}
	parts := make([]string, len(*l))
	for i, p := range *l {
		parts[i] = strconv.Itoa(p)
	}
	return strings.Join(parts, ",")
}

func (l *portList) Set(s string) error {
	var out []int
	for _, f := range strings.Split(s, ",") {
		p, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || p < 1 || p > 65535 {
			return fmt.Errorf("%q is not a port (1..65535)", f)
		}
		out = append(out, p)
	}
	*l = out
	return nil
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/scamscope/scamscope/internal/auth"
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

	HTTPAddr       string        // --http-addr, SCAMSCOPE_HTTP_ADDR: JSON over HTTP; empty disables
	CORSOrigins    []string      // --cors-origins, SCAMSCOPE_CORS_ORIGINS: exact origins allowed to call from a browser
	DataDir        string        // --data-dir, SCAMSCOPE_DATA_DIR: where the embedded store lives
	StorePath      string        // --store, SCAMSCOPE_STORE: the bbolt file; empty = <data-dir>/scamscope.db
	PostgresDSN    string        // --postgres-dsn, SCAMSCOPE_POSTGRES_DSN: use PostgreSQL instead of the file
	APIKeysFile    string        // --api-keys-file, SCAMSCOPE_API_KEYS_FILE
	APIKeys        string        // --api-keys, SCAMSCOPE_API_KEYS: key lines separated by ';' or spaces
	RateLimit      float64       // --rate-limit, SCAMSCOPE_RATE_LIMIT: anonymous calls per second per client; 0 = no limit
	RateBurst      int           // --rate-burst, SCAMSCOPE_RATE_BURST
	TrustedProxies []string      // --trusted-proxies, SCAMSCOPE_TRUSTED_PROXIES: CIDRs whose X-Forwarded-For names the client
	DedupWindow    time.Duration // --dedup-window, SCAMSCOPE_DEDUP_WINDOW
	SubmitQueue    int           // --submit-queue, SCAMSCOPE_SUBMIT_QUEUE: submitted scans that may wait
	PurgeInterval  time.Duration // --purge-interval, SCAMSCOPE_PURGE_INTERVAL
	LookupCache    int           // --lookup-cache, SCAMSCOPE_LOOKUP_CACHE: URLs whose lookups are cached in memory; 0 = off
	NewAPIKey      string        // --new-api-key=ID:ROLES: print a new key and its key-file line, then exit
	DebugPprof     bool          // --debug-pprof, SCAMSCOPE_DEBUG_PPROF: /debug/pprof/ on the metrics address
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
		HTTPAddr:        "127.0.0.1:8080",
		DataDir:         defaultDataDir(getenv),
		RateLimit:       100,
		RateBurst:       200,
		DedupWindow:     10 * time.Minute,
		SubmitQueue:     1000,
		PurgeInterval:   10 * time.Minute,
		LookupCache:     100_000,
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
	float := func(p *float64) func(string) error {
		return func(s string) error {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return errors.New("not a number")
			}
			*p = f
			return nil
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

	note = env("SCAMSCOPE_HTTP_ADDR", str(&cfg.HTTPAddr))
	fs.StringVar(&cfg.HTTPAddr, "http-addr", cfg.HTTPAddr, "HTTP listen address for the JSON API (/v1/lookup, /v1/hashes, /v1/feed/..., POST /scamscope.v1.<Service>/<Method>); empty disables [$SCAMSCOPE_HTTP_ADDR]"+note)
	note = env("SCAMSCOPE_CORS_ORIGINS", (*stringList)(&cfg.CORSOrigins).Set)
	fs.Var((*stringList)(&cfg.CORSOrigins), "cors-origins", "comma-separated origins that may call the JSON API from a browser, exact matches (chrome-extension://ID,moz-extension://UUID) [$SCAMSCOPE_CORS_ORIGINS]"+note)
	note = env("SCAMSCOPE_DATA_DIR", str(&cfg.DataDir))
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "directory of the embedded verdict store; default $XDG_STATE_HOME/scamscope, else ~/.local/state/scamscope [$SCAMSCOPE_DATA_DIR]"+note)
	note = env("SCAMSCOPE_STORE", str(&cfg.StorePath))
	fs.StringVar(&cfg.StorePath, "store", cfg.StorePath, "the embedded verdict store's file; empty = <data-dir>/scamscope.db [$SCAMSCOPE_STORE]"+note)
	// The DSN may hold a password: its variable is applied after parsing,
	// so that --help does not print it as the default.
	fs.StringVar(&cfg.PostgresDSN, "postgres-dsn", "", "keep verdicts in PostgreSQL instead (postgres://user@host/db), for several servers; never logged [$SCAMSCOPE_POSTGRES_DSN]")
	note = env("SCAMSCOPE_API_KEYS_FILE", str(&cfg.APIKeysFile))
	fs.StringVar(&cfg.APIKeysFile, "api-keys-file", cfg.APIKeysFile, "file of API keys, one \"key-id:role[,role]:sha256-of-secret\" per line (roles: submit, analyst) [$SCAMSCOPE_API_KEYS_FILE]"+note)
	note = env("SCAMSCOPE_API_KEYS", str(&cfg.APIKeys))
	fs.StringVar(&cfg.APIKeys, "api-keys", cfg.APIKeys, "API key lines as in --api-keys-file, separated by ';' or spaces [$SCAMSCOPE_API_KEYS]"+note)
	note = env("SCAMSCOPE_RATE_LIMIT", float(&cfg.RateLimit))
	fs.Float64Var(&cfg.RateLimit, "rate-limit", cfg.RateLimit, "anonymous calls per second per client address (IPv6: per /64) to ScanContent, LookupURL, SearchHashes; 0 = no limit [$SCAMSCOPE_RATE_LIMIT]"+note)
	note = env("SCAMSCOPE_RATE_BURST", num(&cfg.RateBurst))
	fs.IntVar(&cfg.RateBurst, "rate-burst", cfg.RateBurst, "anonymous calls one client may make at once [$SCAMSCOPE_RATE_BURST]"+note)
	note = env("SCAMSCOPE_TRUSTED_PROXIES", (*stringList)(&cfg.TrustedProxies).Set)
	fs.Var((*stringList)(&cfg.TrustedProxies), "trusted-proxies", "comma-separated CIDRs or addresses of the load balancers in front of the server (10.0.0.0/8,2001:db8::/32): from these peers, the rightmost X-Forwarded-For entry that is not a proxy is the client the rate limit counts; from any other peer the header is ignored. Empty: the peer address [$SCAMSCOPE_TRUSTED_PROXIES]"+note)
	note = env("SCAMSCOPE_DEDUP_WINDOW", dur(&cfg.DedupWindow))
	fs.DurationVar(&cfg.DedupWindow, "dedup-window", cfg.DedupWindow, "SubmitURLs returns the recent scan of a URL and profile scanned within this window, unless forced; 0 disables [$SCAMSCOPE_DEDUP_WINDOW]"+note)
	note = env("SCAMSCOPE_SUBMIT_QUEUE", num(&cfg.SubmitQueue))
	fs.IntVar(&cfg.SubmitQueue, "submit-queue", cfg.SubmitQueue, "submitted URL scans that may wait for the browser; more get ResourceExhausted [$SCAMSCOPE_SUBMIT_QUEUE]"+note)
	note = env("SCAMSCOPE_PURGE_INTERVAL", dur(&cfg.PurgeInterval))
	fs.DurationVar(&cfg.PurgeInterval, "purge-interval", cfg.PurgeInterval, "how often expired verdicts are removed from the store [$SCAMSCOPE_PURGE_INTERVAL]"+note)
	note = env("SCAMSCOPE_LOOKUP_CACHE", num(&cfg.LookupCache))
	fs.IntVar(&cfg.LookupCache, "lookup-cache", cfg.LookupCache, "URLs whose lookup answers are kept in memory (invalidated by this server's writes; 1 min, or 5 s with PostgreSQL); 0 = off [$SCAMSCOPE_LOOKUP_CACHE]"+note)
	note = env("SCAMSCOPE_DEBUG_PPROF", boolean(&cfg.DebugPprof))
	fs.BoolVar(&cfg.DebugPprof, "debug-pprof", cfg.DebugPprof, "serve Go's runtime profiles at /debug/pprof/ on the metrics address (for profiling; they reveal internals, keep that address private) [$SCAMSCOPE_DEBUG_PPROF]"+note)
	fs.StringVar(&cfg.NewAPIKey, "new-api-key", "", "print a new API key for ID:ROLES (e.g. ci-bot:submit or alice:submit,analyst) and its key-file line, then exit")

	if err := errors.Join(errs...); err != nil {
		return cfg, err
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	dsnSet := false
	fs.Visit(func(f *flag.Flag) { dsnSet = dsnSet || f.Name == "postgres-dsn" })
	if !dsnSet {
		cfg.PostgresDSN = getenv("SCAMSCOPE_POSTGRES_DSN")
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
	for _, other := range []struct{ name, addr string }{{"--grpc-addr", c.GRPCAddr}, {"--metrics-addr", c.MetricsAddr}} {
		if c.HTTPAddr != "" && c.HTTPAddr == other.addr && !strings.HasSuffix(c.HTTPAddr, ":0") {
			errs = append(errs, fmt.Errorf("--http-addr and %s are both %s", other.name, c.HTTPAddr))
		}
	}
	if c.PostgresDSN == "" && c.StorePath == "" && c.DataDir == "" {
		errs = append(errs, errors.New("--data-dir must not be empty (or set --store or --postgres-dsn)"))
	}
	if c.RateLimit < 0 {
		errs = append(errs, fmt.Errorf("--rate-limit must be 0 (no limit) or more, got %v", c.RateLimit))
	}
	if c.RateLimit > 0 && c.RateBurst < 1 {
		errs = append(errs, fmt.Errorf("--rate-burst must be at least 1, got %d", c.RateBurst))
	}
	if _, err := auth.ParseProxies(c.TrustedProxies); err != nil {
		errs = append(errs, fmt.Errorf("--trusted-proxies: %w", err))
	}
	if c.DedupWindow < 0 {
		errs = append(errs, fmt.Errorf("--dedup-window must be 0 (off) or more, got %v", c.DedupWindow))
	}
	if c.SubmitQueue < 1 {
		errs = append(errs, fmt.Errorf("--submit-queue must be at least 1, got %d", c.SubmitQueue))
	}
	if c.LookupCache < 0 {
		errs = append(errs, fmt.Errorf("--lookup-cache must be 0 (off) or more, got %d", c.LookupCache))
	}
	if c.PurgeInterval < time.Second {
		errs = append(errs, fmt.Errorf("--purge-interval must be at least 1s, got %v", c.PurgeInterval))
	}
	return errors.Join(errs...)
}

// storePath is the bbolt file the server uses.
func (c *config) storePath() string {
	if c.StorePath != "" {
		return c.StorePath
	}
	return filepath.Join(c.DataDir, "scamscope.db")
}

// defaultDataDir follows the XDG base directories: $XDG_STATE_HOME/scamscope,
// else ~/.local/state/scamscope, else ./data.
func defaultDataDir(getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "scamscope")
	}
	if h := getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".local", "state", "scamscope")
	}
	return "data"
}

// stringList is a flag.Value of comma-separated strings.
type stringList []string

func (l *stringList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

func (l *stringList) Set(s string) error {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	*l = out
	return nil
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

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

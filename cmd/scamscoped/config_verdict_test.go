package main

import (
	"bytes"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scamscope/scamscope/internal/auth"
)

func TestParseConfigVerdictFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(c config) string
		wantErr string
	}{
		{name: "defaults", env: map[string]string{"HOME": "/home/u"}, check: func(c config) string {
			if c.HTTPAddr != "127.0.0.1:8080" || c.DataDir != "/home/u/.local/state/scamscope" || c.storePath() != "/home/u/.local/state/scamscope/scamscope.db" ||
				c.PostgresDSN != "" || c.RateLimit != 100 || c.RateBurst != 200 || c.DedupWindow != 10*time.Minute || c.SubmitQueue != 1000 ||
				c.PurgeInterval != 10*time.Minute || len(c.CORSOrigins) != 0 || c.LookupCache != 100_000 || len(c.TrustedProxies) != 0 {
				return "not the documented defaults"
			}
			return ""
		}},
		{name: "XDG state home", env: map[string]string{"HOME": "/home/u", "XDG_STATE_HOME": "/var/state"}, check: func(c config) string {
			if c.DataDir != "/var/state/scamscope" {
				return "XDG_STATE_HOME not used"
			}
			return ""
		}},
		{name: "no home", check: func(c config) string {
			if c.DataDir != "data" {
				return "want ./data without HOME"
			}
			return ""
		}},
		{name: "environment", env: map[string]string{
			"SCAMSCOPE_HTTP_ADDR": "", "SCAMSCOPE_CORS_ORIGINS": "chrome-extension://a, moz-extension://b", "SCAMSCOPE_DATA_DIR": "/d",
			"SCAMSCOPE_STORE": "/s/v.db", "SCAMSCOPE_POSTGRES_DSN": "postgres://u:pw@h/db", "SCAMSCOPE_RATE_LIMIT": "2.5", "SCAMSCOPE_RATE_BURST": "5",
			"SCAMSCOPE_DEDUP_WINDOW": "0s", "SCAMSCOPE_SUBMIT_QUEUE": "7", "SCAMSCOPE_PURGE_INTERVAL": "1m", "SCAMSCOPE_API_KEYS_FILE": "/k",
		}, check: func(c config) string {
			if c.HTTPAddr != "127.0.0.1:8080" || strings.Join(c.CORSOrigins, " ") != "chrome-extension://a moz-extension://b" || c.DataDir != "/d" ||
				c.storePath() != "/s/v.db" || c.PostgresDSN != "postgres://u:pw@h/db" || c.RateLimit != 2.5 || c.RateBurst != 5 || c.DedupWindow != 0 ||
				c.SubmitQueue != 7 || c.PurgeInterval != time.Minute || c.APIKeysFile != "/k" {
				return "environment not applied"
			}
			return ""
		}},
		{name: "flags win", args: []string{"--http-addr=", "--postgres-dsn=postgres://flag/db", "--rate-limit=0"},
			env: map[string]string{"SCAMSCOPE_POSTGRES_DSN": "postgres://env/db", "SCAMSCOPE_RATE_LIMIT": "9"},
			check: func(c config) string {
				if c.HTTPAddr != "" || c.PostgresDSN != "postgres://flag/db" || c.RateLimit != 0 {
					return "flags did not win"
				}
				return ""
			}},
		{name: "trusted proxies", args: []string{"--trusted-proxies=10.0.0.0/8, 2001:db8::/32"},
			env: map[string]string{"SCAMSCOPE_TRUSTED_PROXIES": "192.0.2.1"},
			check: func(c config) string {
				if strings.Join(c.TrustedProxies, " ") != "10.0.0.0/8 2001:db8::/32" {
					return "--trusted-proxies not applied"
				}
				return ""
			}},
		{name: "trusted proxies from the environment", env: map[string]string{"SCAMSCOPE_TRUSTED_PROXIES": "192.0.2.1,10.0.0.0/8"},
			check: func(c config) string {
				if strings.Join(c.TrustedProxies, " ") != "192.0.2.1 10.0.0.0/8" {
					return "SCAMSCOPE_TRUSTED_PROXIES not applied"
				}
				return ""
			}},
		{name: "bad trusted proxy", args: []string{"--trusted-proxies=10.0.0.0/8,lb.internal"}, wantErr: "--trusted-proxies"},
		{name: "bad rate", env: map[string]string{"SCAMSCOPE_RATE_LIMIT": "fast"}, wantErr: "SCAMSCOPE_RATE_LIMIT"},
		{name: "negative rate", args: []string{"--rate-limit=-1"}, wantErr: "--rate-limit"},
		{name: "zero burst", args: []string{"--rate-burst=0"}, wantErr: "--rate-burst"},
		{name: "zero queue", args: []string{"--submit-queue=0"}, wantErr: "--submit-queue"},
		{name: "negative cache", args: []string{"--lookup-cache=-1"}, wantErr: "--lookup-cache"},
		{name: "fast purge", args: []string{"--purge-interval=10ms"}, wantErr: "--purge-interval"},
		{name: "same HTTP and gRPC address", args: []string{"--http-addr=127.0.0.1:9090"}, wantErr: "--http-addr and --grpc-addr"},
		{name: "no data dir", args: []string{"--data-dir="}, wantErr: "--data-dir"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseConfig(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseConfig(%q) error = %v, want one containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseConfig(%q) error = %v", tc.args, err)
			}
			if msg := tc.check(c); msg != "" {
				t.Errorf("parseConfig(%q) = %+v: %s", tc.args, c, msg)
			}
		})
	}
}

func TestHelpHidesDSN(t *testing.T) {
	var usage bytes.Buffer
	getenv := func(k string) string {
		if k == "SCAMSCOPE_POSTGRES_DSN" {
			return "postgres://u:hunter2@db/x"
		}
		return ""
	}
	parseConfig([]string{"--help"}, getenv, &usage)
	if strings.Contains(usage.String(), "hunter2") || !strings.Contains(usage.String(), "postgres-dsn") {
		t.Errorf("--help with the DSN in the environment printed:\n%s", usage.String())
	}
}

func TestNewAPIKeyFlag(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"--new-api-key=ci-bot:submit,analyst"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(out.String())
	var secret, line string
	for _, f := range lines {
		switch {
		case strings.HasPrefix(f, "ssk_"):
			secret = f
		case strings.HasPrefix(f, "ci-bot:"):
			line = f
		}
	}
	keys, err := auth.ParseKeys(strings.NewReader(line), "out")
	if err != nil {
		t.Fatalf("printed line %q does not parse: %v\n%s", line, err, out.String())
	}
	if k, err := keys.Authenticate(secret); err != nil || k.ID != "ci-bot" || k.Roles != auth.AllRoles {
		t.Errorf("printed secret authenticates as %+v, %v", k, err)
	}
	for _, bad := range []string{"--new-api-key=ci-bot", "--new-api-key=ci-bot:admin", "--new-api-key=bad id:submit"} {
		if err := run(t.Context(), []string{bad}, io.Discard, io.Discard); err == nil {
			t.Errorf("run %s = nil, want an error", bad)
		}
	}
}

func TestRunBadKeysFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	err := run(t.Context(), []string{"--api-keys-file=" + path, "--data-dir=" + t.TempDir(), "--http-addr=", "--metrics-addr=", "--grpc-addr=127.0.0.1:0", "--browser=off"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("run with a missing keys file = %v, want an error naming it", err)
	}
}

// fakeListener reports an address without listening.
type fakeListener struct {
	net.Listener
	addr net.Addr
}

func (l fakeListener) Addr() net.Addr { return l.addr }

func TestLoopback(t *testing.T) {
	lo := fakeListener{addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}}
	lo6 := fakeListener{addr: &net.TCPAddr{IP: net.IPv6loopback, Port: 1}}
	any4 := fakeListener{addr: &net.TCPAddr{IP: net.IPv4zero, Port: 1}}
	pub := fakeListener{addr: &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1}}
	tests := []struct {
		lis  []net.Listener
		want bool
	}{
		{[]net.Listener{lo, lo6}, true},
		{[]net.Listener{lo, nil}, true},
		{[]net.Listener{lo, any4}, false},
		{[]net.Listener{pub}, false},
	}
	for i, tc := range tests {
		if got := loopback(tc.lis...); got != tc.want {
			t.Errorf("case %d: loopback = %v, want %v", i, got, tc.want)
		}
	}
}

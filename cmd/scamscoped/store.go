package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/scamscope/scamscope/internal/auth"
	"github.com/scamscope/scamscope/internal/verdict"
	"github.com/scamscope/scamscope/internal/verdict/boltstore"
	"github.com/scamscope/scamscope/internal/verdict/pgstore"
	"github.com/scamscope/scamscope/internal/verdictcache"
)

// openStore opens PostgreSQL when a DSN is set, else the bbolt file.
func openStore(ctx context.Context, cfg config, log *slog.Logger) (verdict.Store, error) {
	if cfg.PostgresDSN != "" {
		st, err := pgstore.Open(ctx, cfg.PostgresDSN, pgstore.Options{})
		if err != nil {
			// The error may quote the DSN; name the flag instead.
			return nil, fmt.Errorf("open the PostgreSQL verdict store (--postgres-dsn): %w", scrub(err, cfg.PostgresDSN))
		}
		log.InfoContext(ctx, "verdict store open", slog.String("kind", "postgres"))
		// Other servers write too: serve cached lookups for seconds only.
		return withCache(st, cfg.LookupCache, 5*time.Second), nil
	}
	path := cfg.storePath()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create the data directory: %w", err)
	}
	st, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		return nil, fmt.Errorf("open the verdict store %s (another scamscoped on the same --data-dir?): %w", path, err)
	}
	log.InfoContext(ctx, "verdict store open", slog.String("kind", "bolt"), slog.String("path", path))
	// This process is the only writer, and its writes invalidate the cache.
	return withCache(st, cfg.LookupCache, time.Minute), nil
}

// withCache puts a lookup cache of entries URLs in front of st.
func withCache(st verdict.Store, entries int, ttl time.Duration) verdict.Store {
	if entries == 0 {
		return st
	}
	return verdictcache.New(st, verdictcache.Options{Entries: entries, TTL: ttl})
}

// scrub removes the DSN from an error's text.
func scrub(err error, dsn string) error {
	if dsn == "" || !strings.Contains(err.Error(), dsn) {
		return err
	}
	return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), dsn, "<dsn>"))
}

// purgeLoop removes expired verdicts every interval until stop closes.
func purgeLoop(st verdict.Store, interval time.Duration, stop <-chan struct{}, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), interval)
		n, err := st.Purge(ctx, time.Now())
		cancel()
		if err != nil {
			log.Warn("purge expired verdicts", slog.Any("error", err))
			continue
		}
		if n > 0 {
			log.Info("purged expired verdicts", slog.Int("verdicts", n))
		}
	}
}

// loadKeys reads the API keys of --api-keys-file and --api-keys.
func loadKeys(cfg config) (*auth.Keys, error) {
	var keys *auth.Keys
	if cfg.APIKeysFile != "" {
		k, err := auth.LoadKeysFile(cfg.APIKeysFile)
		if err != nil {
			return nil, err
		}
		keys = k
	}
	if cfg.APIKeys != "" {
		k, err := auth.ParseKeyList(cfg.APIKeys, "--api-keys")
		if err != nil {
			return nil, err
		}
		if keys, err = keys.Merge(k); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// newAPIKey prints a fresh key for "id:roles" and the line to add.
func newAPIKey(spec string) (string, error) {
	id, roleList, ok := strings.Cut(spec, ":")
	if !ok {
		return "", fmt.Errorf("--new-api-key wants ID:ROLES, like ci-bot:submit or alice:submit,analyst; got %q", spec)
	}
	var roles auth.Role
	for _, r := range strings.Split(roleList, ",") {
		role, err := auth.ParseRole(strings.TrimSpace(r))
		if err != nil {
			return "", fmt.Errorf("--new-api-key: %w", err)
		}
		roles |= role
	}
	secret, line, err := auth.NewSecret(id, roles)
	if err != nil {
		return "", fmt.Errorf("--new-api-key: %w", err)
	}
	return fmt.Sprintf("API key (give it to the client; it is not stored anywhere):\n  %s\nLine for --api-keys-file:\n  %s\n", secret, line), nil
}

// loopback reports whether every listener is on a loopback address.
func loopback(lis ...net.Listener) bool {
	for _, l := range lis {
		if l == nil {
			continue
		}
		a, ok := l.Addr().(*net.TCPAddr)
		if !ok || !a.IP.IsLoopback() {
			return false
		}
	}
	return true
}

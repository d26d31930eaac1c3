package pgstore

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/scamscope/scamscope/internal/verdict"
	"github.com/scamscope/scamscope/internal/verdict/storetest"
)

const dsnEnv = "SCAMSCOPE_TEST_POSTGRES_DSN"

// testDSN returns the test database, or skips.
func testDSN(t *testing.T) string {
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		t.Skipf("%s is not set: start a throwaway PostgreSQL with "+
			"`export %s=$(internal/verdict/testdata/start-postgres.sh)` to run the PostgreSQL store tests", dsnEnv, dsnEnv)
	}
	return dsn
}

// openFresh opens a store in a schema of its own, dropped after the test.
func openFresh(t *testing.T, dsn string, n *atomic.Int64, opts Options) *Store {
	t.Helper()
	ctx := context.Background()
	schema := fmt.Sprintf("verdict_test_%d_%d", time.Now().UnixNano(), n.Add(1))
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	opts.Schema = schema
	s, err := Open(ctx, dsn, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	dsn := testDSN(t)
	var n atomic.Int64
	storetest.Run(t, func(t *testing.T) verdict.Store { return openFresh(t, dsn, &n, Options{MaxConns: 8}) })
}

func TestOpenTwiceSharesTables(t *testing.T) {
	dsn := testDSN(t)
	ctx := context.Background()
	var n atomic.Int64
	a := openFresh(t, dsn, &n, Options{})
	defer a.Close()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	sc := &verdict.Scan{ID: "x", URL: "http://shared.example/", CanonURL: "http://shared.example/", Host: "shared.example",
		State: verdict.StateDone, CreatedAt: now, FinishedAt: now, Label: verdict.LabelScam}
	if err := a.PutScan(ctx, sc); err != nil {
		t.Fatal(err)
	}
	// A second server on the same schema: the tables exist, the data is shared.
	b, err := Open(ctx, dsn, Options{Schema: a.pool.Config().ConnConfig.RuntimeParams["search_path"]})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if v, err := b.LookupURL(ctx, sc.CanonURL, now); err != nil || v.ScanID != "x" {
		t.Errorf("LookupURL through a second store = %+v, %v", v, err)
	}
}

func TestOpenBadDSN(t *testing.T) {
	if _, err := Open(context.Background(), "postgres://%zz", Options{}); err == nil {
		t.Error("Open(bad DSN) succeeded")
	}
}

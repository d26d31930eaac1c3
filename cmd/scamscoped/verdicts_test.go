package main

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
	"github.com/scamscope/scamscope/internal/auth"
	"github.com/scamscope/scamscope/internal/urlcanon"
)

// TestStoredVerdictsEndToEnd scans a local scam page with the browser,
// then finds its verdict by URL and by hash prefix over gRPC and JSON,
// submits it again (deduplicated) and reads the stored scan back, with API
// keys required; on the bbolt store and, when SCAMSCOPE_TEST_POSTGRES_DSN is
// set, on PostgreSQL.
func TestStoredVerdictsEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium not installed (apt-get install chromium): URL scans not tested")
	}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if strings.HasPrefix(r.URL.Path, "/scam") {
			io.WriteString(w, scamPage)
			return
		}
		io.WriteString(w, smallPage)
	}))
	defer site.Close()
	port := site.URL[strings.LastIndexByte(site.URL, ':')+1:]

	stores := map[string]func(t *testing.T) []string{
		"bolt": func(t *testing.T) []string { return []string{"--data-dir=" + t.TempDir()} },
		"postgres": func(t *testing.T) []string {
			dsn := os.Getenv("SCAMSCOPE_TEST_POSTGRES_DSN")
			if dsn == "" {
				t.Skip("SCAMSCOPE_TEST_POSTGRES_DSN is not set (internal/verdict/testdata/start-postgres.sh starts one)")
			}
			// A schema of its own, first on the search path, dropped afterwards.
			schema := "daemon_test_" + strconv.FormatInt(time.Now().UnixNano(), 10)
			conn, err := pgx.Connect(t.Context(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			if _, err := conn.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				c, err := pgx.Connect(context.Background(), dsn)
				if err == nil {
					c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
					c.Close(context.Background())
				}
			})
			sep := "?"
			if strings.Contains(dsn, "?") {
				sep = "&"
			}
			return []string{"--postgres-dsn=" + dsn + sep + "search_path=" + schema, "--data-dir=" + t.TempDir()}
		},
	}
	for name, storeArgs := range stores {
		t.Run(name, func(t *testing.T) {
			secret, line, err := auth.NewSecret("e2e", auth.AllRoles)
			if err != nil {
				t.Fatal(err)
			}
			keysFile := filepath.Join(t.TempDir(), "keys")
			if err := os.WriteFile(keysFile, []byte("# test key\n"+line+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			logs := &syncBuffer{}
			args := append(append([]string{"--grpc-addr=127.0.0.1:0", "--http-addr=127.0.0.1:0", "--metrics-addr=", "--browser=on", "--browser-pool=1",
				"--egress-allow-loopback", "--egress-ports=" + port, "--api-keys-file=" + keysFile, "--cors-origins=moz-extension://1234"}, storeArgs(t)...), rulesArgs(t)...)
			runErr := make(chan error, 1)
			go func() { runErr <- run(ctx, args, io.Discard, logs) }()
			addr := logAddr(t, logs, "serving gRPC", runErr)
			httpAddr := logAddr(t, logs, "serving JSON API", runErr)
			if strings.Contains(logs.String(), secret) || (name == "postgres" && strings.Contains(logs.String(), "postgres://")) {
				t.Error("the logs hold a secret or the DSN")
			}

			conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			vs := scamscopev1.NewVerdictServiceClient(conn)
			sc := scamscopev1.NewScanServiceClient(conn)
			callCtx, callCancel := context.WithTimeout(t.Context(), 90*time.Second)
			defer callCancel()
			keyed := metadata.AppendToOutgoingContext(callCtx, "authorization", "Bearer "+secret)

			scamURL := site.URL + "/scam/lock?session=1"
			if _, err := sc.ScanURL(callCtx, &scamscopev1.ScanURLRequest{Url: scamURL}); status.Code(err) != codes.Unauthenticated {
				t.Errorf("ScanURL without a key = %v, want Unauthenticated (keys are configured)", err)
			}
			scanned, err := sc.ScanURL(keyed, &scamscopev1.ScanURLRequest{Url: scamURL})
			if err != nil {
				t.Fatalf("ScanURL: %v\nlogs:\n%s", err, logs)
			}
			if scanned.GetVerdict().GetLabel() != scamscopev1.Label_LABEL_SCAM || scanned.GetScanId() == "" {
				t.Fatalf("ScanURL = %v (scan_id %q), want a stored SCAM verdict", scanned.GetVerdict().GetLabel(), scanned.GetScanId())
			}

			// Anyone can look it up, in the clear or by hash prefix.
			look, err := vs.LookupURL(callCtx, &scamscopev1.LookupURLRequest{Url: scamURL})
			if err != nil || !look.GetKnown() || look.GetLabel() != scamscopev1.Label_LABEL_SCAM || look.GetScore() != scanned.GetVerdict().GetScore() {
				t.Errorf("LookupURL = %v, %v; want the scan's SCAM verdict", look, err)
			}
			u, err := urlcanon.Canonicalize(scamURL)
			if err != nil {
				t.Fatal(err)
			}
			var prefixes [][]byte
			for _, expr := range urlcanon.Expressions(u) {
				p := urlcanon.Prefix4(urlcanon.Hash(expr))
				prefixes = append(prefixes, p[:])
			}
			hashes, err := vs.SearchHashes(callCtx, &scamscopev1.SearchHashesRequest{HashPrefixes: prefixes})
			want := urlcanon.Hash(u.Expression())
			if err != nil || len(hashes.GetFullHashes()) != 1 || [32]byte(hashes.GetFullHashes()[0].GetHash()) != want {
				t.Errorf("SearchHashes = %v, %v; want the full hash of %s", hashes, err, u.Expression())
			}
			// The JSON API says the same.
			resp, err := http.Get("http://" + httpAddr + "/v1/lookup?url=" + url.QueryEscape(scamURL))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var viaJSON scamscopev1.LookupURLResponse
			if err := protojson.Unmarshal(body, &viaJSON); err != nil || !proto.Equal(&viaJSON, look) || resp.Header.Get("Cache-Control") == "" {
				t.Errorf("GET /v1/lookup = %s (%v), want %v with Cache-Control", body, err, look)
			}
			q := url.Values{}
			for _, p := range prefixes {
				q.Add("prefix", base64.RawURLEncoding.EncodeToString(p))
			}
			resp, err = http.Get("http://" + httpAddr + "/v1/hashes?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			var hashesJSON scamscopev1.SearchHashesResponse
			if err := protojson.Unmarshal(body, &hashesJSON); err != nil || !proto.Equal(&hashesJSON, hashes) {
				t.Errorf("GET /v1/hashes = %s (%v), want %v", body, err, hashes)
			}

			// Submitting a page twice within the dedup window gives one scan.
			pageURL := site.URL + "/notes"
			first, err := vs.SubmitURLs(keyed, &scamscopev1.SubmitURLsRequest{Urls: []string{pageURL}})
			if err != nil {
				t.Fatal(err)
			}
			again, err := vs.SubmitURLs(keyed, &scamscopev1.SubmitURLsRequest{Urls: []string{pageURL}})
			if err != nil || again.GetScanIds()[0] != first.GetScanIds()[0] {
				t.Errorf("second SubmitURLs = %v, %v; want the first's ID %s", again, err, first.GetScanIds()[0])
			}
			forced, err := vs.SubmitURLs(keyed, &scamscopev1.SubmitURLsRequest{Urls: []string{pageURL}, Force: true})
			if err != nil || forced.GetScanIds()[0] == first.GetScanIds()[0] {
				t.Errorf("forced SubmitURLs = %v, %v; want a new scan", forced, err)
			}
			for {
				got, err := vs.GetScan(keyed, &scamscopev1.GetScanRequest{ScanId: first.GetScanIds()[0]})
				if err != nil {
					t.Fatalf("GetScan(submitted) = %v", err)
				}
				if s := got.GetScan(); s.GetState() == "done" {
					if s.GetResult().GetVerdict().GetLabel() != scamscopev1.Label_LABEL_CLEAN || s.GetResult().GetRun().GetFinalUrl() != pageURL {
						t.Errorf("submitted scan = %v, want a CLEAN verdict of %s", s.GetResult(), pageURL)
					}
					break
				} else if s.GetState() == "failed" {
					t.Fatalf("submitted scan failed: %s", s.GetError())
				}
				if callCtx.Err() != nil {
					t.Fatal("submitted scan not done in time")
				}
				time.Sleep(100 * time.Millisecond)
			}
			// The stored scan is found by its phone number.
			list, err := vs.ListScans(keyed, &scamscopev1.ListScansRequest{PhoneNumber: "+18885550142"})
			if err != nil || len(list.GetScans()) != 1 || list.GetScans()[0].GetScanId() != scanned.GetScanId() {
				t.Errorf("ListScans(phone) = %v, %v; want the scam scan", list, err)
			}
			if _, err := vs.ListScans(callCtx, &scamscopev1.ListScansRequest{}); status.Code(err) != codes.Unauthenticated {
				t.Errorf("ListScans without a key = %v, want Unauthenticated", err)
			}

			cancel()
			select {
			case err := <-runErr:
				if err != nil {
					t.Errorf("run = %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("run did not return 30s after cancel")
			}
		})
	}
}

package boltstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/scamscope/scamscope/internal/urlcanon"
	"github.com/scamscope/scamscope/internal/verdict"
	"github.com/scamscope/scamscope/internal/verdict/storetest"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "verdicts.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) verdict.Store { return openTemp(t) })
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testScan(t testing.TB, id, raw string, label verdict.Label, created time.Time) *verdict.Scan {
	u, err := urlcanon.Canonicalize(raw)
	if err != nil {
		t.Fatal(err)
	}
	return &verdict.Scan{
		ID: id, URL: raw, CanonURL: u.String(), Host: u.Host, Profile: "desktop", State: verdict.StateDone,
		CreatedAt: created, FinishedAt: created.Add(time.Second), Label: label, Score: 80,
		Phones: []string{"+18005550100"}, Result: []byte("result " + id),
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sc := testScan(t, "a", "http://reopen.example/", verdict.LabelScam, t0)
	if err := s.PutScan(ctx, sc); err != nil {
		t.Fatal(err)
	}
	if err := s.PutHostVerdict(ctx, "host.example/", verdict.URLVerdict{Label: verdict.LabelScam, ScannedAt: t0}); err != nil {
		t.Fatal(err)
	}
	// A second opener is refused while the file is in use.
	if _, err := Open(path, Options{LockTimeout: 50 * time.Millisecond}); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Errorf("second Open error = %v, want a lock error", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.GetScan(ctx, "a"); err != nil || string(got.Result) != "result a" {
		t.Errorf("GetScan after reopen = %+v, %v", got, err)
	}
	if v, err := s.LookupURL(ctx, sc.CanonURL, t0.Add(time.Hour)); err != nil || v.ScanID != "a" {
		t.Errorf("LookupURL after reopen = %+v, %v", v, err)
	}
	if v, err := s.LookupURL(ctx, "http://host.example/x", t0.Add(time.Hour)); err != nil || v.CanonURL != "host.example/" {
		t.Errorf("LookupURL(host verdict) after reopen = %+v, %v", v, err)
	}
}

func TestCustomLifetimes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "v.db"), Options{Lifetimes: verdict.Lifetimes{Clean: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sc := testScan(t, "a", "http://life.example/", verdict.LabelClean, t0)
	if err := s.PutScan(ctx, sc); err != nil {
		t.Fatal(err)
	}
	v, err := s.LookupURL(ctx, sc.CanonURL, sc.FinishedAt)
	if err != nil || !v.ExpiresAt.Equal(sc.FinishedAt.Add(time.Minute)) {
		t.Errorf("LookupURL = %+v, %v; want expiry after 1m", v, err)
	}
}

func TestPutScansAtomic(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	good := testScan(t, "good", "http://a.example/", verdict.LabelScam, t0)
	bad := testScan(t, "", "http://b.example/", verdict.LabelScam, t0)
	if err := s.PutScans(ctx, []*verdict.Scan{good, bad}); !errors.Is(err, verdict.ErrInvalid) {
		t.Fatalf("PutScans with an invalid scan error = %v, want ErrInvalid", err)
	}
	if _, err := s.GetScan(ctx, "good"); !errors.Is(err, verdict.ErrNotFound) {
		t.Errorf("PutScans stored part of a rejected batch: %v", err)
	}
}

const helperEnv = "SCAMSCOPE_VERDICT_WRITER_DB"

// TestHelperWriter is the child process of TestSurvivesSIGKILL: it writes
// scans until it is killed, printing each ID once PutScan has returned nil.
func TestHelperWriter(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process for TestSurvivesSIGKILL")
	}
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		sc := testScan(t, fmt.Sprintf("k%06d", i), fmt.Sprintf("http://kill%d.example/p", i), verdict.LabelScam, t0.Add(time.Duration(i)*time.Millisecond))
		if err := s.PutScan(context.Background(), sc); err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
		fmt.Println(sc.ID)
	}
}

func TestSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kill.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$", "-test.v=false")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(out)
	for len(acked) < 60 && sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "error:") {
			t.Fatalf("child: %s", line)
		}
		if strings.HasPrefix(line, "k") {
			acked = append(acked, line)
		}
	}
	// Kill mid-write: the child is in its loop, likely inside a commit.
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() { // IDs acknowledged before the signal landed count too
		if line := sc.Text(); strings.HasPrefix(line, "k") {
			acked = append(acked, line)
		}
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL", err)
	}
	if len(acked) < 60 {
		t.Fatalf("child acknowledged only %d scans", len(acked))
	}

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer s.Close()
	for _, id := range acked {
		got, err := s.GetScan(ctx, id)
		if err != nil {
			t.Fatalf("acknowledged scan %s lost after SIGKILL: %v", id, err)
		}
		if _, err := s.LookupURL(ctx, got.CanonURL, t0.Add(time.Hour)); err != nil {
			t.Errorf("verdict of acknowledged scan %s lost: %v", id, err)
		}
	}
	list, _, err := s.ListScans(ctx, verdict.Filter{Phone: "+18005550100", PageSize: verdict.MaxPageSize})
	if err != nil || len(list) < len(acked) {
		t.Errorf("ListScans after SIGKILL = %d scans, %v; want at least %d", len(list), err, len(acked))
	}
	if err := s.PutScan(ctx, testScan(t, "after", "http://after.example/", verdict.LabelClean, t0)); err != nil {
		t.Errorf("PutScan after SIGKILL: %v", err)
	}
	if err := s.db.View(checkTx); err != nil {
		t.Errorf("consistency check after SIGKILL: %v", err)
	}
	t.Logf("%d acknowledged scans survived SIGKILL", len(acked))
}

// checkTx runs bbolt's own consistency check of the file.
func checkTx(tx *bolt.Tx) error {
	var errs []error
	for err := range tx.Check() {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// PutScans of a batch leaves the store as PutScan of each scan in order,
// repeats of an ID and of a URL included.
func TestPutScansEqualsOneByOne(t *testing.T) {
	ctx := context.Background()
	mk := func(id, raw string, label verdict.Label, created time.Time, phone string) *verdict.Scan {
		sc := testScan(t, id, raw, label, created)
		sc.Phones = []string{phone}
		return sc
	}
	batch := []*verdict.Scan{
		mk("a", "http://one.example/", verdict.LabelScam, t0.Add(10*time.Second), "+18005550001"),
		mk("b", "http://one.example/", verdict.LabelClean, t0, "+18005550002"),   // older scan of the same URL
		mk("a", "http://two.example/", verdict.LabelClean, t0, "+18005550003"),   // ID a again: replaces the record
		mk("c", "http://three.example/", verdict.LabelClean, t0, "+18005550004"), // same URL twice, later wins
		mk("d", "http://three.example/", verdict.LabelSuspicious, t0.Add(time.Second), "+18005550005"),
		mk("e", "http://stored.example/", verdict.LabelClean, t0, "+18005550006"), // older than what is stored
	}
	seed := mk("s", "http://stored.example/", verdict.LabelScam, t0.Add(time.Minute), "+18005550007")

	one, many := openTemp(t), openTemp(t)
	defer one.Close()
	defer many.Close()
	for _, s := range []*Store{one, many} {
		if err := s.PutScan(ctx, seed); err != nil {
			t.Fatal(err)
		}
	}
	for _, sc := range batch {
		if err := one.PutScan(ctx, sc); err != nil {
			t.Fatal(err)
		}
	}
	if err := many.PutScans(ctx, batch); err != nil {
		t.Fatal(err)
	}

	now := t0.Add(2 * time.Minute)
	for _, u := range []string{"http://one.example/", "http://two.example/", "http://three.example/", "http://stored.example/"} {
		v1, err1 := one.LookupURL(ctx, u, now)
		v2, err2 := many.LookupURL(ctx, u, now)
		if fmt.Sprint(v1, err1) != fmt.Sprint(v2, err2) {
			t.Errorf("LookupURL(%q): one by one %+v, %v; batch %+v, %v", u, v1, err1, v2, err2)
		}
	}
	for _, f := range []verdict.Filter{{}, {Phone: "+18005550001"}, {Phone: "+18005550003"}, {Host: "one.example"}, {Label: verdict.LabelClean}} {
		l1, _, err1 := one.ListScans(ctx, f)
		l2, _, err2 := many.ListScans(ctx, f)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if fmt.Sprint(idsOf(l1)) != fmt.Sprint(idsOf(l2)) {
			t.Errorf("ListScans(%+v): one by one %v, batch %v", f, idsOf(l1), idsOf(l2))
		}
	}
	// Spot checks of the sequential result itself.
	if v, err := many.LookupURL(ctx, "http://one.example/", now); err != nil || v.ScanID != "a" {
		t.Errorf("one.example verdict = %+v, %v; want scan a's", v, err)
	}
	if v, err := many.LookupURL(ctx, "http://three.example/", now); err != nil || v.ScanID != "d" {
		t.Errorf("three.example verdict = %+v, %v; want scan d's", v, err)
	}
	if v, err := many.LookupURL(ctx, "http://stored.example/", now); err != nil || v.ScanID != "s" {
		t.Errorf("stored.example verdict = %+v, %v; want the stored scan s's", v, err)
	}
	if l, _, _ := many.ListScans(ctx, verdict.Filter{Phone: "+18005550001"}); len(l) != 0 {
		t.Errorf("the replaced record of scan a is still indexed: %v", idsOf(l))
	}
}

func idsOf(l []*verdict.Scan) []string {
	var out []string
	for _, s := range l {
		out = append(out, s.ID)
	}
	return out
}

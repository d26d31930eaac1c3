// Command fill writes a bbolt verdict store with N done scans (and so N
// live URL verdicts) for the load test (deploy/loadtest/run.sh), and sample
// request files for ghz and wrk: URLs it stored (known) and URLs it did not
// (unknown).
//
//	go run ./deploy/loadtest/fill --path /tmp/lt/scamscope.db --n 1000000 --out /tmp/lt
//
// Scans are spread over 100,000 hosts with 10 paths each; half are SCAM, a
// fifth SUSPICIOUS, the rest CLEAN, all finished within the last 20 minutes so
// that every verdict is live for at least 10 more minutes. Known samples are
// SCAM and SUSPICIOUS URLs (live for hours). It is a test tool, not part of
// the server.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/proto"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
	"github.com/scamscope/scamscope/internal/scanqueue"
	"github.com/scamscope/scamscope/internal/urlcanon"
	"github.com/scamscope/scamscope/internal/verdict"
	"github.com/scamscope/scamscope/internal/verdict/boltstore"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "fill:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("fill", flag.ContinueOnError)
	path := fs.String("path", "", "bbolt store file to create (must not exist)")
	n := fs.Int("n", 1_000_000, "scans to write")
	batch := fs.Int("batch", 5000, "scans per transaction")
	samples := fs.Int("samples", 10_000, "known and unknown URLs to write for the load generators")
	out := fs.String("out", ".", "directory for known.json, unknown.json, known.paths, unknown.paths")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		return errors.New("--path is required")
	}
	if _, err := os.Stat(*path); err == nil {
		return fmt.Errorf("%s exists; remove it first", *path)
	}
	st, err := boltstore.Open(*path, boltstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()

	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now()
	ctx := context.Background()
	var known []string
	stride := max(1, *n / *samples / 2)
	start := time.Now()
	buf := make([]*verdict.Scan, 0, *batch)
	for i := 0; i < *n; i++ {
		raw := fmt.Sprintf("https://host-%d.example/path/%d/page.html?id=%d", i%100_000, i/100_000, i)
		u, err := urlcanon.Canonicalize(raw)
		if err != nil {
			return err
		}
		label := verdict.LabelClean
		switch r := rng.IntN(10); {
		case r < 5:
			label = verdict.LabelScam
		case r < 7:
			label = verdict.LabelSuspicious
		}
		finished := verdict.Micro(now.Add(-time.Duration(rng.IntN(1200)) * time.Second))
		id := scanqueue.NewID()
		score := int32(5 + 40*int(label-1))
		result, err := proto.Marshal(&scamscopev1.ScanURLResponse{ScanId: id, Verdict: &scamscopev1.Verdict{
			Label: scamscopev1.Label(label), Score: score, RuleSetVersion: "loadtest",
		}, Run: &scamscopev1.PageRun{FinalUrl: raw, HttpStatus: 200}})
		if err != nil {
			return err
		}
		sc := &verdict.Scan{
			ID: id, URL: raw, CanonURL: u.String(), Host: u.Host, Profile: "windows-desktop", State: verdict.StateDone,
			CreatedAt: finished.Add(-3 * time.Second), FinishedAt: finished, Label: label, Score: int(score),
			RuleSetVersion: "loadtest", Result: result,
		}
		if label >= verdict.LabelScam {
			sc.Phones = []string{fmt.Sprintf("+1888555%04d", i%10_000)}
			sc.ErrorCodes = []string{fmt.Sprintf("0x8007%04X", i%4096)}
		}
		if label >= verdict.LabelSuspicious && i%stride == 0 && len(known) < *samples {
			known = append(known, raw)
		}
		buf = append(buf, sc)
		if len(buf) == *batch || i == *n-1 {
			if err := st.PutScans(ctx, buf); err != nil {
				return err
			}
			buf = buf[:0]
			if (i+1)%100_000 < *batch {
				fmt.Fprintf(os.Stderr, "fill: %d scans in %v\n", i+1, time.Since(start).Round(time.Second))
			}
		}
	}
	var unknown []string
	for i := range *samples {
		unknown = append(unknown, fmt.Sprintf("https://never-%d.example/landing/%d?ref=ad", i, rng.IntN(1_000_000)))
	}
	for name, urls := range map[string][]string{"known": known, "unknown": unknown} {
		if err := writeSamples(*out, name, urls); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "fill: %d scans in %v; %d known and %d unknown samples in %s\n", *n, time.Since(start).Round(time.Second), len(known), len(unknown), *out)
	return nil
}

// writeSamples writes NAME.json (ghz -D: an array of LookupURLRequest),
// NAME.bin (ghz -B: the same, binary, each prefixed with its length, which
// spares ghz the JSON work) and NAME.paths (wrk: one GET path per line).
func writeSamples(dir, name string, urls []string) error {
	var bin bytes.Buffer
	for _, u := range urls {
		if _, err := protodelim.MarshalTo(&bin, &scamscopev1.LookupURLRequest{Url: u}); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, name+".bin"), bin.Bytes(), 0o644); err != nil {
		return err
	}
	reqs := make([]map[string]string, len(urls))
	paths := make([]string, len(urls))
	for i, u := range urls {
		reqs[i] = map[string]string{"url": u}
		paths[i] = "/v1/lookup?url=" + url.QueryEscape(u)
	}
	b, err := json.Marshal(reqs)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, name+".json"), b, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".paths"), []byte(strings.Join(paths, "\n")+"\n"), 0o644)
}

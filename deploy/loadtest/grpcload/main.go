// Command grpcload is a lean LookupURL load generator: generated stubs, a
// fixed set of connections and goroutines, latencies kept in a histogram. It
// complements ghz (a general tool: dynamic messages, a stats handler and a
// record of every call), and shows what the server does for a client that
// costs less. Each call has a deadline, 20 s by default as in ghz.
//
// It prints the share of answers that were known URLs, so that a load test
// can check that its samples still hit the store.
//
//	go run ./deploy/loadtest/grpcload --addr 127.0.0.1:9190 --data /tmp/scamscope-loadtest/known.bin -c 32 --conns 2 -d 20s
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protodelim"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "grpcload:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:9190", "gRPC address")
	data := flag.String("data", "", "length-prefixed LookupURLRequests (fill's NAME.bin)")
	conc := flag.Int("c", 32, "concurrent calls")
	conns := flag.Int("conns", 2, "connections")
	dur := flag.Duration("d", 20*time.Second, "duration")
	timeout := flag.Duration("t", 20*time.Second, "deadline of each call (as ghz's default); 0 for none")
	flag.Parse()

	reqs, err := load(*data)
	if err != nil {
		return err
	}
	clients := make([]scamscopev1.VerdictServiceClient, *conns)
	for i := range clients {
		conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return err
		}
		defer conn.Close()
		clients[i] = scamscopev1.NewVerdictServiceClient(conn)
	}
	// Latencies in 10 µs buckets up to 1 s, per goroutine, merged at the end.
	const bucket, buckets = 10 * time.Microsecond, 100_000
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total = make([]int64, buckets+1)
		calls atomic.Int64
		known atomic.Int64
		errs  = map[string]int{}
	)
	// The goroutines stop starting calls when the time is up, so no call is
	// cut off.
	var stop atomic.Bool
	time.AfterFunc(*dur, func() { stop.Store(true) })
	ctx := context.Background()
	start := time.Now()
	for g := range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hist := make([]int64, buckets+1)
			c := clients[g%len(clients)]
			local := map[string]int{}
			var nKnown int64
			for i := g; !stop.Load(); i += *conc {
				t := time.Now()
				cctx, cancel := ctx, context.CancelFunc(func() {})
				if *timeout > 0 {
					cctx, cancel = context.WithTimeout(ctx, *timeout)
				}
				resp, err := c.LookupURL(cctx, reqs[i%len(reqs)])
				cancel()
				if err != nil {
					local[status.Code(err).String()]++
					continue
				}
				hist[min(int(time.Since(t)/bucket), buckets)]++
				calls.Add(1)
				if resp.GetKnown() {
					nKnown++
				}
			}
			known.Add(nKnown)
			mu.Lock()
			for i, n := range hist {
				total[i] += n
			}
			for k, n := range local {
				errs[k] += n
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	n := calls.Load()
	pct := func(p float64) time.Duration {
		want, seen := int64(float64(n)*p), int64(0)
		for i, c := range total {
			if seen += c; seen >= want {
				return time.Duration(i+1) * bucket
			}
		}
		return time.Second
	}
	fmt.Printf("  calls: %d OK in %v, %.1f %% of them known URLs\n  Requests/sec: %.0f\n  p50: %v  p90: %v  p99: %v  p99.9: %v\n",
		n, elapsed.Round(time.Millisecond), 100*float64(known.Load())/float64(max(n, 1)), float64(n)/elapsed.Seconds(), pct(.5), pct(.9), pct(.99), pct(.999))
	if len(errs) > 0 {
		keys := make([]string, 0, len(errs))
		for k := range errs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Printf("  errors %s: %d\n", k, errs[k])
		}
	}
	return nil
}

func load(path string) ([]*scamscopev1.LookupURLRequest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var out []*scamscopev1.LookupURLRequest
	for {
		m := &scamscopev1.LookupURLRequest{}
		if err := protodelim.UnmarshalFrom(r, m); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no request", path)
	}
	return out, nil
}

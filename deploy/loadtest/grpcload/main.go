// Command grpcload is a lean LookupURL load generator: generated stubs, a
// fixed set of connections and goroutines, latencies kept in a histogram. It
// complements ghz, which spends about three times the server's CPU per call
// (dynamic messages, per-call bookkeeping) and so, on a small machine,
// measures itself rather than the server.
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
		errs  = map[string]int{}
	)
	// Calls run without a deadline; the goroutines stop starting new ones
	// when the time is up, so no call is cut off.
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
			for i := g; !stop.Load(); i += *conc {
				t := time.Now()
				_, err := c.LookupURL(ctx, reqs[i%len(reqs)])
				if err != nil {
					local[status.Code(err).String()]++
					continue
				}
				hist[min(int(time.Since(t)/bucket), buckets)]++
				calls.Add(1)
			}
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
	fmt.Printf("  calls: %d OK in %v\n  Requests/sec: %.0f\n  p50: %v  p90: %v  p99: %v  p99.9: %v\n",
		n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), pct(.5), pct(.9), pct(.99), pct(.999))
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

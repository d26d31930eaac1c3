#!/usr/bin/env bash
# Load test of verdict lookups: fills a bbolt store with N verdicts (default
# 1,000,000; kept between runs), starts scamscoped on it, and measures
# LookupURL over gRPC with ghz (and with grpcload, a lean client of ours),
# and GET /v1/lookup over HTTP with wrk, for URLs the store knows, URLs it
# does not, and the two mixed. `make loadtest` runs it.
#
#   deploy/loadtest/run.sh                 # everything, 20 s per measurement
#   N=100000 DURATION=10s deploy/loadtest/run.sh
#   FRESH=1 deploy/loadtest/run.sh         # refill the store
#   PIN=0 deploy/loadtest/run.sh           # let the scheduler place everything
#   PROFILE=1 deploy/loadtest/run.sh       # and a server CPU profile (pprof)
#
# Needs ghz in ./bin (make tools), wrk (apt-get install wrk) and taskset
# (util-linux). For the gRPC measurements on a machine with two or more
# CPUs, the server is pinned to CPU 0 and the load generator to CPU 1
# (PIN=1, the default): they then do not evict each other from one core's
# caches, and the Go runtimes (GOMAXPROCS follows the affinity) do not chase
# each other's goroutines across cores. For JSON the server is restarted on
# every CPU, beside wrk (HTTP/1.1 costs it about twice a gRPC call).
#
# ghz runs without its per-call template machinery (--disable-template-
# functions --disable-template-data: the requests are fixed binary messages,
# -B, so there is nothing to template, yet by default ghz builds a template
# with the ~200 sprig functions for every call, which costs about three
# times the server's work), keeps its default 20 s deadline per call, and
# waits for the calls in flight at the end (--duration-stop=wait) instead of
# counting them as errors. Its request rate is not capped (no --rps):
# CONCURRENCY calls are kept in flight.
#
# The rate limiter stays on, with a limit no single client reaches, so that
# its cost is measured. The server's and the generator's CPU time per call
# and the machine's load average are printed beside every figure: other
# work on the machine takes CPU from both.
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${N:-1000000}
DIR=${LOADTEST_DIR:-/tmp/scamscope-loadtest}
DURATION=${DURATION:-20s}
GRPC_ADDR=${GRPC_ADDR:-127.0.0.1:9190}
HTTP_ADDR=${HTTP_ADDR:-127.0.0.1:8180}
METRICS_ADDR=${METRICS_ADDR:-127.0.0.1:9191}
GHZ=${GHZ:-./bin/ghz}
CONCURRENCY=${CONCURRENCY:-24}
CONNECTIONS=${CONNECTIONS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
SETS=${SETS:-known unknown mixed}
WARMUP=${WARMUP:-100000} # ghz calls before each gRPC set: page in the store, fill the cache, grow the heap
PIN=${PIN:-1}
# The Go garbage collector's target for the server and the load generators
# (GOGC; Go's default is 100). A lookup allocates about 5 KiB across gRPC
# and the handler on a live heap of a few tens of MiB, so at the default the
# collector runs many times a second and takes about a fifth of the CPU;
# 400 trades some memory for it, as deploy/kubernetes/scamscope.yaml does
# (bounded there by GOMEMLIMIT).
SERVER_GOGC=${SERVER_GOGC:-400}
LOAD_GOGC=${LOAD_GOGC:-400}
# SUSPICIOUS verdicts live 6 hours: refill a store older than 5, so that the
# known samples are still known.
MAX_AGE_MIN=${MAX_AGE_MIN:-300}

command -v wrk >/dev/null || { echo "loadtest: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ -x "$GHZ" ] || { echo "loadtest: $GHZ missing (make tools)" >&2; exit 1; }
if [ "$PIN" = 1 ] && { ! command -v taskset >/dev/null || [ "$(nproc)" -lt 2 ]; }; then
  echo "loadtest: taskset missing or fewer than 2 CPUs: not pinning" >&2
  PIN=0
fi
server_pin=() load_pin=() ghz_cpus=$(nproc)
if [ "$PIN" = 1 ]; then
  server_pin=(taskset -c 0) load_pin=(taskset -c 1) ghz_cpus=1
fi

mkdir -p "$DIR"
go build -o "$DIR/scamscoped" ./cmd/scamscoped
go build -o "$DIR/grpcload" ./deploy/loadtest/grpcload
if [ "${FRESH:-0}" = 1 ] || [ ! -f "$DIR/scamscope.db" ] || [ "$(cat "$DIR/n" 2>/dev/null)" != "$N" ] ||
  [ -n "$(find "$DIR/n" -mmin +"$MAX_AGE_MIN" 2>/dev/null)" ]; then
  rm -f "$DIR/scamscope.db" "$DIR/n"
  echo "loadtest: filling $DIR/scamscope.db with $N verdicts" >&2
  go run ./deploy/loadtest/fill --path "$DIR/scamscope.db" --n "$N" --out "$DIR"
  echo "$N" >"$DIR/n"
fi
# mixed: the known samples, then the unknown ones (ghz cycles through the
# file, so a run alternates between long stretches of each); for wrk
# interleaved line by line.
cat "$DIR/known.bin" "$DIR/unknown.bin" >"$DIR/mixed.bin"
paste -d '\n' "$DIR/known.paths" "$DIR/unknown.paths" | grep -v '^$' >"$DIR/mixed.paths"

# start_server [taskset prefix...]: starts scamscoped and waits until it serves.
start_server() {
  GOGC=$SERVER_GOGC "$@" "$DIR/scamscoped" --store="$DIR/scamscope.db" --browser=off --grpc-addr="$GRPC_ADDR" --http-addr="$HTTP_ADDR" \
    --metrics-addr="$METRICS_ADDR" --rate-limit=1000000000 --rate-burst=1000000000 --purge-interval=24h \
    --log-level=warn --debug-pprof="${PROFILE:-0}" 2>>"$DIR/scamscoped.log" &
  pid=$!
  # Opening a large store reads it through once (bbolt rebuilds its freelist).
  local started
  started=$(date +%s)
  until curl -sf "http://$METRICS_ADDR/healthz" >/dev/null; do
    kill -0 $pid 2>/dev/null || { cat "$DIR/scamscoped.log" >&2; exit 1; }
    [ $(( $(date +%s) - started )) -lt 300 ] || { echo "loadtest: scamscoped not serving after 300 s" >&2; exit 1; }
    sleep 0.2
  done
  echo "loadtest: scamscoped serving after $(( $(date +%s) - started )) s on $N verdicts, GOMAXPROCS $(curl -s "http://$METRICS_ADDR/metrics" | awk '/^go_sched_gomaxprocs_threads/ { print $2 }')${1:+, pinned: $*}"
}
stop_server() { kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; }
: >"$DIR/scamscoped.log"
trap stop_server EXIT
echo "loadtest: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs; GOGC server $SERVER_GOGC, load generators $LOAD_GOGC"
start_server "${server_pin[@]}"

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # CPU time of a process, in clock ticks
tick=$(getconf CLK_TCK)
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; } # all CPUs' busy time (with steal), in clock ticks
per_call() { # ticks calls -> µs per call
  awk -v u="$1" -v t="$tick" -v n="$2" 'BEGIN { if (n > 0) printf "%.1f", u / t * 1e6 / n; else printf "?" }'
}
# measure NAME CMD...: runs CMD (a load generator) in the background,
# prints its output, then the server's and the generator's CPU time per
# call (the generator's from /proc once it ends, via its own bash parent)
# and the load average. The count of calls is read from the output with the
# awk program in $COUNT.
measure() {
  local name=$1 out=$DIR/$1.out; shift
  local before gen busy_before
  before=$(cpu $pid)
  busy_before=$(busy)
  GOGC=$LOAD_GOGC bash -c 'exec "$@"' _ "$@" >"$out" 2>&1 &
  gen=$!
  local gen_ticks=0 t
  while kill -0 $gen 2>/dev/null; do
    t=$(cpu $gen 2>/dev/null || true)
    [ -n "$t" ] && gen_ticks=$t
    sleep 0.2
  done
  wait $gen || true
  local used=$(( $(cpu $pid) - before )) calls
  local others=$(( $(busy) - busy_before - used - gen_ticks ))
  calls=$(awk "$COUNT" "$out")
  grep -E "$SHOW" "$out" || true
  echo "   server CPU: $(per_call "$used" "$calls") µs/call; load generator CPU: $(per_call "$gen_ticks" "$calls") µs/call (last sample)"
  echo "   other work on the machine meanwhile (hypervisor steal included): $(awk -v o="$others" -v t="$tick" -v d="$DURATION" 'BEGIN { o = o < 0 ? 0 : o; printf "%.2f", o / t / (d + 0) }') CPUs on average; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}

if [ "${PROFILE:-0}" = 1 ]; then
  # A CPU profile of the server during the first ghz measurement.
  secs=$(( $(awk -v d="$DURATION" 'BEGIN { print d + 0 }') * 3 / 4 + 1 ))
  ( sleep 3; curl -sf -o "$DIR/server-cpu.prof" "http://$METRICS_ADDR/debug/pprof/profile?seconds=$secs" &&
    echo "loadtest: server CPU profile in $DIR/server-cpu.prof (go tool pprof $DIR/scamscoped $DIR/server-cpu.prof)" >&2 ) &
fi
ghz_flags=(--insecure --call scamscope.v1.VerdictService.LookupURL --disable-template-functions --disable-template-data
  --cpus "$ghz_cpus" -c "$CONCURRENCY" --connections "$CONNECTIONS")
for set in $SETS; do
  # Warm up: page in the store and fill the lookup cache.
  GOGC=$LOAD_GOGC "${load_pin[@]}" "$GHZ" "${ghz_flags[@]}" -B "$DIR/$set.bin" -n "$WARMUP" "$GRPC_ADDR" >/dev/null
  echo "== gRPC LookupURL, $set URLs: ghz -c $CONCURRENCY --connections $CONNECTIONS --cpus $ghz_cpus -z $DURATION"
  COUNT='/^  Count:/ { print $2 }' SHOW='Requests/sec|Average|Fastest|Slowest|50 % in|99 % in|\[OK\]|\[[A-Z][a-zA-Z]+\] ' \
    measure "ghz-$set" "${load_pin[@]}" "$GHZ" "${ghz_flags[@]}" -B "$DIR/$set.bin" -z "$DURATION" --duration-stop=wait "$GRPC_ADDR"
done
for set in $SETS; do
  echo "== gRPC LookupURL, $set URLs: grpcload -c $CONCURRENCY --conns $CONNECTIONS -d $DURATION (a lean client: generated stubs)"
  COUNT='/calls:/ { print $2 }' SHOW='calls|Requests/sec|p50|errors' \
    measure "grpcload-$set" "${load_pin[@]}" "$DIR/grpcload" --addr "$GRPC_ADDR" --data "$DIR/$set.bin" -c "$CONCURRENCY" --conns "$CONNECTIONS" -d "$DURATION"
done
# HTTP/1.1 costs the server about twice what a gRPC call does (a read and
# a write per request, no batching), so one core would cap it: for JSON the
# server runs on every CPU, beside wrk.
if [ "$PIN" = 1 ]; then
  stop_server
  start_server
fi
for set in $SETS; do
  echo "== JSON GET /v1/lookup, $set URLs: wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$DURATION (server and wrk unpinned)"
  COUNT='/requests in/ { print $1 }' SHOW='Requests/sec|Latency  |50%|99%|requests in|Non-2xx|Socket errors' \
    measure "wrk-$set" env PATHS="$DIR/$set.paths" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$DURATION" --latency \
    -s deploy/loadtest/lookup.lua "http://$HTTP_ADDR"
done

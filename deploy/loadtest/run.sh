#!/usr/bin/env bash
# Load test of verdict lookups: fills a bbolt store with N verdicts (default
# 1,000,000; kept between runs), starts scamscoped on it, and measures
# LookupURL over gRPC with ghz and with grpcload (a lean client of ours, as
# ghz's own CPU cost dominates on a small machine), and GET /v1/lookup over
# HTTP with wrk, for URLs the store knows and URLs it does not. `make
# loadtest` runs it.
#
#   deploy/loadtest/run.sh                 # everything, 20 s per measurement
#   N=100000 DURATION=10s deploy/loadtest/run.sh
#   FRESH=1 deploy/loadtest/run.sh         # refill the store
#
# Needs ghz in ./bin (make tools) and wrk (apt-get install wrk). The rate
# limiter stays on, with a limit no single client reaches, so that its cost
# is measured. The machine's load average is printed beside every figure:
# the load generators share the CPUs with the server.
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${N:-1000000}
DIR=${LOADTEST_DIR:-/tmp/scamscope-loadtest}
DURATION=${DURATION:-20s}
GRPC_ADDR=${GRPC_ADDR:-127.0.0.1:9190}
HTTP_ADDR=${HTTP_ADDR:-127.0.0.1:8180}
METRICS_ADDR=${METRICS_ADDR:-127.0.0.1:9191}
GHZ=${GHZ:-./bin/ghz}
CONCURRENCY=${CONCURRENCY:-50}
LEAN_CONCURRENCY=${LEAN_CONCURRENCY:-32}

command -v wrk >/dev/null || { echo "loadtest: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ -x "$GHZ" ] || { echo "loadtest: $GHZ missing (make tools)" >&2; exit 1; }

mkdir -p "$DIR"
go build -o "$DIR/scamscoped" ./cmd/scamscoped
go build -o "$DIR/grpcload" ./deploy/loadtest/grpcload
if [ "${FRESH:-0}" = 1 ] || [ ! -f "$DIR/scamscope.db" ] || [ "$(cat "$DIR/n" 2>/dev/null)" != "$N" ]; then
  rm -f "$DIR/scamscope.db"
  echo "loadtest: filling $DIR/scamscope.db with $N verdicts" >&2
  go run ./deploy/loadtest/fill --path "$DIR/scamscope.db" --n "$N" --out "$DIR"
  echo "$N" >"$DIR/n"
fi

"$DIR/scamscoped" --store="$DIR/scamscope.db" --browser=off --grpc-addr="$GRPC_ADDR" --http-addr="$HTTP_ADDR" \
  --metrics-addr="$METRICS_ADDR" --rate-limit=1000000000 --rate-burst=1000000000 --purge-interval=24h \
  --log-level=warn 2>"$DIR/scamscoped.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
# Opening a large store reads it through once (bbolt rebuilds its freelist).
started=$(date +%s)
until curl -sf "http://$METRICS_ADDR/healthz" >/dev/null; do
  kill -0 $pid 2>/dev/null || { cat "$DIR/scamscoped.log" >&2; exit 1; }
  [ $(( $(date +%s) - started )) -lt 300 ] || { echo "loadtest: scamscoped not serving after 300 s" >&2; exit 1; }
  sleep 0.2
done
echo "loadtest: scamscoped serving after $(( $(date +%s) - started )) s on $N verdicts" >&2

cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; } # server CPU time, in clock ticks
tick=$(getconf CLK_TCK)
report() { # name count-before
  local used=$(( $(cpu) - $2 ))
  echo "   server CPU: $(awk -v u="$used" -v t="$tick" 'BEGIN { printf "%.2f", u / t }') s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}

for set in known unknown; do
  # Warm up: page in the store and the lookup cache.
  "$GHZ" --insecure --call scamscope.v1.VerdictService.LookupURL -B "$DIR/$set.bin" -c "$CONCURRENCY" --connections 2 -n 20000 "$GRPC_ADDR" >/dev/null
  echo "== gRPC LookupURL, $set URLs: ghz -c $CONCURRENCY --connections 2 -z $DURATION"
  before=$(cpu)
  "$GHZ" --insecure --call scamscope.v1.VerdictService.LookupURL -B "$DIR/$set.bin" -c "$CONCURRENCY" --connections 2 -z "$DURATION" "$GRPC_ADDR" |
    grep -E 'Requests/sec|Average|50 % in|99 % in|\[OK\]|\[[A-Z][a-zA-Z]+\] ' || true
  report ghz "$before"
done
for set in known unknown; do
  echo "== gRPC LookupURL, $set URLs: grpcload -c $LEAN_CONCURRENCY --conns 2 -d $DURATION (a lean client: generated stubs)"
  before=$(cpu)
  "$DIR/grpcload" --addr "$GRPC_ADDR" --data "$DIR/$set.bin" -c "$LEAN_CONCURRENCY" --conns 2 -d "$DURATION"
  report grpcload "$before"
done
for set in known unknown; do
  echo "== JSON GET /v1/lookup, $set URLs: wrk -t2 -c64 -d$DURATION"
  before=$(cpu)
  PATHS="$DIR/$set.paths" wrk -t2 -c64 -d"$DURATION" --latency -s deploy/loadtest/lookup.lua "http://$HTTP_ADDR" |
    grep -E 'Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors' || true
  report wrk "$before"
done

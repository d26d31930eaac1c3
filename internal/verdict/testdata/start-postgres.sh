#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the pgstore tests and prints its
# DSN on stdout (and nothing else there). Debian/Ubuntu: installs the
# postgresql package with apt-get when it is missing and we are root.
#
#   export SCAMSCOPE_TEST_POSTGRES_DSN="$(internal/verdict/testdata/start-postgres.sh)"
#   go test ./internal/verdict/pgstore/
#   internal/verdict/testdata/start-postgres.sh stop [DIR]   # stops DIR, or every cluster it started
#
# The cluster lives in a temp dir (/tmp/scamscope-pg.*), listens on 127.0.0.1
# only, on a free port, with trust authentication for the postgres user.
set -euo pipefail

as_pg() { # run as the postgres user when we are root (initdb refuses root)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ "${1:-}" = stop ]; then
  shift
  if [ $# -gt 0 ]; then dirs=("$@"); else dirs=(/tmp/scamscope-pg.*); fi
  for dir in "${dirs[@]}"; do
    [ -d "$dir/data" ] || continue
    as_pg "$(pgbin)/pg_ctl" -D "$dir/data" stop -m fast >/dev/null 2>&1 || true
    rm -rf "$dir"
    echo "stopped $dir" >&2
  done
  exit 0
fi

if [ -z "$(pgbin)" ] || [ ! -x "$(pgbin)/initdb" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "start-postgres: PostgreSQL is not installed; run: sudo apt-get install -y postgresql" >&2
    exit 1
  fi
  echo "start-postgres: installing postgresql with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
BIN="$(pgbin)"

# A free port: nothing answers on it.
port=""
for _ in $(seq 1 50); do
  p=$((20000 + RANDOM % 30000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "start-postgres: no free port found" >&2; exit 1; }

dir="$(mktemp -d /tmp/scamscope-pg.XXXXXX)"
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres: "$dir"
as_pg "$BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200" start >/dev/null ||
  { cat "$dir/server.log" >&2; exit 1; }
as_pg "$BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres scamscope_test
echo "start-postgres: cluster in $dir on 127.0.0.1:$port (stop: $0 stop $dir)" >&2
echo "postgres://postgres@127.0.0.1:$port/scamscope_test?sslmode=disable"

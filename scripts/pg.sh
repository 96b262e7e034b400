#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the store tests (installing it from Debian's packages if needed).
# Prints its connection URI on stdout. Stop it with: scripts/pg.sh stop
set -euo pipefail
dir="${PHAROS_PG_DIR:-/tmp/pharos-pg}"
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ "${1:-}" = "stop" ]; then
  [ -n "$bindir" ] && [ -d "$dir/data" ] && runuser -u postgres -- "$bindir/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
  exit 0
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/postgres" ]; then
  echo "installing PostgreSQL..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql) >&2
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
port="${PHAROS_PG_PORT:-54329}"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  rm -rf "$dir"; mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_pg "$bindir/initdb" -D "$dir/data" -U pharos --auth=trust -E UTF8 >/dev/null
  as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >&2
fi
echo "postgresql://pharos@127.0.0.1:$port/postgres"

#!/usr/bin/env bash
# Sourced by test.sh: installs Debian's PostgreSQL if missing, starts a throwaway cluster on
# loopback and exports PERMED_TEST_POSTGRES_URL for the tests marked "postgres".
# Leaves the variable unset (and those tests skip with a reason) where a server cannot be had.
PERMED_PG_DIR="${TMPDIR:-/tmp}/permed-pg-$$"
PERMED_PG_AS=""
_permed_pg_stop() {
  if [ -n "${PERMED_PG_BIN:-}" ] && [ -d "$PERMED_PG_DIR/data" ]; then
    $PERMED_PG_AS "$PERMED_PG_BIN/pg_ctl" -D "$PERMED_PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PERMED_PG_DIR"
}
_permed_pg_start() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    if [ "$(id -u)" != "0" ]; then return 1; fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
  fi
  PERMED_PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  local port=55432
  while (echo >/dev/tcp/127.0.0.1/$port) >/dev/null 2>&1; do port=$((port + 1)); done
  mkdir -p "$PERMED_PG_DIR"
  if [ "$(id -u)" = "0" ]; then
    chown postgres "$PERMED_PG_DIR"
    PERMED_PG_AS="runuser -u postgres --"
  fi
  trap _permed_pg_stop EXIT
  $PERMED_PG_AS "$PERMED_PG_BIN/initdb" -D "$PERMED_PG_DIR/data" -U permed --auth=trust >/dev/null || return 1
  $PERMED_PG_AS "$PERMED_PG_BIN/pg_ctl" -D "$PERMED_PG_DIR/data" \
    -o "-p $port -k $PERMED_PG_DIR -c listen_addresses=127.0.0.1" -l "$PERMED_PG_DIR/log" -w start >/dev/null || return 1
  $PERMED_PG_AS "$PERMED_PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U permed permed_test || return 1
  export PERMED_TEST_POSTGRES_URL="postgresql+psycopg://permed@127.0.0.1:$port/permed_test"
}
_permed_pg_start || echo "PostgreSQL could not be started; tests marked postgres will be skipped" >&2

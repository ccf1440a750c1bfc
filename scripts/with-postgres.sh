#!/usr/bin/env bash
# Usage: bash scripts/with-postgres.sh <command> [args...]
# Starts a throwaway PostgreSQL 15 (root or non-root, no stdin), exports DATABASE_URL and PG*,
# runs the command, stops the server and deletes its files, keeping the command's exit code.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_OS_USER=${PG_OS_USER:-postgres}
PG_DB=${PG_DB:-app_test}
if [ ! -x "$PG_BIN/pg_ctl" ]; then
  echo "with-postgres: $PG_BIN/pg_ctl not found; install it: apt-get update && apt-get install -y postgresql-15" >&2
  exit 1
fi
# postgres refuses to run as root: run the server as an unprivileged OS user.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_OS_USER"
  fi
  as_pg=(runuser -u "$PG_OS_USER" --)
fi
PGTMP=$(mktemp -d "${TMPDIR:-/tmp}/pgci.XXXXXX")
[ "$(id -u)" -eq 0 ] && chown "$PG_OS_USER": "$PGTMP"
chmod 700 "$PGTMP"
# Run postgres tools as that user from a directory it can enter (the caller's cwd may be 0700).
pg_run() { (cd "$PGTMP" && "${as_pg[@]}" "$@"); }
cleanup() {
  local rc=$?
  if [ -f "$PGTMP/data/postmaster.pid" ]; then
    pg_run "$PG_BIN/pg_ctl" -D "$PGTMP/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  if [ "$rc" -ne 0 ] && [ -f "$PGTMP/server.log" ]; then
    echo "--- postgres server.log (tail) ---" >&2; tail -n 30 "$PGTMP/server.log" >&2 || true
  fi
  rm -rf "$PGTMP"
  exit "$rc"
}
trap cleanup EXIT
child=
on_signal() { [ -n "$child" ] && kill -"$1" "$child" 2>/dev/null && wait "$child" 2>/dev/null; exit "$2"; }
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
pg_run "$PG_BIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$PGTMP/initdb.log" 2>&1 \
  || { cat "$PGTMP/initdb.log" >&2; exit 1; }
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
started=
for attempt in 1 2 3 4 5; do
  PGPORT=$(free_port)
  # -k: unix socket in our temp dir (default /var/run/postgresql may not be writable / may clash)
  if pg_run "$PG_BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
       -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
       start >/dev/null; then
    started=1; break
  fi
  echo "with-postgres: start on port $PGPORT failed (attempt $attempt), retrying" >&2
done
[ -n "$started" ] || { echo "with-postgres: could not start postgres" >&2; exit 1; }
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "$PG_DB"
export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE="$PG_DB"
export DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/$PG_DB"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on $DATABASE_URL (data in $PGTMP)" >&2
# Run the command as a child and `wait` for it: bash defers traps while a foreground child runs,
# so this is what lets TERM/INT clean up at once.
set +e
"$@" <&0 &
child=$!
wait "$child"
rc=$?
set -e
exit "$rc"

#!/usr/bin/env bash
# 关注 fan-out: one new record on a business followed by N phones (default 10,000), on SQLite (a fresh file,
# synchronous FULL as the portal runs it) and on PostgreSQL (a fresh database): the time until every alert is
# queued, as a ratio to a one-statement baseline of N rows measured in the same run, then the time until the outbox
# worker delivered all of them to a local SMS gateway, and how many phones got one twice (must be 0). Cold: each run
# on a new database, nothing read before. Usage: bench/fanout.sh [N]
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
N="${1:-10000}"
cargo build --release -p backend --example fanout_bench -q
BIN="$CARGO_TARGET_DIR/release/examples/fanout_bench"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"; psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS fanout_bench WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
log "SQLite, $N subscribers"
DATABASE_URL="sqlite://$WORK/fanout.db" RUST_LOG=warn "$BIN" "$N"
if ensure_postgres; then
  psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS fanout_bench WITH (FORCE)" >/dev/null
  psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE fanout_bench" >/dev/null
  log "PostgreSQL, $N subscribers"
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/fanout_bench" RUST_LOG=warn "$BIN" "$N"
fi

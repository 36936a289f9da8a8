#!/usr/bin/env bash
# Ballots per second over HTTP from many distinct voters (every request a new voter: a device token signed with the
# server's key, as the round's page issues them — a ballot without one is refused), on SQLite
# (ballots committed with synchronous=FULL through the group-commit writer) and on PostgreSQL, as ratios to a
# bare axum hello measured in the same run; then checks that the ballots stored equal the ballots acknowledged.
# Starts cold: a fresh database per engine, no warm-up. Usage: bench/ballots.sh [seconds, default 10]
# [connections, default 64]. Results: bench/RESULTS.md ("Ballots").
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
SECS="${1:-10}"
CONNS="${2:-64}"
command -v wrk >/dev/null 2>&1 || apt_install wrk
[ -x "$(server_bin)" ] || { setup_rust; build_release; }
[ -x "$CARGO_TARGET_DIR/release/hello" ] || cargo build --release -p hello -q
ensure_postgres
PG_ADMIN="${PORTAL_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
PG_DB="bench_ballots_$$"
WORK="$(mktemp -d)"
BENCH_KEY="bench-ballots-key-bench-ballots-key-0001"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$CARGO_TARGET_DIR/release/hello" 127.0.0.1:3910 &
PIDS+=($!)
wait_http "http://127.0.0.1:3910/" 30

serve() { # serve PORT DATABASE_URL
  local port="$1" url="$2" dir="$WORK/p$1"
  mkdir -p "$dir"
  local env=(DATABASE_URL="$url" PORTAL_DATA_DIR="$dir" LEPTOS_SITE_ROOT="$(site_root)" LEPTOS_SITE_ADDR="127.0.0.1:$port"
    RUST_LOG=warn PORTAL_RATE_VOTE_PER_MIN=4000000000 PORTAL_RATE_API_PER_MIN=4000000000 PORTAL_SECRET_KEY="$BENCH_KEY"
    PORTAL_BOUND_BALLOTS=4000000000/min,4000000000/day)
  env "${env[@]}" "$(server_bin)" seed --demo >/dev/null 2>&1
  env "${env[@]}" "$(server_bin)" serve >"$dir/log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/healthz" 60
}

measure() { # measure NAME URL [wrk args] -> "name rps p50 p99 requests non2xx"
  local name="$1" url="$2"; shift 2
  local out; out="$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$@" "$url")"
  echo "$out" >"$WORK/$name.txt"
  local rps p50 p99 total errs
  rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
  p50="$(awk '$1 == "50%" { print $2 }' <<<"$out")"
  p99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
  total="$(awk '/requests in/ { print $1 }' <<<"$out")"
  errs="$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$out")"
  echo "$name $rps $p50 $p99 $total ${errs:-0}"
}

ballot_run() { # ballot_run NAME PORT -> result line + "stored" check
  local name="$1" port="$2" base="http://127.0.0.1:$2"
  local round ids before after
  round="$(curl -fsS "$base/api/v1/rounds" | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin) if r["phase"]=="voting"][0])')"
  ids="$(curl -fsS "$base/api/v1/rounds/$round" | python3 -c 'import json,sys; print(",".join(str(c["id"]) for c in json.load(sys.stdin)["candidates"]))')"
  before="$(curl -fsS "$base/api/v1/rounds/$round" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ballots"])')"
  # Device tokens as the server signs them (backend::picks::voter::mint_device_token), one per request.
  python3 - "$BENCH_KEY" 400000 >"$WORK/$name.tokens" <<'PY'
import hashlib, hmac, os, sys, time
key, n, at = sys.argv[1].encode(), int(sys.argv[2]), str(int(time.time()))
for _ in range(n):
    i = os.urandom(16).hex()
    sig = hmac.new(key, b"device-token-v2\x1f" + i.encode() + b"\x1f" + at.encode() + b"\x1f", hashlib.sha256).hexdigest()[:32]
    print(f"{i}.{at}.{sig}")
PY
  cat >"$WORK/$name.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local ids = { $ids }
local threads = 0
setup = function(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local tokens = {}
local i = 0
init = function()
  -- Each thread takes every other token, so no two requests share a voter.
  local n = 0
  for line in io.lines("$WORK/$name.tokens") do
    if n % 2 == tid then tokens[#tokens + 1] = line end
    n = n + 1
  end
end
request = function()
  i = i + 1
  local a, b = ids[(i % #ids) + 1], ids[((i * 7) % #ids) + 1]
  local body = a == b and string.format('{"candidate_ids":[%d]}', a) or string.format('{"candidate_ids":[%d,%d]}', a, b)
  local headers = { ["Content-Type"] = "application/json", ["Cookie"] = "portal_voter=" .. tokens[((i - 1) % #tokens) + 1] }
  return wrk.format(nil, "/api/v1/rounds/$round/ballot", headers, body)
end
LUA
  local line; line="$(measure "$name" "$base/" -s "$WORK/$name.lua")"
  sleep 1
  after="$(curl -fsS "$base/api/v1/rounds/$round" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ballots"])')"
  echo "$line $((after - before))"
}

log "SQLite portal (fresh database, demo data)"
serve 3911 "sqlite://$WORK/sqlite/portal.db"
log "PostgreSQL portal (fresh database $PG_DB, demo data)"
psql -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null
serve 3912 "${PG_ADMIN%/*}/$PG_DB"

log "measuring: ${SECS}s per run, $CONNS connections, 2 wrk threads (server and wrk share the 2 cores)"
RESULTS="$WORK/results"
{
  measure baseline_hello http://127.0.0.1:3910/ | awk '{ print $0, "-" }'
  ballot_run ballots_sqlite_full 3911
  ballot_run ballots_postgres 3912
} >"$RESULTS"
BASE="$(awk '$1 == "baseline_hello" { print $2 }' "$RESULTS")"
{
  echo "# ballots run $(date -u +%Y-%m-%dT%H:%MZ), ${SECS}s x ${CONNS} connections, every request a new voter"
  printf '%-22s %10s %8s %9s %9s %10s %8s %10s\n' case "req/s" ratio "p50" "p99" acked non2xx stored
  while read -r name rps p50 p99 total errs stored; do
    acked=$((total - errs))
    printf '%-22s %10.0f %8.3f %9s %9s %10s %8s %10s\n' "$name" "$rps" "$(awk -v a="$rps" -v b="$BASE" 'BEGIN { print a / b }')" \
      "$p50" "$p99" "$acked" "$errs" "$stored"
  done <"$RESULTS"
} | tee -a "$ROOT/bench/results-latest.txt"
# Every acknowledged ballot must be stored (a request cut off by the end of the run may be stored unacknowledged).
awk 'NR > 1 && $1 ~ /^ballots/ { if ($8 + 0 < $6 + 0 - 0) { print "STORED < ACKNOWLEDGED: " $0; bad = 1 } } END { exit bad }' \
  <(tail -3 "$ROOT/bench/results-latest.txt")

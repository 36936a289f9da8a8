#!/usr/bin/env bash
# Public writes under abuse, on the release build with SQLite (synchronous=FULL for cases) and the demo data:
#  1. 60 parallel photo bombs from one address (3 × a 309 KB PNG that decodes to 317 MB each), with the
#     per-network case bound lifted so every bomb reaches the photo checks: status counts, cases stored, the
#     server's resident memory before and at its peak (VmHWM), /healthz latency polled from another address
#     before (baseline) and during the flood;
#  2. (defaults) 1,000 cookieless ballots from one address, then 150 voter requests from one /24; two clients
#     with one idempotency key; 500 cases from one address; a forged Host on every answer built from the Host.
# Usage: bench/abuse.sh   Results: bench/RESULTS.md ("Abuse").
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
[ -x "$(server_bin)" ] || { setup_rust; build_release; }
DIR="$(mktemp -d)"; PORT=3907
export DATABASE_URL="sqlite://$DIR/portal.db" PORTAL_DATA_DIR="$DIR" LEPTOS_SITE_ROOT="$(site_root)" RUST_LOG=warn
export LEPTOS_SITE_ADDR="127.0.0.1:$PORT" MALLOC_ARENA_MAX=2 PORTAL_TRUSTED_PROXIES=127.0.0.1
"$(server_bin)" seed --demo >/dev/null
run() { # run SCENARIO [ENV=VALUE...]: a fresh server process per scenario, so peaks are its own
  local scenario="$1"; shift
  env "$@" "$(server_bin)" serve >"$DIR/server.log" 2>&1 &
  local pid=$!
  wait_http "http://127.0.0.1:$PORT/healthz" 30
  python3 "$ROOT/bench/abuse.py" "$PORT" "$pid" "$DIR/portal.db" "$scenario" || { tail -20 "$DIR/server.log"; }
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
trap 'rm -rf "$DIR"' EXIT
{
  echo "# abuse run $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
  run bombs PORTAL_BOUND_CASES=100000/min,100000/day PORTAL_RATE_WRITE_PER_MIN=100000
  run rest
} | tee -a "$ROOT/bench/results-latest.txt"

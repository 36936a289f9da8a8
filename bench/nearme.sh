#!/usr/bin/env bash
# 附近 (near me) at scale: the near query of GET /api/v1/businesses against the demo registry (44,000 businesses,
# placed by district and street), printed as ratios to the bare axum "hello" baseline like bench/run.sh.
# Each portal starts cold (fresh process, first request measured in the run). Usage:
#   bench/nearme.sh [seconds per run, default 10] [connections, default 64]
#   NEARME_ROWS=1000000 bench/nearme.sh   # also a registry grown to 1 M businesses (slow to load)
#   NEARME_SKIP_BUILD=1 bench/nearme.sh    # measure the release build already there
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
DURATION="${1:-10}"
CONNS="${2:-64}"
ROWS="${NEARME_ROWS:-}"
command -v wrk >/dev/null 2>&1 || apt_install wrk
setup_rust
[ "${NEARME_SKIP_BUILD:-0}" = 1 ] || build_release
cargo build --release -p hello -q
[ -n "$ROWS" ] && cargo build --release -p backend --example grow_registry -q

WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$CARGO_TARGET_DIR/release/hello" 127.0.0.1:3910 &
PIDS+=($!)

start_portal() { # start_portal PORT [ROWS]
  local port="$1" rows="${2:-}" dir="$WORK/p$1"
  mkdir -p "$dir"
  local envs=(DATABASE_URL="sqlite://$dir/portal.db" PORTAL_DATA_DIR="$dir" LEPTOS_SITE_ROOT="$(site_root)"
    LEPTOS_SITE_ADDR="127.0.0.1:$port" PORTAL_PAGE_CACHE_SECS=0 RUST_LOG=warn
    PORTAL_RATE_PAGE_PER_MIN=4000000000 PORTAL_RATE_API_PER_MIN=4000000000 MALLOC_ARENA_MAX=2)
  env "${envs[@]}" "$(server_bin)" seed --demo >/dev/null 2>&1
  if [ -n "$rows" ]; then
    log "growing the registry on :$port to $rows businesses"
    env "${envs[@]}" "$CARGO_TARGET_DIR/release/examples/grow_registry" "$rows"
  fi
  # Cold: the portal process starts after the data is written; nothing has been asked of it yet.
  env "${envs[@]}" "$(server_bin)" serve >"$dir/log" 2>&1 &
  PIDS+=($!)
  # Ready once its search index is built at start (no request has been answered yet: still cold).
  wait_http "http://127.0.0.1:$port/readyz" 180
}
start_portal 3911
[ -n "$ROWS" ] && start_portal 3912 "$ROWS"
wait_http "http://127.0.0.1:3910/" 30

to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
measure() { # measure NAME URL [extra wrk args...] -> "name rps p50 p99 non2xx"
  local name="$1" url="$2"; shift 2
  local out; out="$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$@" "$url")"
  printf '%s %s %s %s %s\n' "$name" "$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")" \
    "$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")" "$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")" \
    "$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$out" | grep . || echo 0)"
}

# Points spread over the city (district centres and streets), radii from a street to the whole 20 km.
cat >"$WORK/near.lua" <<'LUA'
local q = {
  "near=31.4600,104.6900&radius=500", "near=31.4650,104.6950&radius=2000", "near=31.4750,104.7700&radius=1000",
  "near=31.4350,104.6300", "near=31.5350,104.5650&radius=3000", "near=31.7800,104.7450&radius=2000",
  "near=31.4600,104.6900&radius=5000&page=2", "near=31.4150,104.7400&radius=1500&grade=B",
  "near=31.0950,105.0900&radius=2000", "near=31.4600,104.6900&radius=20000",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/businesses?" .. q[(i % #q) + 1])
end
LUA

log "measuring: ${DURATION}s per run, $CONNS connections"
RESULTS="$WORK/results"
{
  measure baseline_hello http://127.0.0.1:3910/
  measure near_44k_first_cold "http://127.0.0.1:3911/api/v1/businesses?near=31.46,104.69&radius=2000"
  measure near_44k_mix http://127.0.0.1:3911/ -s "$WORK/near.lua"
  measure near_44k_20km "http://127.0.0.1:3911/api/v1/businesses?near=31.46,104.69&radius=20000"
  measure search_44k_mifen "http://127.0.0.1:3911/api/v1/businesses?q=%E7%B1%B3%E7%B2%89"
  if [ -n "$ROWS" ]; then
    measure "near_${ROWS}_mix" http://127.0.0.1:3912/ -s "$WORK/near.lua"
    measure "near_${ROWS}_20km" "http://127.0.0.1:3912/api/v1/businesses?near=31.46,104.69&radius=20000"
  fi
} | tee "$RESULTS" >/dev/null

BASE="$(awk '$1 == "baseline_hello" { print $2 }' "$RESULTS")"
{
  echo "# nearme bench $(date -u +%Y-%m-%dT%H:%MZ), ${DURATION}s x ${CONNS} connections${ROWS:+, also $ROWS rows}"
  printf '%-24s %12s %9s %9s %9s %8s\n' case "req/s" ratio "p50 ms" "p99 ms" non2xx
  while read -r name rps p50 p99 errs; do
    printf '%-24s %12.0f %9.3f %9s %9s %8s\n' "$name" "$rps" "$(awk -v a="$rps" -v b="$BASE" 'BEGIN { print a / b }')" "$p50" "$p99" "$errs"
  done <"$RESULTS"
} | tee -a "$ROOT/bench/results-latest.txt"

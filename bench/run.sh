#!/usr/bin/env bash
# Benchmarks: a bare axum "hello" baseline and the portal, measured in the same run with wrk, printed as ratios to
# the baseline. Usage: bench/run.sh [seconds per run, default 10] [connections, default 64]
# Results of a run are appended to bench/results-latest.txt; bench/RESULTS.md records the figures we report.
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
DURATION="${1:-10}"
CONNS="${2:-64}"
command -v wrk >/dev/null 2>&1 || apt_install wrk
setup_rust
build_release
log "building the baseline (bench/hello)"
cargo build --release -p hello -q

WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$CARGO_TARGET_DIR/release/hello" 127.0.0.1:3900 &
PIDS+=($!)

start_portal() {
  # start_portal PORT CACHE_SECS
  local port="$1" cache="$2" dir="$WORK/p$1"
  mkdir -p "$dir"
  env DATABASE_URL="sqlite://$dir/portal.db" PORTAL_DATA_DIR="$dir" LEPTOS_SITE_ROOT="$(site_root)" \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" PORTAL_PAGE_CACHE_SECS="$cache" RUST_LOG=warn \
    PORTAL_RATE_PAGE_PER_MIN=4000000000 PORTAL_RATE_API_PER_MIN=4000000000 \
    "$(server_bin)" seed --demo >/dev/null 2>&1
  env DATABASE_URL="sqlite://$dir/portal.db" PORTAL_DATA_DIR="$dir" LEPTOS_SITE_ROOT="$(site_root)" \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" PORTAL_PAGE_CACHE_SECS="$cache" RUST_LOG=warn \
    PORTAL_RATE_PAGE_PER_MIN=4000000000 PORTAL_RATE_API_PER_MIN=4000000000 MALLOC_ARENA_MAX=2 \
    "$(server_bin)" serve >"$dir/log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/healthz" 30
}
start_portal 3901 5
start_portal 3902 0
wait_http "http://127.0.0.1:3900/" 30

to_ms() { # wrk latency like 1.23ms / 850.00us / 1.02s -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

measure() { # measure NAME URL [extra wrk args...] -> "rps p50 p99"
  local name="$1" url="$2"; shift 2
  local out; out="$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$@" "$url")"
  local rps p50 p99 errs
  rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
  p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
  errs="$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$out")"
  printf '%s %s %s %s %s\n' "$name" "$rps" "$p50" "$p99" "${errs:-0}"
}

# Credit codes to look up, rotated by a wrk script (each request a different business).
curl -fsS "http://127.0.0.1:3901/api/v1/downloads/businesses.json" |
  python3 -c 'import json,sys; print("\n".join(b["credit_code"] for b in json.load(sys.stdin)[::40]))' >"$WORK/codes.txt"
cat >"$WORK/codes.lua" <<LUA
local codes = {}
for line in io.lines("$WORK/codes.txt") do codes[#codes + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", PREFIX .. codes[(i % #codes) + 1] .. SUFFIX)
end
LUA
lookup_script() { # lookup_script PREFIX SUFFIX -> path
  local f="$WORK/lookup-$RANDOM.lua"
  { echo "PREFIX = \"$1\""; echo "SUFFIX = \"$2\""; cat "$WORK/codes.lua"; } >"$f"
  echo "$f"
}
API_LUA="$(lookup_script /api/v1/businesses/ "")"
# Every code of the registry (QR scans spread over the city: most miss the 5 s cache).
curl -fsS "http://127.0.0.1:3901/api/v1/downloads/businesses.json" |
  python3 -c 'import json,random,sys; c=[b["credit_code"] for b in json.load(sys.stdin)]; random.Random(7).shuffle(c); print("\n".join(c))' >"$WORK/all-codes.txt"
sed "s#$WORK/codes.txt#$WORK/all-codes.txt#" "$WORK/codes.lua" >"$WORK/all-codes.lua"
ALL_LUA="$WORK/lookup-all.lua"
{ echo 'PREFIX = "/api/v1/businesses/"'; echo 'SUFFIX = ""'; cat "$WORK/all-codes.lua"; } >"$ALL_LUA"
# A realistic search mix: common and rare terms, some with a district or grade filter, paged.
cat >"$WORK/search.lua" <<'LUA'
local q = {
  "q=%E7%B1%B3%E7%B2%89", "q=%E7%81%AB%E9%94%85", "q=%E8%B6%85%E5%B8%82", "q=%E9%A4%90%E5%8E%85",
  "q=%E7%83%A7%E7%83%A4&district=%E5%B9%B3%E6%AD%A6%E5%8E%BF", "q=%E9%9D%A2%E9%A6%86&district=%E6%B6%AA%E5%9F%8E%E5%8C%BA",
  "q=%E9%A5%AD%E5%BA%97&grade=C", "q=%E7%BB%B5%E9%98%B3", "q=%E5%B0%8F%E5%90%83&page=2", "q=%E8%8D%AF%E6%88%BF",
  "q=%E7%BE%8A%E8%82%89%E6%B1%A4", "q=%E4%BE%BF%E5%88%A9%E5%BA%97&district=%E5%8C%97%E5%B7%9D%E7%BE%8C%E6%97%8F%E8%87%AA%E6%B2%BB%E5%8E%BF",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/businesses?" .. q[(i % #q) + 1])
end
LUA
PAGE_LUA="$(lookup_script /credit/ "")"
log "$(wc -l <"$WORK/codes.txt") credit codes for the lookup runs"

log "measuring: ${DURATION}s per run, $CONNS connections, 2 wrk threads (server and wrk share the 2 cores)"
RESULTS="$WORK/results"
{
  measure baseline_hello http://127.0.0.1:3900/
  measure home_cached http://127.0.0.1:3901/
  measure home_cached_gzip http://127.0.0.1:3901/ -H "Accept-Encoding: gzip"
  measure home_cached_br http://127.0.0.1:3901/ -H "Accept-Encoding: br, gzip"
  measure home_uncached http://127.0.0.1:3902/
  measure healthz http://127.0.0.1:3901/healthz
  measure api_figures http://127.0.0.1:3901/api/v1/figures
  measure api_lookup_by_code http://127.0.0.1:3901/ -s "$API_LUA"
  measure api_lookup_all_codes http://127.0.0.1:3901/ -s "$ALL_LUA"
  measure credit_page_by_code http://127.0.0.1:3901/ -s "$PAGE_LUA"
  measure api_search_mifen "http://127.0.0.1:3901/api/v1/businesses?q=%E7%B1%B3%E7%B2%89"
  measure api_search_mix http://127.0.0.1:3901/ -s "$WORK/search.lua"
} | tee "$RESULTS" >/dev/null

BASE="$(awk '$1 == "baseline_hello" { print $2 }' "$RESULTS")"
{
  echo "# bench run $(date -u +%Y-%m-%dT%H:%MZ), ${DURATION}s x ${CONNS} connections"
  printf '%-20s %12s %9s %9s %9s %8s\n' case "req/s" ratio "p50 ms" "p99 ms" non2xx
  while read -r name rps p50 p99 errs; do
    printf '%-20s %12.0f %9.3f %9s %9s %8s\n' "$name" "$rps" "$(awk -v a="$rps" -v b="$BASE" 'BEGIN { print a / b }')" "$p50" "$p99" "$errs"
  done <"$RESULTS"
  echo "server RSS after the runs (cached instance): $(awk '/VmRSS/ { print $2 }' "/proc/${PIDS[1]}/status") kB"
} | tee -a "$ROOT/bench/results-latest.txt"

log "first-load bytes (as a phone fetches them: br/gzip), pages with and without an island"
python3 "$ROOT/bench/bytes.py" http://127.0.0.1:3901 / /credit "/credit/$(head -1 "$WORK/codes.txt")" |
  tee -a "$ROOT/bench/results-latest.txt"

#!/usr/bin/env bash
# Server memory under a long mixed load: the portal (release build, SQLite, 44 k demo businesses, default limits
# and caches) behind a "proxy" (PORTAL_TRUSTED_PROXIES=127.0.0.1) that forwards 200,000 distinct client
# addresses, so every rate limiter tracks up to 200 k keys. wrk sends a mix of home, business pages, API lookups
# over all codes, searches, statistics and news for SECONDS (default 300); the server's RSS is sampled every 15 s.
# Usage: bench/rss.sh [seconds, default 300] [connections, default 64]
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
DURATION="${1:-300}"
CONNS="${2:-64}"
command -v wrk >/dev/null 2>&1 || apt_install wrk
setup_rust
build_release

WORK="$(mktemp -d)"
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

run_env() {
  env DATABASE_URL="sqlite://$WORK/portal.db" PORTAL_DATA_DIR="$WORK" LEPTOS_SITE_ROOT="$(site_root)" \
    LEPTOS_SITE_ADDR="127.0.0.1:3911" PORTAL_TRUSTED_PROXIES=127.0.0.1 RUST_LOG=warn "$@"
}
run_env "$(server_bin)" seed --demo >/dev/null 2>&1
# `exec` so that $! is the server itself, not a subshell around it.
(exec env DATABASE_URL="sqlite://$WORK/portal.db" PORTAL_DATA_DIR="$WORK" LEPTOS_SITE_ROOT="$(site_root)" \
  LEPTOS_SITE_ADDR="127.0.0.1:3911" PORTAL_TRUSTED_PROXIES=127.0.0.1 RUST_LOG=warn \
  MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" "$(server_bin)" serve) >"$WORK/log" 2>&1 &
PID=$!
wait_http "http://127.0.0.1:3911/healthz" 30
rss() { awk '/VmRSS/ { print $2 }' "/proc/$PID/status"; }
START_RSS="$(rss)"

curl -fsS "http://127.0.0.1:3911/api/v1/downloads/businesses.json" |
  python3 -c 'import json,sys; print("\n".join(b["credit_code"] for b in json.load(sys.stdin)))' >"$WORK/codes.txt"
cat >"$WORK/mix.lua" <<LUA
local codes = {}
for line in io.lines("$WORK/codes.txt") do codes[#codes + 1] = line end
local searches = {
  "%E7%B1%B3%E7%B2%89", "%E7%81%AB%E9%94%85", "%E8%B6%85%E5%B8%82", "%E9%A4%90%E5%8E%85", "%E7%BB%B5%E9%98%B3",
  "%E7%83%A7%E7%83%A4&district=%E5%B9%B3%E6%AD%A6%E5%8E%BF", "%E9%9D%A2%E9%A6%86&page=2", "%E8%8D%AF%E6%88%BF",
}
local n = 0
function init(args)
  -- Each thread its own sequence (table addresses differ per thread's Lua state).
  math.randomseed(os.time() + tonumber(string.match(tostring({}), "0x(%x+)") or "0", 16) % 1000003)
end
request = function()
  n = n + 1
  -- One of 200,000 client addresses (10.0.0.0/8), as a proxy would forward them.
  local k = math.random(0, 199999)
  local ip = string.format("10.%d.%d.%d", math.floor(k / 65536), math.floor(k / 256) % 256, k % 256)
  local code = codes[math.random(#codes)]
  local r = n % 10
  local path
  if r < 3 then path = "/api/v1/businesses/" .. code
  elseif r < 6 then path = "/credit/" .. code
  elseif r == 6 then path = "/"
  elseif r == 7 then path = "/api/v1/businesses?q=" .. searches[math.random(#searches)]
  elseif r == 8 then path = "/stats"
  else path = "/news" end
  return wrk.format("GET", path, { ["X-Forwarded-For"] = ip, ["Accept-Encoding"] = "br, gzip" })
end
LUA

log "mixed load for ${DURATION}s, $CONNS connections, 200,000 client addresses; RSS every 15 s"
wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$WORK/mix.lua" http://127.0.0.1:3911/ >"$WORK/wrk.txt" &
WRK=$!
PEAK="$START_RSS"
SAMPLES=""
while kill -0 "$WRK" 2>/dev/null; do
  sleep 15
  R="$(rss)"
  [ "$R" -gt "$PEAK" ] && PEAK="$R"
  SAMPLES="$SAMPLES $((R / 1024))"
done
wait "$WRK" || true
END_RSS="$(rss)"
{
  echo "# rss run $(date -u +%Y-%m-%dT%H:%MZ), ${DURATION}s x ${CONNS} connections, 200k client addresses"
  grep -E "Requests/sec|Non-2xx|Socket errors" "$WORK/wrk.txt" || true
  awk '$1 == "50%" || $1 == "99%" { print "latency", $1, $2 }' "$WORK/wrk.txt"
  echo "RSS MB every 15 s:$SAMPLES"
  echo "RSS start $((START_RSS / 1024)) MB, peak $((PEAK / 1024)) MB, end $((END_RSS / 1024)) MB"
} | tee -a "$ROOT/bench/results-latest.txt"

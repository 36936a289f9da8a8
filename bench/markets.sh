#!/usr/bin/env bash
# 一码通 (#22): the stall page (/m/{code}, what a QR scan opens) against the bare axum "hello" baseline, cold over
# every stall of the demo (a fresh portal, the page cache off, each request another stall), and a city's day of
# rapid tests (20,000 rows) ingested through the signed batch API on SQLite with synchronous = FULL.
# Usage: bench/markets.sh [seconds per run, default 10] [connections, default 64]
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
DURATION="${1:-10}"
CONNS="${2:-64}"
ROWS="${MARKETS_ROWS:-20000}"
command -v wrk >/dev/null 2>&1 || apt_install wrk
setup_rust
build_release
cargo build --release -p hello -q

WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$CARGO_TARGET_DIR/release/hello" 127.0.0.1:3920 &
PIDS+=($!)

PORT=3921
DIR="$WORK/p"
mkdir -p "$DIR"
export PORTAL_DEMO_PASSWORD="${PORTAL_DEMO_PASSWORD:-mianyang-demo-2026}"
ENVS=(DATABASE_URL="sqlite://$DIR/portal.db" PORTAL_DATA_DIR="$DIR" LEPTOS_SITE_ROOT="$(site_root)"
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" PORTAL_PAGE_CACHE_SECS=0 RUST_LOG=warn MALLOC_ARENA_MAX=2
  PORTAL_RATE_PAGE_PER_MIN=4000000000 PORTAL_RATE_API_PER_MIN=4000000000 PORTAL_RATE_WRITE_PER_MIN=4000000000
  PORTAL_RATE_LOGIN_PER_MIN=1000)
env "${ENVS[@]}" "$(server_bin)" seed --demo >/dev/null 2>&1
# Cold: the portal process starts after the data is written; nothing has been asked of it yet.
env "${ENVS[@]}" "$(server_bin)" serve >"$DIR/log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$PORT/healthz" 60
wait_http "http://127.0.0.1:3920/" 30
BASE_URL="http://127.0.0.1:$PORT"

# Every stall's code, shuffled (scans spread over every market and stall).
python3 - "$BASE_URL" >"$WORK/stalls.txt" <<'PY'
import json, random, sys, urllib.request
base = sys.argv[1]
get = lambda p: json.load(urllib.request.urlopen(base + p))
codes = [s["code"] for m in get("/api/v1/markets") for s in get(f"/api/v1/markets/{m['id']}")["stalls"]]
random.Random(22).shuffle(codes)
print("\n".join(codes))
PY
cat >"$WORK/stalls.lua" <<LUA
local codes = {}
for line in io.lines("$WORK/stalls.txt") do codes[#codes + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/m/" .. codes[(i % #codes) + 1])
end
LUA

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

log "measuring: ${DURATION}s per run, $CONNS connections"
RESULTS="$WORK/results"
{
  measure baseline_hello http://127.0.0.1:3920/
  measure stall_page_cold_all "$BASE_URL/" -s "$WORK/stalls.lua"
  measure stall_api_one "$BASE_URL/api/v1/stalls/$(head -1 "$WORK/stalls.txt")"
} | tee "$RESULTS" >/dev/null

# A city's day of rapid tests through the API: a key per market issued on the console (as the demo admin),
# then one signed batch per market of its share of the rows, timed from the first request to the last answer.
log "ingesting $ROWS rapid tests through POST /api/v1/markets/{id}/batches (SQLite, synchronous = FULL)"
INGEST="$(python3 - "$BASE_URL" "$ROWS" "$PORTAL_DEMO_PASSWORD" <<'PY'
import hashlib, hmac, http.cookiejar, json, sys, time, urllib.parse, urllib.request
base, rows, password = sys.argv[1], int(sys.argv[2]), sys.argv[3]
jar = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None
staff = urllib.request.build_opener(jar, NoRedirect())
form = urllib.parse.urlencode({"username": "demo_admin", "password": password}).encode()
try:
    staff.open(base + "/staff/login", form)
except urllib.error.HTTPError as e:
    if e.code not in (200, 303):
        raise
get = lambda p: json.load(urllib.request.urlopen(base + p))
markets = get("/api/v1/markets")
batches = []
per_market = -(-rows // len(markets))
now = int(time.time())
local = lambda t: time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t + 8 * 3600))
for m in markets:
    key = json.load(staff.open(urllib.request.Request(base + f"/staff/markets/{m['id']}/keys", data=b"", method="POST")))
    stalls = [s["code"] for s in get(f"/api/v1/markets/{m['id']}")["stalls"]]
    n = min(per_market, rows - per_market * len(batches))
    tests = [{"test_no": f"bench-{now}-{m['id']}-{i}", "stall": stalls[i % len(stalls)], "sample": "小白菜",
              "item": "有机磷和氨基甲酸酯类农药", "method": "酶抑制率法", "result": "不合格" if i % 100 == 0 else "合格",
              "tested_at": local(now - 3600 + i % 3000), "tester": "王敏"} for i in range(n)]
    for part in range(0, n, 5000):
        body = json.dumps({"batch_id": f"bench-{now}-{m['id']}-{part}", "rapid_tests": tests[part:part + 5000]},
                          ensure_ascii=False).encode()
        batches.append((m["id"], key, body))
start = time.monotonic()
stored = 0
for market, key, body in batches:
    t = int(time.time())
    sig = hmac.new(key["secret"].encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(base + f"/api/v1/markets/{market}/batches", data=body, method="POST",
        headers={"content-type": "application/json", "x-market-key": key["key_id"],
                 "x-market-signature": f"t={t},v1={sig}"})
    stored += json.load(urllib.request.urlopen(req))["tests_added"]
elapsed = time.monotonic() - start
print(f"ingest_{rows}_rows {stored} {elapsed:.2f} {len(batches)}")
PY
)"

BASE="$(awk '$1 == "baseline_hello" { print $2 }' "$RESULTS")"
{
  echo "# markets bench $(date -u +%Y-%m-%dT%H:%MZ), ${DURATION}s x ${CONNS} connections"
  printf '%-24s %12s %9s %9s %9s %8s\n' case "req/s" ratio "p50 ms" "p99 ms" non2xx
  while read -r name rps p50 p99 errs; do
    printf '%-24s %12.0f %9.3f %9s %9s %8s\n' "$name" "$rps" "$(awk -v a="$rps" -v b="$BASE" 'BEGIN { print a / b }')" "$p50" "$p99" "$errs"
  done <"$RESULTS"
  read -r name stored secs batches <<<"$INGEST"
  printf '%-24s %s rows stored in %s s (%s signed batches; target: under 10 s)\n' "$name" "$stored" "$secs" "$batches"
} | tee -a "$ROOT/bench/results-latest.txt"

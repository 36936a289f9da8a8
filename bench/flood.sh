#!/usr/bin/env bash
# Flood: one client address at full speed (wrk from 127.0.0.1) while a second one (127.0.0.2) browses. Reports
# how the flooder is refused (429 with Retry-After) and the browsing client's latency unloaded and under the
# flood, as a ratio. Then 10,000 requests with forged X-Forwarded-For values straight to the app: the limiter
# must keep one key. Usage: bench/flood.sh [seconds, default 10]   Results: bench/RESULTS.md ("Flood").
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
SECS="${1:-10}"
command -v wrk >/dev/null 2>&1 || apt_install wrk
[ -x "$(server_bin)" ] || { setup_rust; build_release; }
DIR="$(mktemp -d)"; PORT=3905
export DATABASE_URL="sqlite://$DIR/portal.db" PORTAL_DATA_DIR="$DIR" LEPTOS_SITE_ROOT="$(site_root)" RUST_LOG=warn
export LEPTOS_SITE_ADDR="127.0.0.1:$PORT"
"$(server_bin)" seed --demo >/dev/null
"$(server_bin)" serve >"$DIR/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
wait_http "http://127.0.0.1:$PORT/healthz" 30
CODE="$(curl -fsS "http://127.0.0.1:$PORT/api/v1/businesses?q=%E7%B1%B3%E7%B2%89&per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["credit_code"])')"

browse() { # browse SECONDS -> "n p50 p99" of a browsing client at 127.0.0.2 (pages and an API read in turn)
  python3 - "$PORT" "$CODE" "$1" <<'PY'
import http.client, sys, time
port, code, secs = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
paths = ["/", f"/credit/{code}", "/credit?q=%E7%B1%B3%E7%B2%89", f"/api/v1/businesses/{code}"]
lat, bad, end, i = [], 0, time.time() + secs, 0
while time.time() < end:
    c = http.client.HTTPConnection("127.0.0.1", port, source_address=("127.0.0.2", 0), timeout=10)
    t = time.perf_counter()
    c.request("GET", paths[i % len(paths)]); r = c.getresponse(); r.read()
    lat.append((time.perf_counter() - t) * 1000); bad += r.status != 200; i += 1
    c.close()
    time.sleep(0.02)
lat.sort()
print(len(lat), f"{lat[len(lat)//2]:.2f}", f"{lat[int(len(lat)*0.99)-1]:.2f}", bad)
PY
}

log "unloaded: the browsing client alone for ${SECS}s"
read -r N0 P50_0 P99_0 BAD0 <<<"$(browse "$SECS")"
log "flood: wrk from 127.0.0.1 at full speed on /api/v1/figures while the client browses"
wrk -t1 -c32 -d"$((SECS + 2))s" "http://127.0.0.1:$PORT/api/v1/figures" >"$DIR/wrk.txt" 2>&1 &
WRK=$!
sleep 1
read -r N1 P50_1 P99_1 BAD1 <<<"$(browse "$SECS")"
wait $WRK
FLOOD_RPS="$(awk '/^Requests\/sec:/ { print $2 }' "$DIR/wrk.txt")"
FLOOD_NON2XX="$(awk '/Non-2xx or 3xx responses:/ { print $5 }' "$DIR/wrk.txt")"
RETRY="$(curl -s -o /dev/null -D - "http://127.0.0.1:$PORT/api/v1/figures" | awk -F': ' 'tolower($1) == "retry-after" { print $2 }' | tr -d '\r')"
log "10,000 forged X-Forwarded-For values from one peer"
python3 - "$PORT" <<'PY'
import http.client, sys
port = int(sys.argv[1]); ok = refused = 0
c = http.client.HTTPConnection("127.0.0.1", port, source_address=("127.0.0.3", 0))
for i in range(10_000):
    c.request("GET", "/healthz" if i % 1000 == 999 else "/api/v1/figures", headers={"X-Forwarded-For": f"{1 + i % 223}.{i // 223 % 256}.{i % 256}.9"})
    r = c.getresponse(); r.read()
    ok += r.status == 200; refused += r.status == 429
print(f"forged: 200={ok} 429={refused}")
PY
RSS="$(awk '/VmRSS/ { print $2 }' /proc/$PID/status)"
{
  echo "# flood run $(date -u +%Y-%m-%dT%H:%MZ), ${SECS}s"
  echo "flooder (127.0.0.1, wrk -c32): ${FLOOD_RPS} req/s, non-2xx ${FLOOD_NON2XX:-0}, Retry-After ${RETRY:-?} s"
  echo "browser (127.0.0.2) unloaded: n=$N0 p50 ${P50_0} ms p99 ${P99_0} ms non-200 $BAD0"
  echo "browser (127.0.0.2) flooded:  n=$N1 p50 ${P50_1} ms p99 ${P99_1} ms non-200 $BAD1"
  echo "p99 ratio flooded/unloaded: $(awk -v a="$P99_1" -v b="$P99_0" 'BEGIN { printf "%.2f", a / b }')"
  echo "server RSS after: ${RSS} kB"
} | tee -a "$ROOT/bench/results-latest.txt"

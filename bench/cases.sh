#!/usr/bin/env bash
# Cases filed per second over HTTP, each with one photo (multipart; SQLite with synchronous=FULL, and
# PostgreSQL), then GET /api/v1/complaints/{tracking_no} with its access code under load; ratios to a bare axum
# hello in the same run; tracking rotates over 1,000 distinct cases. Starts cold on fresh databases. Usage: bench/cases.sh [seconds, default 10]
# [connections, default 64]. Results: bench/RESULTS.md ("Cases").
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
SECS="${1:-10}"
CONNS="${2:-64}"
command -v wrk >/dev/null 2>&1 || apt_install wrk
[ -x "$(server_bin)" ] || { setup_rust; build_release; }
[ -x "$CARGO_TARGET_DIR/release/hello" ] || cargo build --release -p hello -q
ensure_postgres
PG_ADMIN="${PORTAL_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
PG_DB="bench_cases_$$"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
"$CARGO_TARGET_DIR/release/hello" 127.0.0.1:3920 &
PIDS+=($!)
wait_http "http://127.0.0.1:3920/" 30

serve() { # serve PORT DATABASE_URL (no demo data: an empty portal takes the cases)
  local port="$1" url="$2" dir="$WORK/p$1"
  mkdir -p "$dir"
  env DATABASE_URL="$url" PORTAL_DATA_DIR="$dir" LEPTOS_SITE_ROOT="$(site_root)" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    RUST_LOG=warn PORTAL_RATE_WRITE_PER_MIN=4000000000 PORTAL_RATE_API_PER_MIN=4000000000 \
    "$(server_bin)" serve >"$dir/log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/healthz" 60
}

# One multipart body with a small PNG, written once; wrk sends it as is.
python3 - "$WORK" <<'PY'
import base64, sys
png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==")
b = "----benchboundary"
parts = []
for k, v in [("kind", "举报"), ("business_name", "某某烧烤店"), ("category", "卫生状况"),
             ("description", "后厨老鼠出没，餐具未消毒。"), ("reporter_name", "测试"), ("reporter_phone", "13800001234")]:
    parts.append(f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
parts.append(f'--{b}\r\nContent-Disposition: form-data; name="photos"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n'.encode() + png + b"\r\n")
parts.append(f"--{b}--\r\n".encode())
open(sys.argv[1] + "/body.bin", "wb").write(b"".join(parts))
PY
cat >"$WORK/file.lua" <<LUA
local f = io.open("$WORK/body.bin", "rb")
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=----benchboundary"
LUA

measure() { # measure NAME URL [wrk args] -> "name rps p50 p99 requests non2xx"
  local name="$1" url="$2"; shift 2
  local out; out="$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$@" "$url")"
  echo "$name $(awk '/^Requests\/sec:/ { print $2 }' <<<"$out") $(awk '$1 == "50%" { print $2 }' <<<"$out") \
$(awk '$1 == "99%" { print $2 }' <<<"$out") $(awk '/requests in/ { print $1 }' <<<"$out") \
$(awk '/Non-2xx or 3xx responses:/ { print $5 } END { }' <<<"$out" | grep . || echo 0)"
}

run_engine() { # run_engine NAME PORT
  local name="$1" base="http://127.0.0.1:$2"
  measure "cases_file_$name" "$base/api/v1/complaints" -s "$WORK/file.lua"
  # Tracking rotates over 1,000 cases (their numbers and codes), each request another case.
  python3 - "$2" "$WORK/body.bin" "$WORK/track_$name.lua" <<'PY'
import http.client, json, sys
port, body, out = int(sys.argv[1]), open(sys.argv[2], "rb").read(), sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port)
rows = []
for _ in range(1000):
    c.request("POST", "/api/v1/complaints", body, {"Content-Type": "multipart/form-data; boundary=----benchboundary"})
    r = json.loads(c.getresponse().read())
    rows.append('{"%s","%s"}' % (r["tracking_no"], r["access_code"]))
open(out, "w").write("local cases = {" + ",".join(rows) + "}\nlocal i = 0\nrequest = function()\n  i = i + 1\n"
    "  local c = cases[(i % #cases) + 1]\n  return wrk.format(\"GET\", \"/api/v1/complaints/\" .. c[1], { [\"X-Access-Code\"] = c[2] })\nend\n")
PY
  measure "cases_track_$name" "$base/" -s "$WORK/track_$name.lua"
}

log "SQLite portal (fresh, empty)"
serve 3921 "sqlite://$WORK/sqlite/portal.db"
log "PostgreSQL portal (fresh database $PG_DB)"
psql -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null
serve 3922 "${PG_ADMIN%/*}/$PG_DB"
log "measuring: ${SECS}s per run, $CONNS connections"
RESULTS="$WORK/results"
{
  measure baseline_hello http://127.0.0.1:3920/
  run_engine sqlite_full 3921
  run_engine postgres 3922
} >"$RESULTS"
BASE="$(awk '$1 == "baseline_hello" { print $2 }' "$RESULTS")"
{
  echo "# cases run $(date -u +%Y-%m-%dT%H:%MZ), ${SECS}s x ${CONNS} connections, one 2x2 PNG per case"
  printf '%-24s %10s %8s %9s %9s %10s %8s\n' case "req/s" ratio p50 p99 requests non2xx
  while read -r name rps p50 p99 total errs; do
    printf '%-24s %10.0f %8.3f %9s %9s %10s %8s\n' "$name" "$rps" "$(awk -v a="$rps" -v b="$BASE" 'BEGIN { print a / b }')" "$p50" "$p99" "$total" "$errs"
  done <"$RESULTS"
} | tee -a "$ROOT/bench/results-latest.txt"

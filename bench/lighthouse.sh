#!/usr/bin/env bash
# Lighthouse (npm package `lighthouse`, mobile profile with its simulated slow 4G) on the home page of the
# release build with the demo data, in Debian's Chromium: the four category scores, the bytes a first visit
# transfers, and the JS + WASM part of them. Cold: a fresh database and server, no warm-up request.
# Usage: bench/lighthouse.sh [path]   (default /)
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
setup_rust
setup_browser
[ -x "$(server_bin)" ] || build_release
LH="$CACHE/tools/lighthouse"
if [ ! -x "$LH/node_modules/.bin/lighthouse" ]; then
  log "installing lighthouse (npm, once)"
  mkdir -p "$LH"
  (cd "$LH" && npm init -y >/dev/null && npm install --no-audit --no-fund lighthouse@12 >/dev/null)
fi
DIR="$(mktemp -d)"
PORT="${LH_PORT:-3199}"
export DATABASE_URL="sqlite://$DIR/portal.db" PORTAL_DATA_DIR="$DIR" LEPTOS_SITE_ROOT="$(site_root)"
export LEPTOS_SITE_ADDR="127.0.0.1:$PORT" PORTAL_DEMO_PASSWORD="mianyang-demo-2026"
"$(server_bin)" seed --demo >/dev/null
"$(server_bin)" serve >"$DIR/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
wait_http "http://127.0.0.1:$PORT/healthz" 30
CHROME_PATH=/usr/bin/chromium "$LH/node_modules/.bin/lighthouse" "http://127.0.0.1:$PORT${1:-/}" \
  --output=json --output-path="$DIR/lh.json" --quiet \
  --only-categories=performance,accessibility,best-practices,seo \
  --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
node -e '
const r = require(process.argv[1]);
const c = r.categories, a = r.audits;
const items = a["network-requests"].details.items;
const kb = (n) => (n / 1024).toFixed(1) + " KB";
const total = items.reduce((s, i) => s + (i.transferSize || 0), 0);
const code = items.filter((i) => i.resourceType === "Script" || /\.wasm$/.test(i.url)).reduce((s, i) => s + (i.transferSize || 0), 0);
console.log(`| ${r.finalDisplayedUrl.replace(/^http:\/\/[^/]+/, "")} | ${Math.round(c.performance.score * 100)} | ${Math.round(c.accessibility.score * 100)} | ${Math.round(c["best-practices"].score * 100)} | ${Math.round(c.seo.score * 100)} | ${kb(total)} | ${kb(code)} | ${a["first-contentful-paint"].displayValue} | ${a["largest-contentful-paint"].displayValue} |`);
for (const id of ["performance", "accessibility", "best-practices", "seo"]) {
  for (const ref of c[id].auditRefs) {
    const au = a[ref.id];
    if (ref.weight > 0 && au.score !== null && au.score < 0.9) console.log(`  ${id}: ${ref.id} ${au.score} ${au.displayValue || ""}`);
  }
}
' "$DIR/lh.json"

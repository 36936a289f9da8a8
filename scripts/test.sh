#!/usr/bin/env bash
# Runs every test: unit, storage (SQLite and PostgreSQL), HTTP, and Playwright in Chromium against the release
# build (each spec hydrated and with JavaScript off). Installs what it needs the first time.
# Usage: scripts/test.sh [--strict]   (--strict: formatting is checked, warnings are errors, clippy runs on both sides)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
STRICT=0
for a in "$@"; do [ "$a" = "--strict" ] && STRICT=1; done

setup_rust
setup_browser
ensure_postgres || { echo "PostgreSQL at 127.0.0.1:5432 is required for the storage tests" >&2; exit 1; }
# Drop test databases left behind by interrupted runs.
psql -h 127.0.0.1 -U postgres -d test -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'portal_test_%'" 2>/dev/null |
  while read -r db; do psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true; done

if [ "$STRICT" = 1 ]; then
  log "formatting (cargo fmt --check, rustfmt.toml)"
  cargo fmt --all --check
  log "clippy (server side, ssr)"
  cargo clippy --all-targets -- -D warnings
  log "clippy (browser side, hydrate, wasm32)"
  cargo clippy -p frontend --features hydrate --target wasm32-unknown-unknown -- -D warnings
fi

LOGS="$(mktemp -d)"
log "unit, storage and HTTP tests (SQLite and PostgreSQL)"
# cargo-nextest (on the build machines) runs each test in a process of its own, six at a time: the HTTP tests spend
# most of their time waiting on databases, polls and sockets, not on the two cores, so this halves the suite's
# wall time; and one app per process keeps Leptos' renderers in one runtime each (see server/tests/http/common.rs).
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --lib --bins --tests --no-fail-fast --test-threads "${TEST_THREADS:-6}" 2>&1 | tee "$LOGS/cargo.txt"
else
  cargo test --lib --bins --tests 2>&1 | tee "$LOGS/cargo.txt"
fi

build_release

log "end-to-end tests (Playwright, Chromium; hydrated and without JavaScript)"
E2E_DIR="$(mktemp -d)"
PORT="${E2E_PORT:-3099}"
export DATABASE_URL="sqlite://$E2E_DIR/portal.db" PORTAL_DATA_DIR="$E2E_DIR" LEPTOS_SITE_ROOT="$(site_root)"
export LEPTOS_SITE_ADDR="127.0.0.1:$PORT" PORTAL_RATE_PAGE_PER_MIN=6000 PORTAL_RATE_WRITE_PER_MIN=600
export PORTAL_RATE_LOGIN_PER_MIN=100 PORTAL_DEMO_PASSWORD="mianyang-demo-2026"
# Every browser test speaks from 127.0.0.1: the per-network bounds of a city's worth of users, not a campus's.
export PORTAL_BOUND_CASES=1000/min,10000/day PORTAL_BOUND_DRAFTS=1000/min,10000/day PORTAL_NEW_DEVICES_PER_NETWORK_HOUR=10000
export PORTAL_BOUND_NOMINATIONS=1000/min,10000/day PORTAL_BOUND_BALLOTS=10000/min,100000/day
"$(server_bin)" seed --demo
"$(server_bin)" serve >"$E2E_DIR/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true; wait $SERVER_PID 2>/dev/null || true; rm -rf "$E2E_DIR" "$LOGS"' EXIT
wait_http "http://127.0.0.1:$PORT/healthz" 30 || { cat "$E2E_DIR/server.log"; exit 1; }
if ! (cd end2end && BASE_URL="http://127.0.0.1:$PORT" npx playwright test) 2>&1 | tee "$LOGS/e2e.txt"; then
  tail -50 "$E2E_DIR/server.log"
  exit 1
fi
log "API fuzzing smoke (schemathesis from the OpenAPI document; the long run is scripts/fuzz.sh)"
kill $SERVER_PID 2>/dev/null || true
bash "$ROOT/scripts/fuzz.sh" "${FUZZ_EXAMPLES:-40}" 2>&1 | grep -v "slow statement" | tee "$LOGS/fuzz.txt" | tail -12
FUZZ_CASES="$(awk '/generated,/ { print $1 }' "$LOGS/fuzz.txt" | tail -1)"
log "Open311 through an existing client library (georeport from PyPI, unchanged)"
bash "$ROOT/scripts/open311.sh" 2>&1 | tee "$LOGS/open311.txt" | tail -3
OPEN311_PASSED="$(awk '$2 == "passed," { print $1 }' "$LOGS/open311.txt" | tail -1)"
OPEN311_FAILED="$(awk '$2 == "passed," { print $3 }' "$LOGS/open311.txt" | tail -1)"

# Either cargo test's "test result: ok. N passed; M failed" lines or nextest's "Summary [...] T tests run: N passed, M failed".
RUST_PASSED="$(awk '/^test result:/ { s += $4 } /Summary \[/ { for (i = 1; i <= NF; i++) if ($i ~ /^passed/) s += $(i - 1) } END { print s + 0 }' "$LOGS/cargo.txt")"
RUST_FAILED="$(awk '/^test result:/ { s += $6 } /Summary \[/ { for (i = 1; i <= NF; i++) if ($i ~ /^failed/) s += $(i - 1) } END { print s + 0 }' "$LOGS/cargo.txt")"
E2E_PASSED="$(awk '$2 == "passed" && $1 ~ /^[0-9]+$/ { print $1 }' "$LOGS/e2e.txt" | tail -1)"
E2E_FAILED="$(awk '$2 == "failed" && $1 ~ /^[0-9]+$/ { print $1 }' "$LOGS/e2e.txt" | tail -1)"

log "Rust: $RUST_PASSED passed, $RUST_FAILED failed; browser: ${E2E_PASSED:-0} passed, ${E2E_FAILED:-0} failed; API fuzzing: ${FUZZ_CASES:-0} cases; Open311 client: ${OPEN311_PASSED:-0} passed, ${OPEN311_FAILED:-0} failed"
echo "total: $((RUST_PASSED + ${E2E_PASSED:-0} + ${OPEN311_PASSED:-0})) passed, $((RUST_FAILED + ${E2E_FAILED:-0} + ${OPEN311_FAILED:-0})) failed"

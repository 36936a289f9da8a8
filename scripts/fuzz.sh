#!/usr/bin/env bash
# API fuzzing with schemathesis (PyPI) from the portal's own OpenAPI document: every operation, every check
# (no 5xx, responses match the schema, invalid input refused, valid input accepted). Installs what it needs.
# Usage: scripts/fuzz.sh [max examples per operation, default 300]   (scripts/test.sh runs a short one)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
EXAMPLES="${1:-300}"
SCHEMATHESIS_VERSION=4.32.5
VENV="$TOOLS/venv"
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  log "installing schemathesis $SCHEMATHESIS_VERSION (PyPI, into $VENV)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi
[ -x "$(server_bin)" ] || { setup_rust; build_release; }
DIR="$(mktemp -d)"; PORT="${FUZZ_PORT:-3097}"
export DATABASE_URL="sqlite://$DIR/portal.db" PORTAL_DATA_DIR="$DIR" LEPTOS_SITE_ROOT="$(site_root)" RUST_LOG=warn
export LEPTOS_SITE_ADDR="127.0.0.1:$PORT" PORTAL_RATE_API_PER_MIN=1000000 PORTAL_RATE_WRITE_PER_MIN=1000000
export PORTAL_RATE_PAGE_PER_MIN=1000000 PORTAL_RATE_DOWNLOAD_PER_MIN=1000000 PORTAL_RATE_VOTE_PER_MIN=1000000
# The fuzzer is one client: bounds per network would answer most writes 429 before their validation is explored.
export PORTAL_BOUND_CASES=1000000/min,1000000/day PORTAL_BOUND_NOMINATIONS=1000000/min,1000000/day
export PORTAL_BOUND_REPLIES=1000000/min,1000000/day PORTAL_BOUND_BALLOTS=1000000/min,1000000/day
export PORTAL_BOUND_OBJECTIONS=1000000/min,1000000/day
export PORTAL_BOUND_SMS=1000000/min,1000000/day PORTAL_NEW_DEVICES_PER_NETWORK_HOUR=1000000
"$(server_bin)" seed --demo >/dev/null
"$(server_bin)" serve >"$DIR/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
wait_http "http://127.0.0.1:$PORT/healthz" 30
log "schemathesis: $EXAMPLES examples per operation, every check (scripts/fuzz/schemathesis.toml)"
# From the temporary folder: schemathesis keeps a cache in the working directory.
(cd "$DIR" && "$VENV/bin/schemathesis" --config-file "$ROOT/scripts/fuzz/schemathesis.toml" run \
  "http://127.0.0.1:$PORT/api/v1/openapi.json" --max-examples "$EXAMPLES" --workers 2 --no-color \
  --seed 20261129) || { tail -20 "$DIR/server.log"; exit 1; }
if grep -q "panicked" "$DIR/server.log"; then
  echo "the server panicked during fuzzing:" >&2; grep -A5 panicked "$DIR/server.log" >&2; exit 1
fi

#!/usr/bin/env bash
# Open311 GeoReport v2 through an existing client library, unchanged: `georeport` from PyPI (installed once into
# the tools cache), against the release server on a demo database with a partner key issued by the CLI.
# Usage: scripts/open311.sh   (scripts/test.sh runs it after the fuzzing smoke)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
GEOREPORT_VERSION=0.3.1
VENV="$TOOLS/open311-venv"
if ! "$VENV/bin/python" -c "import importlib.metadata as m; assert m.version('georeport') == '$GEOREPORT_VERSION'" 2>/dev/null; then
  log "installing georeport $GEOREPORT_VERSION (PyPI, into $VENV)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "georeport==$GEOREPORT_VERSION"
fi
SERVER="${OPEN311_SERVER:-$(server_bin)}"
[ -x "$SERVER" ] || { setup_rust; build_release; }
DIR="$(mktemp -d)"; PORT="${OPEN311_PORT:-3096}"
export DATABASE_URL="sqlite://$DIR/portal.db" PORTAL_DATA_DIR="$DIR" LEPTOS_SITE_ROOT="$(site_root)" RUST_LOG=warn
export LEPTOS_SITE_ADDR="127.0.0.1:$PORT"
"$SERVER" seed --demo >/dev/null
KEY="$("$SERVER" partner add --name "client-library-test" | tail -1)"
"$SERVER" serve >"$DIR/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
wait_http "http://127.0.0.1:$PORT/healthz" 30
log "Open311 GeoReport v2 through the georeport client library"
"$VENV/bin/python" "$ROOT/scripts/open311/client_test.py" "http://127.0.0.1:$PORT/open311/v2" "$KEY" \
  || { tail -20 "$DIR/server.log"; exit 1; }

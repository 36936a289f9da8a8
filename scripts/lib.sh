# Shared set-up for scripts/portal.sh, scripts/test.sh and bench/run.sh. Every step is idempotent and skipped
# when the right version is already present; nothing is downloaded outside the package registries.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${PORTAL_CACHE_DIR:-$HOME/.cache/shian-mianyang}"
TOOLS="$CACHE/tools"
# A build cache outside the clone keeps warm CI runs short.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
export PATH="$TOOLS/node/bin:$HOME/.cargo/bin:$PATH"
CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132.0.0

log() { printf '\033[1;32m==>\033[0m %s\n' "$*" >&2; }

apt_install() {
  # apt_install PACKAGE... : install Debian packages that are missing.
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (apt)"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

setup_rust() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "installing cargo-leptos $CARGO_LEPTOS_VERSION (once per machine, ~30 min on 2 cores)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
  local wb; wb="$(wasm_bindgen_version)"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb\$"; then
    log "installing wasm-bindgen-cli $wb (must equal Cargo.lock)"
    cargo install wasm-bindgen-cli --version "$wb" --locked || cargo install wasm-bindgen-cli --version "$wb" --force
  fi
  # Debian's binaryen (108) emits broken modules: use the npm build in our own prefix, first on PATH.
  if ! "$TOOLS/node/bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
    log "installing wasm-opt (binaryen $BINARYEN_VERSION, npm)"
    mkdir -p "$TOOLS/node"
    npm install -g --prefix "$TOOLS/node" --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >/dev/null
  fi
}

setup_browser() {
  command -v chromium >/dev/null 2>&1 || apt_install chromium
  if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ]; then
    log "installing end-to-end packages (npm ci)"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null)
  fi
}

build_release() {
  log "building the portal (cargo leptos build --release)"
  (cd "$ROOT" && cargo leptos build --release)
}

server_bin() { echo "$CARGO_TARGET_DIR/release/server"; }
site_root() { echo "$ROOT/target/site"; }

ensure_postgres() {
  # The machine starts PostgreSQL; start it again if it stopped.
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null 2>&1; then
      log "starting PostgreSQL"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
      sleep 2
    fi
  fi
  pg_isready -q -h 127.0.0.1 -p 5432
}

wait_http() {
  # wait_http URL SECONDS
  local url="$1" secs="${2:-30}"
  for _ in $(seq 1 $((secs * 10))); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for $url" >&2
  return 1
}

#!/usr/bin/env bash
# Starts the portal on embedded SQLite with the demo data loaded. Installs what it needs the first time.
# Usage: scripts/portal.sh            (http://127.0.0.1:3000; override with LEPTOS_SITE_ADDR)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
setup_rust
build_release
export DATABASE_URL="${DATABASE_URL:-sqlite://data/portal.db}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$(site_root)}"
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
log "loading the demo data"
"$(server_bin)" seed --demo
cat >&2 <<MSG

  食安绵阳 portal: http://$LEPTOS_SITE_ADDR/
  Staff console:   http://$LEPTOS_SITE_ADDR/staff
  Demo staff login (demo data only):
      demo_admin / mianyang-demo-2026      (admin)
      demo_moderator / mianyang-demo-2026  (moderator)
      demo_viewer / mianyang-demo-2026     (viewer)

MSG
exec "$(server_bin)" serve

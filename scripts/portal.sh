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
# A fresh random password for the demo accounts on every start (or PORTAL_DEMO_PASSWORD when set).
PASSWORD_LINE="$("$(server_bin)" seed --demo | grep 'demo staff password' || true)"
PASSWORD="${PORTAL_DEMO_PASSWORD:-${PASSWORD_LINE##*: }}"
cat >&2 <<MSG

  食安绵阳 portal: http://$LEPTOS_SITE_ADDR/
  Staff console:   http://$LEPTOS_SITE_ADDR/staff
  Demo staff login (demo data only; the password is new on every start):
      demo_admin / $PASSWORD      (admin)
      demo_moderator / $PASSWORD  (moderator)
      demo_viewer / $PASSWORD     (viewer)

MSG
# Two malloc arenas: glibc otherwise keeps one per thread that allocated (bench/rss.sh: 231 → 181 MB).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec "$(server_bin)" serve

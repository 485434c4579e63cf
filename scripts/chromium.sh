#!/usr/bin/env bash
# Headless Chromium for the real-browser voice test (test/voice/browser.test.ts): Debian's `chromium` package,
# /usr/bin/chromium (playwright-core drives it; it never downloads a browser of its own).
#   bash scripts/chromium.sh
# Installs the package with apt-get when missing (as root, or with sudo -n); when it cannot, says so in one line
# and fails (the browser test then fails with the same advice). scripts/test.sh runs it before the tests.
# Log: .stack/logs/chromium-install.log.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOG="$ROOT/.stack/logs/chromium-install.log"
BIN=/usr/bin/chromium
# shellcheck source=lib/root.sh
. "$ROOT/scripts/lib/root.sh"

say() { printf 'chromium: %s\n' "$*"; }

if [ -x "$BIN" ]; then say "ok $BIN"; exit 0; fi
if ! [ -f /etc/debian_version ] || ! command -v apt-get >/dev/null; then
  say "ERROR: no $BIN, and this is not Debian (apt-get): install Chromium there for test/voice/browser.test.ts"; exit 1
fi
if ! can_root; then
  say "ERROR: no $BIN; installing it needs root: run 'apt-get update && apt-get install chromium' as root"; exit 1
fi
mkdir -p "$(dirname "$LOG")"
say "installing Debian's chromium package (log ${LOG#"$ROOT/"})"
: >"$LOG"
apt_install "$LOG" chromium || { tail -n 5 "$LOG" >&2; say "ERROR: apt-get install chromium failed (log ${LOG#"$ROOT/"})"; exit 1; }
[ -x "$BIN" ] || { say "ERROR: the chromium package left no $BIN"; exit 1; }
say "ok $BIN (installed)"

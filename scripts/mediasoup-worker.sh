#!/usr/bin/env bash
# mediasoup's worker binary (node_modules/mediasoup/worker/out/Release/mediasoup-worker), see tools/mediasoup/README.md.
#   bash scripts/mediasoup-worker.sh [ensure|path]
# ensure (npm's postinstall, and stack.sh up): makes sure the worker of the installed mediasoup runs, in this order:
#   1. it is already there, runs, and was installed by this recipe (its stamp, mediasoup-worker.recipe): done
#      (and cached);
#   2. the cache has one for this version and recipe: copied in (seconds);
#   3. mediasoup's own install script, unchanged: the prebuilt binary from GitHub (or upstream's own build);
#      skipped when MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD is set;
#   4. offline fallback (Debian): the same install script with MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD=1 and the
#      PYTHON/MESON wrappers of tools/mediasoup, building from Debian packages (installed with apt-get if missing;
#      meson from bookworm-backports). About 6-7 minutes on 2 cores, at nice 19.
#   The result is cached as $CACHE/mediasoup-worker-<version>-r<RECIPE>, CACHE=${MEDIASOUP_WORKER_CACHE_DIR:-~/.cache/revolution}.
#   RECIPE is the revision of the offline build (tools/mediasoup): bumped when a change there changes the binary (a
#   source fix), so that binaries of an older recipe, in node_modules or the cache, are replaced.
#   With MEDIASOUP_WORKER_BIN set (mediasoup's own override) there is nothing to do, as in mediasoup's postinstall.
# path: prints the worker binary our code should use (MEDIASOUP_WORKER_BIN, node_modules, or the cache); exit 1 if none.
# Logs: .stack/logs/mediasoup-worker-build.log.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PKG="$ROOT/node_modules/mediasoup"
BIN="$PKG/worker/out/Release/mediasoup-worker"
TOOLS="$ROOT/tools/mediasoup"
# shellcheck source=lib/root.sh
. "$ROOT/scripts/lib/root.sh" # can_root, as_root, apt_install
LOG="$ROOT/.stack/logs/mediasoup-worker-build.log"
[ -n "${HOME:-}" ] || export HOME=$(getent passwd "$(id -u)" | cut -d: -f6)
CACHE_DIR=${MEDIASOUP_WORKER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/revolution}
# 2: the DTLS fix of tools/mediasoup/meson (every WebRTC handshake crashed the worker built by recipe 1).
RECIPE=2
# Debian packages of the offline build; meson must be >= 1.1 (mediasoup's meson_version).
APT_PACKAGES=(python3 python3-invoke ninja-build pkg-config g++ libuv1-dev libssl-dev libsrtp2-dev libabsl-dev
  libflatbuffers-dev flatbuffers-compiler)

say() { printf 'mediasoup-worker: %s\n' "$*"; }
die() { printf 'mediasoup-worker: ERROR: %s\n' "$*" >&2; exit 1; }
rel() { local p=$1; p=${p#"$ROOT/"}; echo "${p/#"$HOME/"/"~/"}"; }
# A worker started without MEDIASOUP_VERSION exits with 41 (mediasoup's own check in its postinstall): it loads
# and runs on this host.
runs() {
  [ -f "$1" ] && [ -x "$1" ] || return 1
  local rc=0 t; t=$(command -v timeout) || t=""
  env -i ${t:+"$t" 10} "$1" >/dev/null 2>&1 </dev/null || rc=$?
  [ "$rc" = 41 ]
}
copy() { # atomic: src dst
  mkdir -p "$(dirname "$2")"
  cp -f "$1" "$2.tmp.$$" && chmod 755 "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"
}

version() { sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$PKG/package.json" | head -n1; }
# The worker of this version and recipe: its cache file name, and the stamp next to the installed binary.
build_name() { echo "mediasoup-worker-$1-r$RECIPE"; }
current() { runs "$BIN" && [ "$(cat "$BIN.recipe" 2>/dev/null)" = "$1" ]; }
stamp() { echo "$1" >"$BIN.recipe"; }

cmd_path() {
  if [ -n "${MEDIASOUP_WORKER_BIN:-}" ]; then echo "$MEDIASOUP_WORKER_BIN"; return; fi
  [ -f "$PKG/package.json" ] || return 1
  local name; name=$(build_name "$(version)")
  if runs "$BIN"; then echo "$BIN"; elif runs "$CACHE_DIR/$name"; then echo "$CACHE_DIR/$name"; else return 1; fi
}

# --- the offline fallback's Debian packages ------------------------------------------------------------------
installed() { [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]; }
meson_ok() { # system meson >= 1.1
  local v; v=$(/usr/bin/meson --version 2>/dev/null) || return 1
  [ "$(printf '%s\n1.1.0\n' "$v" | sort -V | head -n1)" = 1.1.0 ]
}
add_backports() { # adds <codename>-backports (same mirror as the main suite) unless apt already has it
  local codename=$1 uri
  grep -rqsE "^[^#]*\b$codename-backports\b" /etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
  uri=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list | grep -oE 'https?://[^ ]+/debian/?( |$)' | head -n1 | tr -d ' ') || true
  uri=${uri:-http://deb.debian.org/debian}
  say "adding the $codename-backports suite ($uri) to apt: /etc/apt/sources.list.d/$codename-backports.sources"
  as_root tee "/etc/apt/sources.list.d/$codename-backports.sources" >/dev/null <<EOF
Types: deb
URIs: $uri
Suites: $codename-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
}
apt_up() {
  [ -f /etc/debian_version ] && command -v apt-get >/dev/null ||
    die "no prebuilt worker could be fetched, and the offline build needs Debian (apt-get); see tools/mediasoup/README.md"
  local missing=() p codename="" meson_pkg=meson
  for p in "${APT_PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  if ! meson_ok; then
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    if [ "$codename" = bookworm ]; then meson_pkg=meson/bookworm-backports; else codename=""; fi
    missing+=("$meson_pkg")
  fi
  [ ${#missing[@]} = 0 ] && { say "Debian packages: all present"; return; }
  can_root || die "the offline build needs these Debian packages; as root: apt-get update &&" \
    "apt-get install ${missing[*]} (meson/bookworm-backports needs the bookworm-backports suite in apt's sources)"
  [ -z "$codename" ] || add_backports "$codename"
  say "installing Debian packages: ${missing[*]}"
  apt_install "$LOG" "${missing[@]}" || { tail -n 20 "$LOG" >&2; die "apt-get update/install ${missing[*]} failed (log $(rel "$LOG"))"; }
  meson_ok || die "meson >= 1.1 is needed, /usr/bin/meson is $(/usr/bin/meson --version 2>/dev/null || echo missing)"
}

# --- mediasoup's own install script ---------------------------------------------------------------------------
postinstall() { # env assignments for mediasoup's `node npm-scripts.mjs postinstall`, run in node_modules/mediasoup
  (cd "$PKG" && env -u MEDIASOUP_WORKER_BIN "$@" nice -n 19 node npm-scripts.mjs postinstall) >>"$LOG" 2>&1
}

cmd_ensure() {
  if [ -n "${MEDIASOUP_WORKER_BIN:-}" ]; then
    say "MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN is set: nothing to do"; return
  fi
  [ -f "$PKG/package.json" ] || { say "mediasoup is not installed: nothing to do"; return; }
  local version name cached t0=$SECONDS
  version=$(version); [ -n "$version" ] || die "no version in $(rel "$PKG/package.json")"
  name=$(build_name "$version")
  cached="$CACHE_DIR/$name"
  if current "$name"; then
    runs "$cached" || copy "$BIN" "$cached"
    say "ok $(rel "$BIN") ($version)"; return
  fi

  # One install at a time per version (two checkouts, or npm ci racing stack.sh up); the winner fills the cache.
  mkdir -p "$CACHE_DIR"
  if command -v flock >/dev/null; then
    exec 8>"$cached.lock"
    flock -w 1800 8 || die "another build of mediasoup-worker $version is still running (lock $(rel "$cached.lock"))"
  fi
  if runs "$cached"; then
    copy "$cached" "$BIN" && stamp "$name"
    say "ok $(rel "$BIN") ($version, copied from $(rel "$cached"))"; return
  fi

  mkdir -p "$(dirname "$LOG")"; : >"$LOG"
  if [ -z "${MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD:-}" ]; then
    say "no worker for mediasoup $version: running mediasoup's install script (prebuilt download; log $(rel "$LOG"))"
    rm -f "$BIN" "$BIN.recipe" # one of an older recipe must not pass for what the script installed
    if postinstall && runs "$BIN"; then
      stamp "$name"
      copy "$BIN" "$cached"
      say "ok $(rel "$BIN") ($version, mediasoup's install script, $((SECONDS - t0)) s)"; return
    fi
    say "mediasoup's install script gave no worker (offline?): building it from Debian packages"
  fi
  apt_up
  chmod +x "$TOOLS/python" "$TOOLS/meson"
  # A half-done upstream attempt must not shadow Debian's invoke (PYTHONPATH) or leave a stale build directory.
  rm -rf "$PKG/worker/pip_invoke" "$PKG/worker/out"
  say "building mediasoup-worker $version from Debian packages (about 6-7 min on 2 cores, nice 19; log $(rel "$LOG"))"
  postinstall MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD=1 PYTHON="$TOOLS/python" MESON="$TOOLS/meson" ||
    { tail -n 30 "$LOG" >&2; die "offline build failed (log $(rel "$LOG"))"; }
  runs "$BIN" || { tail -n 30 "$LOG" >&2; die "the offline build left no working $(rel "$BIN") (log $(rel "$LOG"))"; }
  stamp "$name"
  copy "$BIN" "$cached"
  say "ok $(rel "$BIN") ($version, built from Debian packages in $((SECONDS - t0)) s, cached as $(rel "$cached"))"
}

case "${1:-ensure}" in
  ensure) cmd_ensure ;;
  path) cmd_path ;;
  *) echo "usage: bash scripts/mediasoup-worker.sh [ensure|path]" >&2; exit 2 ;;
esac

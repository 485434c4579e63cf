# Sourced by scripts/chromium.sh and scripts/mediasoup-worker.sh: running apt-get and the like as root.
# can_root: we are root, or sudo works without a password. as_root CMD...: runs CMD as root (sudo -n if needed).
# apt_install LOG PKG...: apt-get update, then installs the packages (no prompts, no recommends), appending to LOG.
can_root() { [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
apt_install() {
  local log=$1; shift
  { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; } >>"$log" 2>&1
}

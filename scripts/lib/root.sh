# Sourced by scripts/chromium.sh and scripts/mediasoup-worker.sh: running apt-get and the like as root.
# can_root: we are root, or sudo works without a password. as_root CMD...: runs CMD as root (sudo -n if needed).
can_root() { [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

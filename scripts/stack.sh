#!/usr/bin/env bash
# The local engines for dev, tests and CI (see DESIGN.md, "The engines").
#   bash scripts/stack.sh [up|down|status]
# up:     npm packages, PostgreSQL (+ databases), Redis, FerretDB, stripe-mock. Idempotent; < 1 s when all run.
#         Also mediasoup's worker binary (scripts/mediasoup-worker.sh: normally done by npm's postinstall already).
# down:   stops the FerretDB and stripe-mock this script started (never the system PostgreSQL/Redis).
# status: one line per engine.
# Env: PG_HOST/PG_PORT (127.0.0.1:5432), REDIS_PORT (6379), FERRETDB_PORT (27017),
#      STRIPE_MOCK_PORT (12111; its HTTPS listener on STRIPE_MOCK_HTTPS_PORT, default +1).
# Everything of ours lives in .stack/ (bin/, logs/, run/); Go writes only its module and build caches.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK="$ROOT/.stack"
HOST=127.0.0.1
PG_HOST=${PG_HOST:-127.0.0.1} PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
FERRETDB_PORT=${FERRETDB_PORT:-27017}
STRIPE_MOCK_PORT=${STRIPE_MOCK_PORT:-12111}
STRIPE_MOCK_HTTPS_PORT=${STRIPE_MOCK_HTTPS_PORT:-$((STRIPE_MOCK_PORT + 1))}
STRIPE_MOCK_VERSION=v0.203.0
DATABASES=(revolution revolution_test ferretdb)

step() { printf 'stack: %-11s %s\n' "$1" "$2"; }
die() { printf 'stack: %-11s ERROR: %s\n' "$1" "$2" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$2" "'$1' not found: $3"; }
port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
listener() { # "name pid N" of whatever listens on port $1
  local who; who=$(ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'users:(("[^"]*",pid=[0-9]*' | sed 's/users:(("//; s/",pid=/ pid /' | head -n1)
  echo "${who:-another process}"
}
pidof_ours() { local f="$STACK/run/$1.pid" p; [ -f "$f" ] && p=$(<"$f") && kill -0 "$p" 2>/dev/null && echo "$p"; }
owner() { local p; if p=$(pidof_ours "$1"); then echo "pid $p"; else echo "not started by this script"; fi; }
psql_() { PGCONNECT_TIMEOUT=3 psql -X -w -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres "$@"; }
pg_ready() { pg_isready -q -t 2 -h "$PG_HOST" -p "$PG_PORT"; }
redis_ping() { timeout 2 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null; }

# Prints "ferretdb <version>" or "other <server version>" (or "error ..." and fails) for whatever answers there.
# The whole probe has a deadline: a FerretDB that accepts connections but answers nothing must not hang us.
mongo_probe() {
  (cd "$ROOT" && timeout 6 node -e '
    const { MongoClient } = require("mongodb");
    const opts = { serverSelectionTimeoutMS: 1500, connectTimeoutMS: 1500, directConnection: true };
    const admin = new MongoClient(process.argv[1], opts).db("admin");
    admin.command({ buildInfo: 1 })
      .then(async (info) => { await admin.command({ ping: 1 });
        console.log(info.ferretdbVersion ? `ferretdb ${info.ferretdbVersion}` : `other ${info.version ?? "?"}`); })
      .catch((err) => { console.log(`error ${err.message}`); process.exitCode = 1; })
      .finally(() => process.exit());' "mongodb://$HOST:$FERRETDB_PORT/" || { local rc=$?; [ $rc = 124 ] && echo "silent: accepts connections but answered nothing within 6 s"; exit $rc; })
}
ferretdb_ready() { port_open "$HOST" "$FERRETDB_PORT" && [[ $(mongo_probe) == ferretdb* ]]; }
stripe_probe() { # the response headers of a real request ("Stripe-Mock-Version: ..." identifies stripe-mock)
  curl -s -m 2 -o /dev/null -D - -H 'Authorization: Bearer sk_test_x' "http://$HOST:$STRIPE_MOCK_PORT/v1/customers"
}
stripe_ready() { local h; h=$(stripe_probe) && grep -qi '^stripe-mock-version' <<<"$h"; }

# Go from /usr/local/go if not on PATH, default GOPATH/GOCACHE (they need HOME), and Go's telemetry
# counters kept in .stack instead of ~/.config (the user's `go env -w` settings are still read).
go_env() {
  command -v go >/dev/null || PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null || { echo "Go not found: install Go >= 1.24 in /usr/local/go or on PATH" >&2; return 1; }
  [ -n "${HOME:-}" ] || export HOME=$(getent passwd "$(id -u)" | cut -d: -f6)
  export GOENV="${GOENV:-${XDG_CONFIG_HOME:-$HOME/.config}/go/env}" XDG_CONFIG_HOME="$STACK/go-config"
}
go_build() { # name target-file log-file -- command...: builds into target.tmp then renames (stays atomic)
  local name=$1 target=$2 log=$3; shift 4
  step "$name" "building into ${target#"$ROOT/"} (first time only, up to ~2 min; log ${log#"$ROOT/"})"
  local t0=$SECONDS
  (go_env && "$@") >"$log" 2>&1 || { tail -n 15 "$log" >&2; die "$name" "build failed, see $log"; }
  step "$name" "built in $((SECONDS - t0)) s"
}

bare() { # exec "$@" holding no fd but 0-2, so daemons keep neither our lock (fd 9) nor a CI runner's pipes
  for fd in $(ls "/proc/$BASHPID/fd"); do if ((fd > 2 && fd != 255)); then eval "exec $fd>&-"; fi; done
  exec "$@"
}
start_bg() { # name command...: in its own session, logging to .stack/logs/<name>.log
  local name=$1 log="$STACK/logs/$1.log"; shift
  [ -f "$log" ] && mv -f "$log" "$log.1"
  (bare setsid nohup "$@" </dev/null >"$log" 2>&1) &
  echo $! >"$STACK/run/$name.pid"
}
wait_ready() { # name probe: up to ~20 s
  local name=$1 probe=$2 pid; pid=$(<"$STACK/run/$name.pid")
  for _ in $(seq 80); do
    "$probe" && return 0
    kill -0 "$pid" 2>/dev/null || { tail -n 5 "$STACK/logs/$name.log" >&2; die "$name" "exited at start-up, see .stack/logs/$name.log"; }
    sleep 0.25
  done
  die "$name" "started (pid $pid) but not answering after 20 s, see .stack/logs/$name.log"
}
stop_bg() { # name: stops the process in its pid file if it is one of our binaries
  local name=$1 pid exe
  if pid=$(pidof_ours "$name") && exe=$(readlink "/proc/$pid/exe") && [[ $exe == "$STACK/bin/"* ]]; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    step "$name" "stopped (pid $pid)"
  else
    step "$name" "not running from .stack"
  fi
  rm -f "$STACK/run/$name.pid"
}

npm_up() {
  cd "$ROOT"
  local lock=package-lock.json stamp=node_modules/.package-lock.json
  [ -f $lock ] || lock=package.json
  if [ -d node_modules ] && ! [ $lock -nt $stamp ]; then step npm "ok (node_modules up to date)"; return; fi
  if [ $lock = package-lock.json ]; then
    step npm "installing: npm ci"; npm ci --no-audit --no-fund || die npm "npm ci failed"
  else
    step npm "installing: npm install (no package-lock.json)"; npm install --no-audit --no-fund || die npm "npm install failed"
  fi
}

local_pg_cluster() { # "15 main" for the local cluster on PG_PORT, if any
  if [[ $PG_HOST == 127.0.0.1 || $PG_HOST == localhost ]] && command -v pg_lsclusters >/dev/null; then
    pg_lsclusters -h 2>/dev/null | awk -v p="$PG_PORT" '$3 == p { print $1, $2; exit }'
  fi
}
# The tests run two files at once, one of them a seven-process cluster, beside FerretDB's own pool (~50 connections):
# the default 100 run out. A local cluster with fewer is raised once (ALTER SYSTEM, then a restart).
PG_MAX_CONNECTIONS=${PG_MAX_CONNECTIONS:-300}
postgres_connections() {
  local max cluster; max=$(psql_ -Atc 'SHOW max_connections' 2>/dev/null) || return 0
  [ "${max:-0}" -ge "$PG_MAX_CONNECTIONS" ] && return 0
  cluster=$(local_pg_cluster)
  if [ -z "$cluster" ]; then step postgresql "max_connections is $max (not a local cluster: left as is; tests may run out)"; return 0; fi
  step postgresql "raising max_connections $max -> $PG_MAX_CONNECTIONS (restarting cluster $cluster)"
  psql_ -c "ALTER SYSTEM SET max_connections = $PG_MAX_CONNECTIONS" >/dev/null || die postgresql "could not raise max_connections"
  (bare pg_ctlcluster --skip-systemctl-redirect $cluster restart) </dev/null >/dev/null 2>&1 || die postgresql "restarting cluster $cluster failed"
  for _ in $(seq 40); do pg_ready && break; sleep 0.25; done
  pg_ready || die postgresql "cluster $cluster did not come back after the restart"
}

postgres_up() {
  need pg_isready postgresql "apt-get install postgresql-15 (or postgresql-client-15)"
  need psql postgresql "apt-get install postgresql-client-15"
  if ! pg_ready; then
    local cluster; cluster=$(local_pg_cluster)
    if [ -n "$cluster" ]; then
      step postgresql "not answering; starting cluster $cluster"
      (bare pg_ctlcluster --skip-systemctl-redirect $cluster start) </dev/null >/dev/null 2>&1 || true
      for _ in $(seq 20); do pg_ready && break; sleep 0.25; done
    fi
    pg_ready || die postgresql "nothing answers on $PG_HOST:$PG_PORT and no local cluster on that port could be started; start PostgreSQL 15 (pg_ctlcluster 15 main start, or apt-get install postgresql-15) or set PG_HOST/PG_PORT"
  fi
  postgres_connections
  local have created=""
  have=$(psql_ -Atc 'SELECT datname FROM pg_database') || die postgresql "psql -U postgres failed on $PG_HOST:$PG_PORT (trust auth for user postgres expected)"
  for db in "${DATABASES[@]}"; do
    grep -qx "$db" <<<"$have" && continue
    psql_ -c "CREATE DATABASE \"$db\"" 2>/dev/null || [ "$(psql_ -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'")" = 1 ] ||
      die postgresql "could not create database $db"
    created+=" $db"
  done
  step postgresql "ok $PG_HOST:$PG_PORT${created:+ (created:$created)}"
}

redis_up() {
  need redis-cli redis "apt-get install redis-server"
  if [ "$(redis_ping)" != PONG ]; then
    port_open "$HOST" "$REDIS_PORT" && die redis "port $REDIS_PORT is taken by $(listener "$REDIS_PORT"), which does not answer PING with PONG"
    need redis-server redis "apt-get install redis-server"
    step redis "not answering; starting redis-server on $HOST:$REDIS_PORT"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || die redis "cannot create /var/lib/redis and /var/log/redis (run as root, or start Redis yourself)"
    (bare redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log) </dev/null >/dev/null || true
    for _ in $(seq 20); do [ "$(redis_ping)" = PONG ] && break; sleep 0.25; done
    [ "$(redis_ping)" = PONG ] || die redis "redis-server did not start on $HOST:$REDIS_PORT, see /var/log/redis/ci.log"
  fi
  step redis "ok $HOST:$REDIS_PORT"
}

ferretdb_version() {
  sed -n 's|^\(require\)\{0,1\}[[:space:]]*github.com/FerretDB/FerretDB \(v[^[:space:]]*\).*|\2|p' "$ROOT/tools/ferretdb/go.mod" | head -n1
}
ferretdb_up() {
  local version out; version=$(ferretdb_version)
  [ -n "$version" ] || die ferretdb "no github.com/FerretDB/FerretDB version in tools/ferretdb/go.mod"
  local bin="$STACK/bin/ferretdb-$version"
  # Built even when another checkout's FerretDB is running: the chaos suite starts private ones from this binary.
  [ -x "$bin" ] || go_build ferretdb "$bin" "$STACK/logs/ferretdb-build.log" -- \
    bash -c 'cd "$1" && go build -buildvcs=false -trimpath -o "$2.tmp" . && mv -f "$2.tmp" "$2"' _ "$ROOT/tools/ferretdb" "$bin"
  if port_open "$HOST" "$FERRETDB_PORT"; then
    out=$(mongo_probe) || true
    [[ $out == silent* ]] && die ferretdb "FerretDB on $HOST:$FERRETDB_PORT $out; restart it: npm run stack -- down && npm run stack -- up (one not started by this script, here $(listener "$FERRETDB_PORT"), must be stopped by hand)"
    [[ $out == ferretdb* ]] || die ferretdb "port $FERRETDB_PORT is taken by $(listener "$FERRETDB_PORT"), which is not FerretDB (probe: $out); stop it or set FERRETDB_PORT and MONGODB_URL"
    step ferretdb "ok $HOST:$FERRETDB_PORT (already running, $(owner ferretdb))"; return
  fi
  stop_bg ferretdb >/dev/null # a stale one of ours that no longer listens
  start_bg ferretdb "$bin" -listen-addr "$HOST:$FERRETDB_PORT" \
    -postgresql-url "postgres://postgres@$PG_HOST:$PG_PORT/ferretdb" -log-level warn
  wait_ready ferretdb ferretdb_ready
  step ferretdb "ok $HOST:$FERRETDB_PORT (started $version, $(owner ferretdb))"
}

stripe_mock_up() {
  local dir="$STACK/bin/stripe-mock-$STRIPE_MOCK_VERSION"
  # Built even when another checkout's stripe-mock is running: the chaos suite starts a private one from this binary.
  [ -x "$dir/stripe-mock" ] || go_build stripe-mock "$dir/stripe-mock" "$STACK/logs/stripe-mock-build.log" -- \
    bash -c 'rm -rf "$1.tmp" && GOBIN="$1.tmp" go install "github.com/stripe/stripe-mock@$2" && rm -rf "$1" && mv "$1.tmp" "$1"' \
    _ "$dir" "$STRIPE_MOCK_VERSION"
  if port_open "$HOST" "$STRIPE_MOCK_PORT"; then
    stripe_ready || die stripe-mock "port $STRIPE_MOCK_PORT is taken by $(listener "$STRIPE_MOCK_PORT"), not stripe-mock; stop it or set STRIPE_MOCK_PORT and STRIPE_API_URL"
    step stripe-mock "ok $HOST:$STRIPE_MOCK_PORT (already running, $(owner stripe-mock))"; return
  fi
  stop_bg stripe-mock >/dev/null
  # Both listeners bound explicitly: with -http-addr alone stripe-mock still serves HTTPS on all interfaces.
  start_bg stripe-mock "$dir/stripe-mock" -http-addr "$HOST:$STRIPE_MOCK_PORT" -https-addr "$HOST:$STRIPE_MOCK_HTTPS_PORT"
  wait_ready stripe-mock stripe_ready
  step stripe-mock "ok $HOST:$STRIPE_MOCK_PORT (started $STRIPE_MOCK_VERSION, $(owner stripe-mock))"
}

status() {
  local rc=0
  if [ ! -d "$ROOT/node_modules" ]; then step npm "missing (node_modules)"; rc=1
  elif [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then step npm "stale (package-lock.json is newer)"; rc=1
  else step npm "ok"; fi
  if pg_ready; then step postgresql "ok $PG_HOST:$PG_PORT"; else step postgresql "down $PG_HOST:$PG_PORT"; rc=1; fi
  if [ "$(redis_ping)" = PONG ]; then step redis "ok $HOST:$REDIS_PORT"; else step redis "down $HOST:$REDIS_PORT"; rc=1; fi
  if ! port_open "$HOST" "$FERRETDB_PORT"; then step ferretdb "down $HOST:$FERRETDB_PORT"; rc=1
  elif [ ! -d "$ROOT/node_modules/mongodb" ]; then step ferretdb "listening on $HOST:$FERRETDB_PORT (not probed: no node_modules)"
  elif ferretdb_ready; then step ferretdb "ok $HOST:$FERRETDB_PORT ($(owner ferretdb))"
  else step ferretdb "port $FERRETDB_PORT is taken by $(listener "$FERRETDB_PORT"), not a FerretDB that answers"; rc=1; fi
  if ! port_open "$HOST" "$STRIPE_MOCK_PORT"; then step stripe-mock "down $HOST:$STRIPE_MOCK_PORT"; rc=1
  elif stripe_ready; then step stripe-mock "ok $HOST:$STRIPE_MOCK_PORT ($(owner stripe-mock))"
  else step stripe-mock "port $STRIPE_MOCK_PORT is taken by $(listener "$STRIPE_MOCK_PORT"), not stripe-mock"; rc=1; fi
  return $rc
}

lock() { mkdir -p "$STACK/bin" "$STACK/logs" "$STACK/run"; exec 9>"$STACK/run/stack.lock"; flock -w 600 9 || die stack "another stack.sh is still running"; }

case "${1:-up}" in
  up) lock; npm_up; bash "$ROOT/scripts/mediasoup-worker.sh" || die mediasoup "no mediasoup worker"
      postgres_up; redis_up; ferretdb_up; stripe_mock_up ;;
  down) lock; stop_bg ferretdb; stop_bg stripe-mock ;;
  status) status ;;
  *) echo "usage: bash scripts/stack.sh [up|down|status]" >&2; exit 2 ;;
esac

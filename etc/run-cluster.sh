#!/usr/bin/env bash
# `make run-cluster`: PostgreSQL, one exchange simulator, three supervisors (hosts h1, h2, h3)
# and two dashboards on this one machine, for a person to try several hosts: kill one
# (`kill -9`), stop one (`kill -STOP`), drain one, and watch its users move. Ctrl-C stops it all.
#
# Everything lives under var/cluster/: the PostgreSQL cluster (run as the `postgres` account
# when this runs as root: PostgreSQL refuses root), each host's data directory and log, and the
# master key the three hosts share (on separate machines: the same file on each host, and nowhere
# else). Ports: CLUSTER_PG_PORT (55432), CLUSTER_SIM_PORT (9090), dashboards on CLUSTER_WEB_PORT
# (8080, host h1) and the port after it (host h2); h3 runs workers only.
set -euo pipefail

BIN_DIR=${1:?usage: run-cluster.sh BIN_DIR [CONFIG]}
CONFIG=${2:-etc/trader.yaml}
ROOT=$PWD/var/cluster
PG_PORT=${CLUSTER_PG_PORT:-55432}
SIM_PORT=${CLUSTER_SIM_PORT:-9090}
WEB_PORT=${CLUSTER_WEB_PORT:-8080}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PG_BIN" ] || { echo "run-cluster: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }

mkdir -p "$ROOT"
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg() { as_pg "$PG_BIN/$1" "${@:2}"; }

# PostgreSQL: a cluster of its own under var/cluster/pg, trust on loopback only, database `trader`.
if [ ! -f "$ROOT/pg/data/PG_VERSION" ]; then
  mkdir -p "$ROOT/pg"
  [ "$(id -u)" = 0 ] && chown postgres "$ROOT/pg" && chmod 0755 "$ROOT"
  pg initdb -D "$ROOT/pg/data" -U trader --auth=trust --locale=C -E UTF8 >/dev/null
fi
pg pg_ctl -D "$ROOT/pg/data" -l "$ROOT/pg/server.log" -w -o "-p $PG_PORT -k $ROOT/pg -c listen_addresses=127.0.0.1" start >/dev/null
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo "stopping the hosts, the simulator and PostgreSQL…"
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pg pg_ctl -D "$ROOT/pg/data" -m fast stop >/dev/null 2>&1 || true
}
trap cleanup INT TERM EXIT
psql() { as_pg /usr/bin/psql -h 127.0.0.1 -p "$PG_PORT" -U trader -d postgres -tAc "$1"; }
[ "$(psql "SELECT 1 FROM pg_database WHERE datname = 'trader'")" = 1 ] || psql "CREATE DATABASE trader" >/dev/null
URL="postgres://trader@127.0.0.1:$PG_PORT/trader"

# One exchange for every host: a user moved to another host trades on the same account. Hosts
# on separate machines have an address each, and Binance's request weight per address; here the
# three share one, so the simulator allows three hosts' worth.
mkdir -p "$ROOT/sim"
"$BIN_DIR/exchange-sim" --port "$SIM_PORT" --seed 1 --weight-limit 18000 --data-dir "$ROOT/sim" >>"$ROOT/sim.log" 2>&1 &
pids+=($!)

start_host() {  # host id, web port (empty: no dashboard)
  local id=$1 web=$2
  TRADER_DATABASE_URL=$URL TRADER_HOST_ID=$id TRADER_MASTER_KEY_FILE=$ROOT/secrets/master.key \
  TRADER_DATA_DIR=$ROOT/$id TRADER_SIM_PORT=$SIM_PORT TRADER_SIM_START=false \
  TRADER_WEB_START=$([ -n "$web" ] && echo true || echo false) TRADER_WEB_PORT=${web:-$WEB_PORT} \
    "$BIN_DIR/supervisor" --config "$CONFIG" >>"$ROOT/$id.log" 2>&1 &
  pids+=($!)
  echo $! >"$ROOT/$id.pid"
}

# h1 first: it creates the master key the others then read.
start_host h1 "$WEB_PORT"
for _ in $(seq 100); do [ -s "$ROOT/secrets/master.key" ] && break; sleep 0.1; done
start_host h2 $((WEB_PORT + 1))
start_host h3 ""

cat <<EOF
Crypto Trader Pro on three hosts sharing PostgreSQL ($URL):
  dashboards   http://127.0.0.1:$WEB_PORT (host h1)   http://127.0.0.1:$((WEB_PORT + 1)) (host h2)
  simulator    http://127.0.0.1:$SIM_PORT            logs  $ROOT/h1.log h2.log h3.log
Try:
  kill -9 \$(cat $ROOT/h2.pid)                        a host dies: its users run elsewhere within ~10 s
  kill -STOP \$(cat $ROOT/h3.pid); sleep 15; kill -CONT \$(cat $ROOT/h3.pid)
  TRADER_DATABASE_URL=$URL TRADER_HOST_ID=h1 $BIN_DIR/supervisor drain --data-dir $ROOT/h1
  psql -h 127.0.0.1 -p $PG_PORT -U trader trader -c 'SELECT * FROM leases ORDER BY user_id'
Ctrl-C stops everything.
EOF
wait

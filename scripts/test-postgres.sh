#!/usr/bin/env bash
# A throw-away PostgreSQL for tests and benchmarks, on loopback only, with its data in DIR (trust authentication,
# user postgres, database actorchat). PostgreSQL refuses to run as root, so as root it runs as the postgres user.
# Usage: scripts/test-postgres.sh start DIR PORT   (starts, or starts again after a stop, keeping the data)
#        scripts/test-postgres.sh stop DIR
set -euo pipefail
cmd=${1:?start or stop} dir=${2:?data directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z $bin || ! -x $bin/postgres ]]; then
  echo "test-postgres: PostgreSQL is not installed; run scripts/install-test-dependencies.sh" >&2
  exit 3
fi
as_owner() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case $cmd in
  start)
    port=${3:?port}
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir"; fi
    if [[ ! -f $dir/data/PG_VERSION ]]; then
      as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >"$dir/initdb.log" 2>&1
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200" start >/dev/null
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres actorchat 2>/dev/null || true
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    ;;
  *) echo "test-postgres: unknown command $cmd" >&2; exit 2 ;;
esac

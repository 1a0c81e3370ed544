#!/usr/bin/env bash
# Durable messages/s for one room and recovery time of a room with that many messages, on SQLite, PostgreSQL and
# in-memory, three runs each (see docs/benchmarks-persistence.md). Usage: scripts/bench-persistence.sh [messages]
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-100000}
dotnet build -c Release src/ActorChat.Server -v q -nologo >/dev/null
dll=src/ActorChat.Server/bin/Release/net10.0/ActorChat.Server.dll
work=$(mktemp -d /tmp/actorchat-bench.XXXX)
chmod 755 "$work" # the postgres user must reach its data directory inside
port=$(( 20000 + RANDOM % 20000 ))
scripts/test-postgres.sh start "$work/pg" "$port"
trap 'scripts/test-postgres.sh stop "$work/pg"; rm -rf "$work"' EXIT
for run in 1 2 3; do
  echo "== run $run"
  dotnet "$dll" bench --messages "$messages" --in-memory
  dotnet "$dll" bench --messages "$messages" --data-dir "$work/sqlite-$run"
  dotnet "$dll" bench --messages "$messages" --postgres "Host=127.0.0.1;Port=$port;Database=actorchat;Username=postgres"
done

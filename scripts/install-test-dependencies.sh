#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine (CI runs as root). Each step is skipped when
# its tool is already there, so a developer machine is left alone.
set -euo pipefail

need=()
# Add Debian packages here as tests come to need them, e.g.: command -v ip >/dev/null || need+=(iproute2)
# The durable-rooms tests run a throw-away PostgreSQL server (scripts/test-postgres.sh) next to SQLite.
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || need+=(postgresql)
command -v runuser >/dev/null || need+=(util-linux)

if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-test-dependencies: need root to install: ${need[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

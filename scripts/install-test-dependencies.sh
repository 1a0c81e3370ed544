#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine (CI runs as root). Each step is skipped when
# its tool is already there, so a developer machine is left alone.
set -euo pipefail

need=()
command -v ip >/dev/null || need+=(iproute2)          # network namespaces for the LAN broadcast test
command -v script >/dev/null || need+=(bsdutils)      # a pseudo-terminal for the console client test
# The web chat's browser tests drive Debian's Chromium through Playwright (never Playwright's own download).
[[ -x /usr/bin/chromium ]] || need+=(chromium)
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

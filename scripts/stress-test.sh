#!/usr/bin/env bash
# The whole suite (scripts/test.sh, arguments passed on) while a CPU hog keeps
# every core busy: 3 busy loops per core plus one (the 1-minute load average only
# approaches the number of loops), so it stays at 3x the core count or more. Prints the load average seen during the run, then the
# suite's summary as the last line. The hog stops when this script exits, however
# it exits (each loop also checks that this script still runs, for a SIGKILL).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cores=$(nproc)
target=$((3 * cores))
loops=$((target + 1))
samples=$(mktemp)
pids=()
stop() {
  kill "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
  rm -f "$samples"
}
trap stop EXIT
trap 'exit 130' INT TERM HUP

for _ in $(seq "$loops"); do
  (while kill -0 $$ 2>/dev/null; do for ((i = 0; i < 200000; i++)); do :; done; done) &
  pids+=($!)
done
(while kill -0 $$ 2>/dev/null; do cut -d' ' -f1 /proc/loadavg >>"$samples"; sleep 5; done) &
pids+=($!)

load() { cut -d' ' -f1 /proc/loadavg; }
echo "stress: $loops busy loops on $cores cores; waiting (at most 5 min) for the 1-minute load average to reach $target (now $(load))"
waited=$SECONDS
until awk -v load="$(load)" -v target="$target" 'BEGIN { exit !(load >= target) }' || [ $((SECONDS - waited)) -ge 300 ]; do sleep 2; done
echo "stress: load average $(load): starting the suite"
: >"$samples"
bash scripts/test.sh "$@"
status=$?
echo "stress: load average during the run: min $(sort -g "$samples" | head -n 1), max $(sort -g "$samples" | tail -n 1) over $(wc -l <"$samples") samples every 5 s ($cores cores, target $target)"
node scripts/summarize-tests.mjs .cache/vitest-report.json
exit "$status"

#!/usr/bin/env bash
# Optional: the official Dify plugin CLI (`dify`, langgenius/dify-plugin-daemon
# cmd/commandline), a second reference for the packager's output. Only the 2 tests
# in packages/cli/src/conformance.test.ts use it; without it they report themselves
# skipped and everything else runs. Installed with `go install` from the Go module
# proxy at a pinned commit (the repo's tags lack a leading "v", so the commit's
# pseudo-version is used) into .cache/dify-cli/bin. When that fails (the proxy
# answers 403 for this module today), the reason goes to .cache/dify-cli.unavailable
# and the two tests print it in their names.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/step.sh"
version=v0.0.0-20260821083658-bdb5642a1900
dir="$root/.cache/dify-cli"
mkdir -p "$dir"
if [ -x "$dir/bin/commandline" ] && [ "$(cat "$dir/.version" 2>/dev/null)" = "$version" ]; then exit 0; fi
rm -f "$root/.cache/dify-cli.unavailable"
skipped="optional comparison with the official dify CLI off: its 2 tests will skip"
if ! command -v go >/dev/null; then
  echo "go is not installed" >"$root/.cache/dify-cli.unavailable"
  echo "setup: $skipped (go is not installed)"; exit 0
fi
step_start "installing the official dify CLI (optional, for 2 comparison tests) with go install"
if GOBIN="$dir/bin" go install "github.com/langgenius/dify-plugin-daemon/cmd/commandline@$version" >"$dir/install.log" 2>&1; then
  echo "$version" >"$dir/.version"
  step_end "dify CLI $version installed"
else
  reason=$(grep -m1 -oE '[0-9]{3} [A-Za-z ]+' "$dir/install.log" || true)
  detail=$(grep -m1 'server response' "$dir/install.log" | sed 's/^[[:space:]]*//' || true)
  echo "go install github.com/langgenius/dify-plugin-daemon/cmd/commandline@$version failed: the Go module proxy answered ${reason:-an error} ${detail:+($detail)}" >"$root/.cache/dify-cli.unavailable"
  step_end "$skipped (the Go module proxy answered ${reason:-an error}; details in .cache/dify-cli.unavailable)"
fi

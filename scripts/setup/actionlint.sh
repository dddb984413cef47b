#!/usr/bin/env bash
# actionlint: checks .github/workflows/*.yml (syntax, expressions, action inputs,
# shellcheck-free shell lint) in a test, so a workflow that GitHub would refuse
# cannot land. Built with `go install` from the Go module proxy, once per version
# and machine, cached under ${XDG_CACHE_HOME:-~/.cache}/dify-ts/actionlint/<version>/
# like versitygw. Tests read its path from .cache/actionlint.path.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/step.sh"
version=v1.7.12
dir="${XDG_CACHE_HOME:-$HOME/.cache}/dify-ts/actionlint/$version"
bin="$dir/actionlint"
log="$root/.cache/actionlint.log"
mkdir -p "$root/.cache" "$dir"
rm -f "$root/.cache/actionlint.unavailable"
if [ -x "$bin" ]; then
  echo "$bin" >"$root/.cache/actionlint.path"; exit 0
fi
rm -f "$root/.cache/actionlint.path"
if ! command -v go >/dev/null; then
  echo "go is not installed" >"$root/.cache/actionlint.unavailable"
  echo "setup: actionlint unavailable: go is not installed (the workflow lint test will skip)"; exit 0
fi
step_start "building actionlint $version with go install (cached in $dir)"
# Built into a temporary name and renamed, so an interrupted build never leaves a half-written binary to reuse.
if GOBIN="$dir/.partial" go install "github.com/rhysd/actionlint/cmd/actionlint@$version" >"$log" 2>&1 \
  && mv "$dir/.partial/actionlint" "$bin"; then
  rm -rf "$dir/.partial"
  echo "$bin" >"$root/.cache/actionlint.path"
  step_end "actionlint $version installed"
else
  rm -rf "$dir/.partial"
  echo "go install actionlint@$version failed: $(tail -n 2 "$log" 2>/dev/null | tr '\n' ' ')" >"$root/.cache/actionlint.unavailable"
  step_end "actionlint unavailable: $(cat "$root/.cache/actionlint.unavailable")"
fi

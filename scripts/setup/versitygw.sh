#!/usr/bin/env bash
# versitygw: a real S3-compatible server that verifies SigV4 signatures, for the
# S3 plugin's tests. No registry ships it prebuilt (npm, PyPI and Debian have no such
# package), so it is built with `go install` from the Go module proxy, once per
# version and machine: the binary is cached under
# ${XDG_CACHE_HOME:-~/.cache}/dify-ts/versitygw/<version>/, where a later run or a
# fresh clone finds it. Tests read its path from .cache/versitygw.path.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/step.sh"
version=v1.8.0
dir="${XDG_CACHE_HOME:-$HOME/.cache}/dify-ts/versitygw/$version"
bin="$dir/versitygw"
log="$root/.cache/versitygw.log"
mkdir -p "$root/.cache" "$dir"
if [ -x "$bin" ]; then
  echo "$bin" >"$root/.cache/versitygw.path"; exit 0
fi
rm -f "$root/.cache/versitygw.path"
if ! command -v go >/dev/null; then
  echo "setup: versitygw unavailable: go is not installed (the S3 tests will skip)"; exit 0
fi
step_start "building versitygw $version with go install (a few minutes the first time on this machine; cached in $dir)"
# Built into a temporary directory of its own and renamed, so an interrupted build never leaves a half-written
# binary to reuse and two checkouts setting up at once do not remove each other's build.
partial=$(mktemp -d "$dir/.partial.XXXXXX")
if GOBIN="$partial" go install "github.com/versity/versitygw/cmd/versitygw@$version" >"$log" 2>&1 \
  && mv "$partial/versitygw" "$bin"; then
  rm -rf "$partial"
  echo "$bin" >"$root/.cache/versitygw.path"
  step_end "versitygw $version installed"
else
  rm -rf "$partial"
  step_end "versitygw unavailable: $(tail -n 2 "$log" 2>/dev/null | tr '\n' ' ')"
fi

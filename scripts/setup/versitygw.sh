#!/usr/bin/env bash
# versitygw: a real S3-compatible server that verifies SigV4 signatures, for the
# S3 plugin's tests. Installed from the Go module proxy into $(go env GOPATH)/bin
# (reused when already there). Tests read its path from .cache/versitygw.path.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
version=v1.8.0
mkdir -p "$root/.cache"
bin="$(go env GOPATH 2>/dev/null)/bin/versitygw"
stamp="$(go env GOPATH 2>/dev/null)/bin/.versitygw.version"
if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
  echo "$bin" >"$root/.cache/versitygw.path"; exit 0
fi
if command -v go >/dev/null && go install "github.com/versity/versitygw/cmd/versitygw@$version" >"$root/.cache/versitygw.log" 2>&1; then
  echo "$version" >"$stamp"
  echo "$bin" >"$root/.cache/versitygw.path"
  echo "setup: versitygw $version installed"
else
  rm -f "$root/.cache/versitygw.path"
  echo "setup: versitygw unavailable: $(tail -n 2 "$root/.cache/versitygw.log" 2>/dev/null | tr '\n' ' ')"
fi

#!/usr/bin/env bash
# The official Dify plugin CLI (`dify`, langgenius/dify-plugin-daemon cmd/commandline),
# the conformance reference for the packager's tests. Installed with `go install`
# from the Go module proxy at a pinned commit (the repo's tags lack a leading "v",
# so the commit's pseudo-version is used) into .cache/dify-cli/bin. When the proxy
# refuses it, the proxy's answer goes to .cache/dify-cli.unavailable and the
# conformance test reports itself skipped with it.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
version=v0.0.0-20260821083658-bdb5642a1900
dir="$root/.cache/dify-cli"
mkdir -p "$dir"
if [ -x "$dir/bin/commandline" ] && [ "$(cat "$dir/.version" 2>/dev/null)" = "$version" ]; then exit 0; fi
rm -f "$root/.cache/dify-cli.unavailable"
if ! command -v go >/dev/null; then
  echo "go is not installed" >"$root/.cache/dify-cli.unavailable"
  echo "setup: dify CLI unavailable (no go)"; exit 0
fi
if GOBIN="$dir/bin" go install "github.com/langgenius/dify-plugin-daemon/cmd/commandline@$version" >"$dir/install.log" 2>&1; then
  echo "$version" >"$dir/.version"
  echo "setup: dify CLI $version installed"
else
  reason=$(grep -m1 -oE '[0-9]{3} [A-Za-z ]+' "$dir/install.log" || true)
  detail=$(grep -m1 'server response' "$dir/install.log" | sed 's/^[[:space:]]*//' || true)
  echo "go install github.com/langgenius/dify-plugin-daemon/cmd/commandline@$version failed: the Go module proxy answered ${reason:-an error} ${detail:+($detail)}" >"$root/.cache/dify-cli.unavailable"
  echo "setup: dify CLI unavailable: $(cat "$root/.cache/dify-cli.unavailable")"
fi

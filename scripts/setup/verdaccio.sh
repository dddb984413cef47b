#!/usr/bin/env bash
# verdaccio: a real npm registry, for the test that publishes the SDK packages to
# it and scaffolds, installs, packages and runs a plugin against it
# (scripts/publish-sdk.test.ts). Installed from npm with npm once per version and
# machine into ${XDG_CACHE_HOME:-~/.cache}/dify-ts/verdaccio/<version>/; tests
# read that directory from .cache/verdaccio.path. When the install fails, the
# reason goes to .cache/verdaccio.unavailable and the test skips with it.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/step.sh"
version=6.10.4
dir="${XDG_CACHE_HOME:-$HOME/.cache}/dify-ts/verdaccio/$version"
log="$root/.cache/verdaccio.log"
mkdir -p "$root/.cache" "$(dirname "$dir")"
rm -f "$root/.cache/verdaccio.unavailable"
if [ -f "$dir/node_modules/verdaccio/package.json" ]; then
  echo "$dir" >"$root/.cache/verdaccio.path"; exit 0
fi
rm -f "$root/.cache/verdaccio.path"
step_start "installing verdaccio $version from npm (cached in $dir)"
# Installed into a temporary directory and renamed, so an interrupted install is never reused.
partial=$(mktemp -d "$(dirname "$dir")/.partial.XXXXXX")
if npm install --prefix "$partial" --no-audit --no-fund --no-save "verdaccio@$version" >"$log" 2>&1 \
  && mv "$partial" "$dir"; then
  echo "$dir" >"$root/.cache/verdaccio.path"
  step_end "verdaccio $version installed"
else
  rm -rf "$partial"
  echo "npm install verdaccio@$version failed: $(tail -n 2 "$log" 2>/dev/null | tr '\n' ' ')" >"$root/.cache/verdaccio.unavailable"
  step_end "verdaccio unavailable: $(cat "$root/.cache/verdaccio.unavailable")"
fi

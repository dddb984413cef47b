#!/usr/bin/env bash
# Builds what a release tag publishes, into <out-dir> (default release/); the
# release workflow only calls this script and uploads the directory.
#   v<version>           every plugin in plugins/, each of which must be at <version>
#   <plugin>@<version>   plugins/<plugin> only, which must be at <version>
# For each package: <name>-<version>.difypkg, its offline variants for linux amd64
# and arm64 (<name>-<version>-offline-<platform>.difypkg, every wheel inside), then
# SHA256SUMS (sha256sum -c) and IDENTIFIER-CHECKSUMS (the daemon's checksum).
# A tag that does not match the plugins' versions is refused before anything is built.
# Environment: PIP_INDEX_URL, the index the wheels come from (default PyPI).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tag=${1:-}
out=${2:-release}
fail() { echo "release: $1" >&2; exit 1; }
[ -n "$tag" ] || fail "usage: scripts/release.sh <v<version> | <plugin>@<version>> [out-dir]"
declared() { node -p "require(process.argv[1]).version" "$root/plugins/$1/package.json"; }

plugins=()
case "$tag" in
  v*)
    version=${tag#v}
    mismatched=()
    for manifest in "$root"/plugins/*/package.json; do
      plugin=$(basename "$(dirname "$manifest")")
      plugins+=("$plugin")
      at=$(declared "$plugin")
      [ "$at" = "$version" ] || mismatched+=("$plugin is at $at")
    done
    [ ${#plugins[@]} -gt 0 ] || fail "no plugins in $root/plugins"
    if [ ${#mismatched[@]} -gt 0 ]; then
      fail "tag $tag releases every plugin at $version, but $(IFS=,; echo "${mismatched[*]}" | sed 's/,/, /g'): bump them first (node scripts/bump-version.mjs <plugin> $version) or tag one plugin as <plugin>@<its version>"
    fi
    ;;
  sdk@*) fail "tag $tag publishes the SDK packages to npm, not plugins: scripts/publish-sdk.sh $tag <out-dir>" ;;
  *@*)
    plugin=${tag%@*}; version=${tag##*@}
    [ -f "$root/plugins/$plugin/package.json" ] || fail "tag $tag: no plugin named $plugin (plugins/$plugin/package.json); plugins: $(ls "$root/plugins" | tr '\n' ' ')"
    at=$(declared "$plugin")
    [ "$at" = "$version" ] || fail "tag $tag says $version but plugins/$plugin/package.json says $at: tag $plugin@$at, or bump first (node scripts/bump-version.mjs $plugin $version)"
    plugins=("$plugin")
    ;;
  *) fail "tag $tag is neither v<version> nor <plugin>@<version>" ;;
esac
[ -n "$version" ] || fail "tag $tag has no version"

mkdir -p "$out"
[ -z "$(ls -A "$out")" ] || fail "$out is not empty: give an empty or new directory"
out=$(cd "$out" && pwd)
cd "$root"
pnpm build:all
cli="$root/packages/cli/build/cli.js"
for plugin in "${plugins[@]}"; do
  file="dist/$plugin-$version.difypkg"
  [ -f "$file" ] || fail "$file was not built (the manifest name of plugins/$plugin must be $plugin)"
  cp "$file" "$out/"
  for platform in manylinux_2_28_x86_64 manylinux_2_28_aarch64; do
    node "$cli" repackage local "$file" --platform "$platform" --out-dir "$out" --index-url "${PIP_INDEX_URL:-https://pypi.org/simple}"
  done
done
cd "$out"
sha256sum -- *.difypkg >SHA256SUMS
for file in *.difypkg; do
  checksum=$(node "$cli" checksum "$file") # its own line, so a failure stops the script (set -e)
  echo "$file $checksum"
done >IDENTIFIER-CHECKSUMS
cat SHA256SUMS IDENTIFIER-CHECKSUMS

#!/usr/bin/env bash
# Publishes the SDK packages to npm for a tag sdk@<version> (the release workflow's
# npm job runs this after the tests pass; see the README):
#   scripts/publish-sdk.sh sdk@<version> <out-dir>
# Every SDK package (packages/protocol, runtime, host, cli, create-dify-ts-plugin) must be at <version>
# (bump them together: node scripts/bump-version.mjs sdk <version>); a tag that does
# not match is refused before anything is built. Builds them, packs each with
# `pnpm pack` into <out-dir> (workspace:* becomes the exact version), then
# publishes the tarballs in dependency order with `npm publish`. A version already
# on the registry is left as it is, so a rerun after a partial failure finishes.
# Environment: npm's own (NPM_CONFIG_REGISTRY, NODE_AUTH_TOKEN through .npmrc);
# PUBLISH_PROVENANCE=false publishes without a provenance statement (only possible
# outside CI: npm signs provenance with the CI's OIDC identity).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tag=${1:-}
out=${2:-}
fail() { echo "publish-sdk: $1" >&2; exit 1; }
[ -n "$tag" ] && [ -n "$out" ] || fail "usage: scripts/publish-sdk.sh sdk@<version> <out-dir>"
# Dependency order: a package is published after everything it depends on.
packages=(protocol runtime host cli create-dify-ts-plugin)
case "$tag" in
  sdk@?*) version=${tag#sdk@} ;;
  *) fail "tag $tag is not sdk@<version>" ;;
esac
mismatched=()
for package in "${packages[@]}"; do
  at=$(node -p "require(process.argv[1]).version" "$root/packages/$package/package.json")
  [ "$at" = "$version" ] || mismatched+=("packages/$package is at $at")
done
if [ ${#mismatched[@]} -gt 0 ]; then
  fail "tag $tag publishes every SDK package at $version, but $(IFS=,; echo "${mismatched[*]}" | sed 's/,/, /g'): bump them first (node scripts/bump-version.mjs sdk $version)"
fi

mkdir -p "$out"
[ -z "$(ls -A "$out")" ] || fail "$out is not empty: give an empty or new directory"
out=$(cd "$out" && pwd)
cd "$root"
pnpm exec turbo run build --filter=@dify-ts/cli...
if [ -n "${GITHUB_REPOSITORY:-}" ]; then
  # npm accepts a provenance statement only when package.json's repository is the one the workflow ran in.
  for package in "${packages[@]}"; do
    (cd "packages/$package" && npm pkg set repository.type=git \
      "repository.url=git+${GITHUB_SERVER_URL:-https://github.com}/$GITHUB_REPOSITORY.git" \
      "repository.directory=packages/$package")
  done
fi
for package in "${packages[@]}"; do
  (cd "packages/$package" && pnpm pack --pack-destination "$out" >/dev/null)
done
for package in "${packages[@]}"; do
  name=$(node -p "require(process.argv[1]).name" "$root/packages/$package/package.json")
  tarball="$out/$(echo "${name#@}" | tr / -)-$version.tgz"
  [ -f "$tarball" ] || fail "pnpm pack wrote no $tarball"
  if [ "$(npm view "$name@$version" version 2>/dev/null)" = "$version" ]; then
    echo "publish-sdk: $name@$version is already on the registry: left as it is"
    continue
  fi
  npm publish "$tarball" --access public --provenance="${PUBLISH_PROVENANCE:-true}"
done
(cd "$out" && sha256sum -- *.tgz >SHA256SUMS && cat SHA256SUMS)

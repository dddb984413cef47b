#!/usr/bin/env bash
# uv, the installer Dify's plugin daemon uses for a plugin's venv (uv venv +
# uv pip install -r requirements.txt), for the packager's launcher test.
# Installed from PyPI into .cache/venvs/uv (idempotent). When it cannot be
# installed, the reason goes to .cache/venvs/uv.unavailable and the test skips.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/step.sh"
version=0.13.9
venvs="$root/.cache/venvs"
dir="$venvs/uv"
mkdir -p "$venvs"
if [ -x "$dir/bin/uv" ] && [ "$(cat "$dir/.version" 2>/dev/null)" = "$version" ]; then exit 0; fi
rm -rf "$dir" "$venvs/uv.unavailable"
step_start "installing uv $version from PyPI"
if python3 -m venv "$dir" >/dev/null 2>&1 && "$dir/bin/pip" install -q --disable-pip-version-check "uv==$version" >"$venvs/uv.log" 2>&1; then
  echo "$version" >"$dir/.version"
  step_end "uv $version ready"
else
  echo "pip install uv==$version failed: $(tail -n 3 "$venvs/uv.log" 2>/dev/null | tr '\n' ' ')" >"$venvs/uv.unavailable"
  rm -rf "$dir"
  step_end "uv unavailable (see $venvs/uv.unavailable)"
fi

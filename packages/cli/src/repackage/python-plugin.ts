/**
 * A small third-party Python plugin package (as the official CLI would zip it),
 * needing one pure wheel: six. `pyprojectOnly` drops requirements.txt, so the
 * dependencies are only in pyproject.toml, whose requires-python it sets.
 * `uvLock` adds the uv.lock that `uv lock` wrote for that pyproject.toml (six
 * pinned to its files.pythonhosted.org URL), as marketplace packages carry one.
 */
import { writeZip } from "../zip/write.js";

const files: Record<string, string> = {
  ".difyignore": ".venv/\n__pycache__/\nwheels/\n",
  "README.md": "# pyplugin\n",
  "_assets/icon.svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>\n',
  "main.py":
    "from dify_plugin import Plugin, DifyPluginEnv\n\nplugin = Plugin(DifyPluginEnv())\n\nif __name__ == '__main__':\n    plugin.run()\n",
  "manifest.yaml": [
    "version: 0.0.1",
    "type: plugin",
    "author: acme",
    "name: pyplugin",
    "label:",
    "  en_US: Py plugin",
    "description:",
    "  en_US: A Python plugin",
    "icon: icon.svg",
    "resource:",
    "  memory: 268435456",
    "plugins:",
    "  tools:",
    "    - provider/pyplugin.yaml",
    "meta:",
    "  version: 0.0.1",
    "  arch:",
    "    - amd64",
    "    - arm64",
    "  runner:",
    "    language: python",
    "    version: '3.12'",
    "    entrypoint: main",
    "created_at: '2025-01-01T00:00:00Z'",
    "",
  ].join("\n"),
  "provider/pyplugin.yaml":
    "identity:\n  author: acme\n  name: pyplugin\n  label:\n    en_US: Py plugin\n  description:\n    en_US: A Python plugin\n  icon: icon.svg\ntools:\n  - tools/noop.yaml\nextra:\n  python:\n    source: provider/pyplugin.py\n",
  "pyproject.toml":
    '[project]\nname = "pyplugin"\nversion = "0.0.1"\nrequires-python = ">=3.12"\ndependencies = ["six==1.17.0"]\n\n[tool.uv]\ndev-dependencies = ["pytest"]\n',
  "requirements.txt": "six==1.17.0\n",
  "tools/noop.yaml":
    "identity:\n  name: noop\n  author: acme\n  label:\n    en_US: Noop\ndescription:\n  human:\n    en_US: Does nothing\n  llm: Does nothing\nparameters: []\nextra:\n  python:\n    source: tools/noop.py\n",
};

const LOCKED_PYPROJECT =
  '[project]\nname = "pyplugin"\nversion = "0.0.1"\nrequires-python = ">=3.11"\ndependencies = ["six==1.17.0"]\n';

const UV_LOCK = `version = 1
revision = 5
requires-python = ">=3.11"

[[package]]
name = "pyplugin"
version = "0.0.1"
source = { virtual = "." }
dependencies = [
    { name = "six" },
]

[package.metadata]
requires-dist = [{ name = "six", specifier = "==1.17.0" }]

[[package]]
name = "six"
version = "1.17.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.pythonhosted.org/packages/94/e7/b2c673351809dca68a0e064b6af791aa332cf192da575fd474ed7d6f16a2/six-1.17.0.tar.gz", hash = "sha256:ff70335d468e7eb6ec65b95b99d3a2836546063f63acc5171de367e834932a81", size = 34031, upload-time = "2024-12-04T17:35:28.174Z" }
wheels = [
    { url = "https://files.pythonhosted.org/packages/b7/ce/149a00dd41f10bc29e5921b496af8b574d8413afcd5e30dfa0ed46c2cc5e/six-1.17.0-py2.py3-none-any.whl", hash = "sha256:4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274", size = 11050, upload-time = "2024-12-04T17:35:26.475Z" },
]
`;

export function pythonPluginPackage(
  options: { pyprojectOnly?: { requiresPython: string }; uvLock?: boolean } = {},
): Buffer {
  const { pyprojectOnly } = options;
  const contents = { ...files };
  if (options.uvLock) {
    contents["pyproject.toml"] = LOCKED_PYPROJECT;
    contents["uv.lock"] = UV_LOCK;
  }
  if (pyprojectOnly) {
    delete contents["requirements.txt"];
    contents["pyproject.toml"] = contents["pyproject.toml"]!.replace(
      'requires-python = ">=3.12"',
      `requires-python = "${pyprojectOnly.requiresPython}"`,
    );
  }
  return writeZip(
    Object.keys(contents)
      .sort()
      .map((path) => ({ path, data: Buffer.from(contents[path]!) })),
  );
}

/**
 * A small third-party Python plugin package (as the official CLI would zip it),
 * needing one pure wheel: six. `pyprojectOnly` drops requirements.txt, so the
 * dependencies are only in pyproject.toml, whose requires-python it sets.
 */
import { writeZip } from "../zip/write.js";

const files: Record<string, string> = {
  ".difyignore": ".venv/\n__pycache__/\nwheels/\n",
  "README.md": "# pyplugin\n",
  "_assets/icon.svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>\n',
  "main.py": "from dify_plugin import Plugin, DifyPluginEnv\n\nplugin = Plugin(DifyPluginEnv())\n\nif __name__ == '__main__':\n    plugin.run()\n",
  "manifest.yaml": [
    "version: 0.0.1", "type: plugin", "author: acme", "name: pyplugin",
    "label:", "  en_US: Py plugin", "description:", "  en_US: A Python plugin", "icon: icon.svg",
    "resource:", "  memory: 268435456", "plugins:", "  tools:", "    - provider/pyplugin.yaml",
    "meta:", "  version: 0.0.1", "  arch:", "    - amd64", "    - arm64", "  runner:", "    language: python", "    version: '3.12'", "    entrypoint: main",
    "created_at: '2025-01-01T00:00:00Z'", "",
  ].join("\n"),
  "provider/pyplugin.yaml": "identity:\n  author: acme\n  name: pyplugin\n  label:\n    en_US: Py plugin\n  description:\n    en_US: A Python plugin\n  icon: icon.svg\ntools:\n  - tools/noop.yaml\nextra:\n  python:\n    source: provider/pyplugin.py\n",
  "pyproject.toml": '[project]\nname = "pyplugin"\nversion = "0.0.1"\nrequires-python = ">=3.12"\ndependencies = ["six==1.17.0"]\n\n[tool.uv]\ndev-dependencies = ["pytest"]\n',
  "requirements.txt": "six==1.17.0\n",
  "tools/noop.yaml": "identity:\n  name: noop\n  author: acme\n  label:\n    en_US: Noop\ndescription:\n  human:\n    en_US: Does nothing\n  llm: Does nothing\nparameters: []\nextra:\n  python:\n    source: tools/noop.py\n",
};

export function pythonPluginPackage(pyprojectOnly?: { requiresPython: string }): Buffer {
  const contents = { ...files };
  if (pyprojectOnly) {
    delete contents["requirements.txt"];
    contents["pyproject.toml"] = contents["pyproject.toml"]!.replace('requires-python = ">=3.12"', `requires-python = "${pyprojectOnly.requiresPython}"`);
  }
  return writeZip(Object.keys(contents).sort().map((path) => ({ path, data: Buffer.from(contents[path]!) })));
}

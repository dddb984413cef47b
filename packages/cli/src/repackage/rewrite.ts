/** The text edits that make a package install from its own wheels/ directory. */

export const OFFLINE_LINE = "--no-index --find-links=./wheels/";

export function offlineRequirements(requirements: string): string {
  return `${OFFLINE_LINE}\n${requirements}`;
}

/** Lines ignoring wheels/ are removed, so the packager keeps the wheels. */
export function unignoreWheels(ignoreFile: string): string {
  return ignoreFile.split("\n").filter((line) => !/^\/?wheels(\/.*)?$/.test(line.trim())).join("\n");
}

const SETTINGS = ["no-index = true", 'find-links = ["./wheels"]'];

/**
 * Daemons from 0.5.3 run `uv sync` when pyproject.toml exists, which ignores
 * requirements.txt: [tool.uv] gets no-index and find-links (any earlier values
 * of those keys are replaced; the rest of the section is kept).
 */
export function patchPyproject(text: string): string {
  const lines = text.split("\n");
  const header = lines.findIndex((line) => /^\s*\[tool\.uv\]\s*(#.*)?$/.test(line));
  if (header === -1) return `${text.replace(/\n*$/, "\n")}\n[tool.uv]\n${SETTINGS.join("\n")}\n`;
  let end = lines.findIndex((line, index) => index > header && /^\s*\[/.test(line));
  if (end === -1) end = lines.length;
  const kept: string[] = [];
  for (let index = header + 1; index < end; index++) {
    const line = lines[index]!;
    if (/^\s*(no-index|find-links)\s*=/.test(line)) {
      // A multi-line array value: skip to its closing bracket.
      if (line.includes("[") && !line.includes("]")) while (index + 1 < end && !lines[index]!.includes("]")) index++;
      continue;
    }
    kept.push(line);
  }
  return [...lines.slice(0, header + 1), ...SETTINGS, ...kept, ...lines.slice(end)].join("\n");
}

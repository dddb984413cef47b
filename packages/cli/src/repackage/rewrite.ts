/** The text edits that make a package install from its own wheels/ directory. */

export const OFFLINE_LINE = "--no-index --find-links=./wheels/";

export function offlineRequirements(requirements: string): string {
  return `${OFFLINE_LINE}\n${requirements}`;
}

/** Lines ignoring wheels/ are removed, so the packager keeps the wheels. */
export function unignoreWheels(ignoreFile: string): string {
  return ignoreFile
    .split("\n")
    .filter((line) => !/^\/?wheels(\/.*)?$/.test(line.trim()))
    .join("\n");
}

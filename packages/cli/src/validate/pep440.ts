/**
 * PEP 440 versions as Python's packaging.version.Version parses them (the Dify
 * API parses the plugin version with it), case-insensitive, optional "v".
 */
const PEP440 = new RegExp(
  "^v?(?:\\d+!)?\\d+(?:\\.\\d+)*" +
    "(?:[-_.]?(?:alpha|a|beta|b|preview|pre|c|rc)[-_.]?\\d*)?" +
    "(?:-\\d+|[-_.]?(?:post|rev|r)[-_.]?\\d*)?" +
    "(?:[-_.]?dev[-_.]?\\d*)?" +
    "(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$",
  "i",
);

export function isPep440(version: string): boolean {
  return PEP440.test(version.trim());
}

// The oldest Node each release line needs: zlib.crc32 (the zip writer) came in 22.2 and was
// backported to 20.15; 21.x never had it. Plain JavaScript with no dependencies, so it runs
// (and explains itself) on any Node, also one too old for the rest of the code.
// Used by bin/dify-ts.js and by the repository's scripts (`node packages/cli/bin/node-version.js`).
import { pathToFileURL } from "node:url";

export const supportedNode = "20.15+ (on 20.x) or 22.2+";

/** Why this Node version cannot run dify-ts, or undefined when it can. */
export function unsupportedNode(version) {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  const ok = major > 22 || (major === 22 && minor >= 2) || (major === 20 && minor >= 15);
  return ok
    ? undefined
    : `error: dify-ts needs Node ${supportedNode}; this is Node ${version.replace(/^v?/, "v")}: install Node 22 or 24 (or update Node 20)`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const problem = unsupportedNode(process.versions.node);
  if (problem) {
    process.stderr.write(problem + "\n");
    process.exit(1);
  }
}

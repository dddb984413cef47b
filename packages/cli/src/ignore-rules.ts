/**
 * The official CLI's file walk for a plugin directory (decoder/fs.go): the
 * root `.difyignore`, else `.gitignore`; gitignore patterns; a path is dropped
 * as soon as any pattern excludes it, so negations re-include nothing.
 */
import ignore from "ignore";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { listFiles } from "./files.js";

export function ignoreRules(dir: string): (path: string) => boolean {
  const file = [".difyignore", ".gitignore"].map((name) => join(dir, name)).find((path) => existsSync(path));
  const patterns = file
    ? readFileSync(file, "utf8")
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#") && !line.startsWith("!"))
    : [];
  const matcher = ignore().add(patterns);
  return (path) => matcher.ignores(path);
}

/** Files a package of `dir` would contain, as '/' paths, in bytewise order. */
export async function walkPluginDirectory(dir: string): Promise<string[]> {
  const ignored = ignoreRules(dir);
  const files = await listFiles(dir);
  // A file is ignored when it, or any directory above it, matches.
  return files
    .filter((path) => {
      const parts = path.split("/");
      for (let depth = 1; depth < parts.length; depth++)
        if (ignored(parts.slice(0, depth).join("/") + "/")) return false;
      return !ignored(path);
    })
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

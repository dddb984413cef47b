/** Extracts a .difypkg as the daemon does (ExtractTo): files only, paths kept inside the target, mode 0644. */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { readZip } from "./zip/read.js";
import { assertZipPath } from "./zip/write.js";

export async function extractPackage(pkg: Buffer, target: string): Promise<string[]> {
  const written: string[] = [];
  for (const entry of readZip(pkg).entries) {
    if (entry.isDirectory) continue;
    assertZipPath(entry.name);
    const file = join(target, entry.name);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, entry.read(), { mode: 0o644 });
    written.push(entry.name);
  }
  return written;
}

/** Small filesystem helpers: recursive listing with '/' paths, and atomic writes. */
import { readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { mkdir } from "node:fs/promises";

/** Files under `root` (not following symlinked directories), as '/' paths relative to `base`. */
export async function listFiles(root: string, base = root): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path, base)));
    else if (entry.isFile() || entry.isSymbolicLink()) files.push(relative(base, path).split(sep).join("/"));
  }
  return files;
}

/** Writes through a temporary name and renames: readers never see a partial file. */
export async function writeFileAtomic(file: string, data: Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.partial`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

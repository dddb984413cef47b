/** Turning a list of package files into a .difypkg on disk, and reading one back. */
import { readFile } from "node:fs/promises";
import { checksumOfFiles, type PackageFile } from "./checksum.js";
import { writeFileAtomic } from "./files.js";
import { readZip } from "./zip/read.js";
import { compareZipPaths, writeZip } from "./zip/write.js";

export const MIB = 1024 * 1024;
/** The official CLI's and the daemon's default limit (MAX_PLUGIN_PACKAGE_SIZE) on uncompressed bytes. */
export const DEFAULT_MAX_SIZE_MIB = 50;

export interface WrittenPackage {
  file: string;
  /** Paths in zip order. */
  files: string[];
  checksum: string;
  bytes: number;
}

/** Sorted bytewise by path, zipped deterministically, written atomically. */
export async function writePackage(files: readonly PackageFile[], file: string): Promise<WrittenPackage> {
  const sorted = [...files].sort((a, b) => compareZipPaths(a.path, b.path));
  const zip = writeZip(sorted);
  await writeFileAtomic(file, zip);
  return { file, files: sorted.map((entry) => entry.path), checksum: checksumOfFiles(sorted), bytes: zip.length };
}

/** Every file of a package, in zip order. Throws ZipFormatError on a corrupt archive. */
export async function readPackageFiles(file: string): Promise<PackageFile[]> {
  const archive = readZip(await readFile(file));
  return archive.entries
    .filter((entry) => !entry.isDirectory)
    .map((entry) => ({ path: entry.name, data: entry.read() }));
}

export function sizeProblem(
  files: readonly PackageFile[],
  maxSizeMiB: number,
): { field: string; message: string } | undefined {
  const total = files.reduce((sum, file) => sum + file.data.length, 0);
  if (total <= maxSizeMiB * MIB) return undefined;
  const largest = [...files]
    .sort((a, b) => b.data.length - a.data.length)
    .slice(0, 5)
    .map((file) => `${file.path} (${(file.data.length / MIB).toFixed(1)} MiB)`);
  return {
    field: "package size",
    message: `${(total / MIB).toFixed(1)} MiB uncompressed exceeds the ${maxSizeMiB} MiB limit (Dify's MAX_PLUGIN_PACKAGE_SIZE default); largest: ${largest.join(", ")}; raise it with --max-size <MiB> only if the target Dify was reconfigured`,
  };
}

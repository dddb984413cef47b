/**
 * The daemon's package checksum (decoder/checksum.go): for every file,
 * sha256(path) then sha256(content), in bytewise path order, hashed again.
 * It is the `@<checksum>` of the unique identifier `author/name:version@…`.
 */
import { createHash } from "node:crypto";
import { compareZipPaths } from "./zip/write.js";

export interface PackageFile {
  path: string;
  data: Uint8Array;
}

const sha256 = (data: Uint8Array | string): Buffer => createHash("sha256").update(data).digest();

export function checksumOfFiles(files: readonly PackageFile[]): string {
  const sorted = [...files].sort((a, b) => compareZipPaths(a.path, b.path));
  const outer = createHash("sha256");
  for (const file of sorted) {
    outer.update(sha256(file.path));
    outer.update(sha256(file.data));
  }
  return outer.digest("hex");
}

/**
 * Writes a .difypkg the way the official `dify plugin package` does (Go's
 * zip.Writer.Create): file entries only, '/' paths, Deflate, zero DOS
 * timestamps, no Unix mode bits, created by "FAT". No clock, no filesystem
 * metadata: the same entries in the same order give the same bytes.
 */
import { crc32, deflateRawSync } from "node:zlib";

export interface ZipInput {
  path: string;
  data: Uint8Array;
}

const VERSION = 20; // 2.0: Deflate, no zip64
const UTF8_FLAG = 0x0800;
const MAX_32 = 0xffffffff;

/** Bytewise (UTF-8) path order, as Go's sort.Strings and the daemon's checksum use. */
export function compareZipPaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function assertZipPath(path: string): void {
  if (
    path === "" ||
    path.startsWith("/") ||
    path.includes("\\") ||
    path.endsWith("/") ||
    path.split("/").some((part) => part === "" || part === "." || part === "..")
  ) {
    throw new Error(`invalid path in package: ${JSON.stringify(path)} (relative '/' paths to files only)`);
  }
}

/** Entries are written in the order given; callers sort them (sign keeps the existing order). */
export function writeZip(entries: readonly ZipInput[], comment = ""): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const entry of entries) {
    assertZipPath(entry.path);
    if (seen.has(entry.path)) throw new Error(`duplicate path in package: ${entry.path}`);
    seen.add(entry.path);
    const name = Buffer.from(entry.path, "utf8");
    const flags = /^[\x20-\x7e]*$/.test(entry.path) ? 0 : UTF8_FLAG;
    const compressed = deflateRawSync(entry.data);
    const crc = crc32(entry.data);
    if (entry.data.length > MAX_32 || offset > MAX_32)
      throw new Error(`package too large for a zip without zip64 at ${entry.path}`);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(8, 8); // Deflate
    // bytes 10..13: DOS time and date, zero as in the official packages
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, compressed);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(VERSION, 4); // made by: FAT (0) << 8 | 2.0
    header.writeUInt16LE(VERSION, 6);
    header.writeUInt16LE(flags, 8);
    header.writeUInt16LE(8, 10);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(compressed.length, 20);
    header.writeUInt32LE(entry.data.length, 24);
    header.writeUInt16LE(name.length, 28);
    // extra, comment, disk, internal and external attributes: all zero
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(central);
  const commentBytes = Buffer.from(comment, "utf8");
  if (entries.length > 0xffff || commentBytes.length > 0xffff)
    throw new Error("too many files or too long a comment for a zip without zip64");
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(commentBytes.length, 20);
  return Buffer.concat([...parts, directory, end, commentBytes]);
}

/**
 * Reads a .difypkg as the daemon's decoder (Go's archive/zip) sees it: the
 * central directory in order, each entry's bytes inflated and CRC-checked on
 * demand, and the archive comment (where a signature lives).
 */
import { crc32, inflateRawSync } from "node:zlib";

export class ZipFormatError extends Error {
  override readonly name = "ZipFormatError";
}

export interface ZipEntry {
  name: string;
  /** A name ending in '/': the daemon reads it as a file and fails ("is a directory"). */
  isDirectory: boolean;
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  externalAttributes: number;
  /** The entry's bytes; throws ZipFormatError when they are corrupt. */
  read(): Buffer;
}

export interface ZipArchive {
  entries: ZipEntry[];
  comment: string;
}

const END_SIGNATURE = 0x06054b50;

export function readZip(buffer: Buffer): ZipArchive {
  const endOffset = findEnd(buffer);
  const count = buffer.readUInt16LE(endOffset + 10);
  const directorySize = buffer.readUInt32LE(endOffset + 12);
  const directoryOffset = buffer.readUInt32LE(endOffset + 16);
  const commentLength = buffer.readUInt16LE(endOffset + 20);
  if (count === 0xffff || directoryOffset === 0xffffffff)
    throw new ZipFormatError("zip64 archives are not supported (a .difypkg is far below 4 GiB)");
  if (directoryOffset + directorySize > endOffset)
    throw new ZipFormatError("not a valid zip file: the central directory lies outside the file");
  const comment = buffer.subarray(endOffset + 22, endOffset + 22 + commentLength).toString("utf8");

  const entries: ZipEntry[] = [];
  let position = directoryOffset;
  for (let index = 0; index < count; index++) {
    if (position + 46 > buffer.length || buffer.readUInt32LE(position) !== 0x02014b50) {
      throw new ZipFormatError(`not a valid zip file: central directory entry ${index} is damaged`);
    }
    const method = buffer.readUInt16LE(position + 10);
    const crc = buffer.readUInt32LE(position + 16);
    const compressedSize = buffer.readUInt32LE(position + 20);
    const size = buffer.readUInt32LE(position + 24);
    const nameLength = buffer.readUInt16LE(position + 28);
    const extraLength = buffer.readUInt16LE(position + 30);
    const entryCommentLength = buffer.readUInt16LE(position + 32);
    const externalAttributes = buffer.readUInt32LE(position + 38);
    const localOffset = buffer.readUInt32LE(position + 42);
    const name = buffer.subarray(position + 46, position + 46 + nameLength).toString("utf8");
    position += 46 + nameLength + extraLength + entryCommentLength;
    entries.push({
      name,
      isDirectory: name.endsWith("/"),
      method,
      compressedSize,
      size,
      crc,
      externalAttributes,
      read: () => readEntry(buffer, { name, method, crc, compressedSize, size, localOffset }),
    });
  }
  return { entries, comment };
}

function findEnd(buffer: Buffer): number {
  const earliest = Math.max(0, buffer.length - 22 - 0xffff);
  for (let offset = buffer.length - 22; offset >= earliest; offset--) {
    if (buffer.readUInt32LE(offset) === END_SIGNATURE) return offset;
  }
  throw new ZipFormatError("not a valid zip file (no end of central directory record)");
}

function readEntry(
  buffer: Buffer,
  entry: { name: string; method: number; crc: number; compressedSize: number; size: number; localOffset: number },
): Buffer {
  const at = entry.localOffset;
  if (at + 30 > buffer.length || buffer.readUInt32LE(at) !== 0x04034b50)
    throw new ZipFormatError(`${entry.name}: local header is damaged`);
  const start = at + 30 + buffer.readUInt16LE(at + 26) + buffer.readUInt16LE(at + 28);
  const raw = buffer.subarray(start, start + entry.compressedSize);
  if (raw.length !== entry.compressedSize) throw new ZipFormatError(`${entry.name}: data is truncated`);
  let data: Buffer;
  if (entry.method === 0) data = Buffer.from(raw);
  else if (entry.method === 8) {
    try {
      data = inflateRawSync(raw);
    } catch (error) {
      throw new ZipFormatError(`${entry.name}: Deflate data is corrupt (${(error as Error).message})`);
    }
  } else
    throw new ZipFormatError(`${entry.name}: unsupported compression method ${entry.method} (Store or Deflate only)`);
  if (data.length !== entry.size || crc32(data) !== entry.crc)
    throw new ZipFormatError(`${entry.name}: checksum mismatch (the file is corrupt)`);
  return data;
}

/**
 * The S3 benchmark's measurements: a 1 GiB upload through s3_upload_file over
 * stdio (the file served by a stand-in for Dify's file URLs) against a direct
 * lib-storage upload (SDK defaults) of the same file from disk, a 30 MiB download as blob
 * chunks over stdio, a 20 MiB download as base64 text, and 20 files of 50 MiB
 * through one s3_upload_files call against twenty lib-storage uploads at the
 * same concurrency, with the plugin process's peak RSS from /proc.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import { open } from "node:fs/promises";
// Dependencies come through plugins/s3 (bench/ is no package and has no node_modules).
import type { S3Bucket } from "../../plugins/s3/src/bucket.js";
import { forEachLimited } from "../../plugins/s3/src/concurrency.js";
import { countObjectBytes, deleteObject, putObject, sdkUpload } from "../../plugins/s3/test/support/admin.js";
import type { FileServer } from "../../plugins/s3/test/support/file-server.js";
import { invokeTool, reassemble, type Credentials, type PluginProcess } from "../../plugins/s3/test/support/plugin.js";

export const MiB = 1024 * 1024;

export interface Transfer {
  bytes: number;
  seconds: number;
  /** Peak resident memory of the plugin process (VmHWM), when a plugin did the transfer. */
  peakRss?: number;
  /** CPU seconds the plugin process spent on the transfer (user + system): insensitive to other load on the machine. */
  cpuSeconds?: number;
}

export const mibPerSecond = (transfer: Transfer) => transfer.bytes / MiB / transfer.seconds;

/** Writes `bytes` of incompressible data in 8 MiB blocks, each made unique by its index. */
export async function writeSourceFile(path: string, bytes: number): Promise<void> {
  const block = randomBytes(8 * MiB);
  const file = await open(path, "w");
  try {
    for (let offset = 0, index = 0; offset < bytes; offset += block.length, index++) {
      block.writeUInt32BE(index, 0);
      await file.write(block, 0, Math.min(block.length, bytes - offset));
    }
  } finally {
    await file.close();
  }
}

const CLOCK_TICKS = 100;

/** User + system CPU seconds of a live process (/proc/<pid>/stat fields 14 and 15). */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** VmHWM (peak RSS) of a live process, in bytes. */
export function peakRssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) * 1024;
}

export async function directUpload(bucket: S3Bucket, path: string, bytes: number, key: string): Promise<Transfer> {
  const begin = performance.now();
  await sdkUpload(bucket, key, createReadStream(path, { highWaterMark: MiB }));
  const seconds = (performance.now() - begin) / 1000;
  const stored = await countObjectBytes(bucket, key);
  if (stored !== bytes) throw new Error(`direct upload stored ${stored} bytes, expected ${bytes}`);
  await deleteObject(bucket, key);
  return { bytes, seconds };
}

export async function pluginUpload(
  plugin: PluginProcess,
  credentials: Credentials,
  files: FileServer,
  path: string,
  bytes: number,
  key: string,
  bucket: S3Bucket,
): Promise<Transfer> {
  await plugin.waitForHeartbeat(60_000);
  const url = files.origin + files.add({ path });
  const file = {
    dify_model_identity: "__dify__file__",
    url,
    filename: "source.bin",
    mime_type: "application/octet-stream",
    size: bytes,
    type: "custom",
  };
  const pid = plugin.child.pid!;
  const cpuBefore = cpuSecondsOf(pid);
  const begin = performance.now();
  const result = await invokeTool(plugin, credentials, "s3_upload_file", { file, s3_key: key });
  const seconds = (performance.now() - begin) / 1000;
  const cpuSeconds = cpuSecondsOf(pid) - cpuBefore;
  const peakRss = peakRssOf(pid);
  if (result.error) throw new Error(`s3_upload_file failed: ${result.error.message}`);
  const size = (reassemble(result.stream).jsons[0] as { size: number }).size;
  if (size !== bytes) throw new Error(`s3_upload_file stored ${size} bytes, expected ${bytes}`);
  await deleteObject(bucket, key);
  return { bytes, seconds, peakRss, cpuSeconds };
}

/** The batch baseline: `count` lib-storage uploads (SDK defaults) of the file from disk, `concurrency` at a time. */
export async function directBatch(
  bucket: S3Bucket,
  path: string,
  count: number,
  bytes: number,
  concurrency: number,
): Promise<Transfer> {
  const begin = performance.now();
  await forEachLimited(count, concurrency, (index) =>
    sdkUpload(bucket, `direct-batch/${index}.bin`, createReadStream(path, { highWaterMark: MiB })),
  );
  const seconds = (performance.now() - begin) / 1000;
  await forEachLimited(count, concurrency, async (index) => {
    const stored = await countObjectBytes(bucket, `direct-batch/${index}.bin`);
    if (stored !== bytes) throw new Error(`direct batch upload ${index} stored ${stored} bytes, expected ${bytes}`);
    await deleteObject(bucket, `direct-batch/${index}.bin`);
  });
  return { bytes: count * bytes, seconds };
}

/** One s3_upload_files call with `count` Dify files (the same file under `count` links), `concurrency` at a time. */
export async function pluginBatch(
  plugin: PluginProcess,
  credentials: Credentials,
  files: FileServer,
  path: string,
  count: number,
  bytes: number,
  concurrency: number,
  bucket: S3Bucket,
): Promise<Transfer> {
  await plugin.waitForHeartbeat(60_000);
  const list = Array.from({ length: count }, (_, index) => ({
    dify_model_identity: "__dify__file__",
    url: files.origin + files.add({ path }),
    filename: `${index}.bin`,
    mime_type: "application/octet-stream",
    size: bytes,
    type: "custom",
  }));
  const pid = plugin.child.pid!;
  const cpuBefore = cpuSecondsOf(pid);
  const begin = performance.now();
  const result = await invokeTool(plugin, credentials, "s3_upload_files", {
    files: list,
    key_prefix: "plugin-batch",
    concurrency,
  });
  const seconds = (performance.now() - begin) / 1000;
  const cpuSeconds = cpuSecondsOf(pid) - cpuBefore;
  const peakRss = peakRssOf(pid);
  if (result.error) throw new Error(`s3_upload_files failed: ${result.error.message}`);
  const report = reassemble(result.stream).jsons[0] as { uploaded: number; files: { key: string; size: number }[] };
  if (report.uploaded !== count || report.files.some((file) => file.size !== bytes))
    throw new Error(`s3_upload_files stored ${report.uploaded} of ${count} files`);
  await forEachLimited(count, concurrency, (index) => deleteObject(bucket, `plugin-batch/${index}.bin`));
  return { bytes: count * bytes, seconds, peakRss, cpuSeconds };
}

/** Puts an object of `bytes` and returns its SHA-256, for checking what a download returns. */
export async function prepareDownload(bucket: S3Bucket, key: string, bytes: number): Promise<string> {
  const data = randomBytes(bytes);
  await putObject(bucket, key, data);
  return createHash("sha256").update(data).digest("hex");
}

export async function directDownload(bucket: S3Bucket, key: string, bytes: number): Promise<Transfer> {
  const begin = performance.now();
  const received = await countObjectBytes(bucket, key);
  if (received !== bytes) throw new Error(`direct download returned ${received} bytes, expected ${bytes}`);
  return { bytes, seconds: (performance.now() - begin) / 1000 };
}

/**
 * One s3_download_file call, timed from the request line to the session's end.
 * A first call (s3_head_object) loads the SDK's lazily required modules, so the
 * figure is the steady state of a running plugin, not its first request.
 */
export async function pluginDownload(
  plugin: PluginProcess,
  credentials: Credentials,
  key: string,
  bytes: number,
  sha256: string,
): Promise<Transfer> {
  await plugin.waitForHeartbeat(60_000);
  await invokeTool(plugin, credentials, "s3_head_object", { s3_key: key });
  const pid = plugin.child.pid!;
  const cpuBefore = cpuSecondsOf(pid);
  const begin = performance.now();
  const result = await invokeTool(plugin, credentials, "s3_download_file", { s3_key: key });
  const seconds = (performance.now() - begin) / 1000;
  const cpuSeconds = cpuSecondsOf(pid) - cpuBefore;
  const peakRss = peakRssOf(pid);
  if (result.error) throw new Error(`s3_download_file failed: ${result.error.message}`);
  const blob = reassemble(result.stream).blobs[0];
  if (!blob || createHash("sha256").update(blob.data).digest("hex") !== sha256)
    throw new Error("the downloaded blob differs from the object");
  return { bytes, seconds, peakRss, cpuSeconds };
}

/** One s3_download_base64 call (the object at the tool's 20 MB cap), timed and checked like pluginDownload. */
export async function pluginDownloadBase64(
  plugin: PluginProcess,
  credentials: Credentials,
  key: string,
  bytes: number,
  sha256: string,
): Promise<Transfer> {
  await plugin.waitForHeartbeat(60_000);
  await invokeTool(plugin, credentials, "s3_head_object", { s3_key: key });
  const pid = plugin.child.pid!;
  const cpuBefore = cpuSecondsOf(pid);
  const begin = performance.now();
  const result = await invokeTool(plugin, credentials, "s3_download_base64", { s3_key: key, max_size_mb: bytes / MiB });
  const seconds = (performance.now() - begin) / 1000;
  const cpuSeconds = cpuSecondsOf(pid) - cpuBefore;
  const peakRss = peakRssOf(pid);
  if (result.error) throw new Error(`s3_download_base64 failed: ${result.error.message}`);
  const encoded = reassemble(result.stream).variables.base64;
  if (
    typeof encoded !== "string" ||
    createHash("sha256").update(Buffer.from(encoded, "base64")).digest("hex") !== sha256
  ) {
    throw new Error("the downloaded base64 differs from the object");
  }
  return { bytes, seconds, peakRss, cpuSeconds };
}

/**
 * bench/s3: the S3 plugin's throughput and memory, each against a baseline
 * measured in the same run on the same versitygw server.
 *
 *   node --conditions=source --import tsx bench/s3/run.ts [--smoke] [--upload-mib N]
 *
 * Upload: a 1 GiB file served from a local HTTP server (standing in for Dify's
 * file URLs) through s3_upload_file over stdio, against a direct lib-storage
 * upload of the same file from disk. Download: a 30 MiB object through
 * s3_download_file as 8 KiB blob chunks over stdio, and a 20 MiB object (the tool's
 * cap) through s3_download_base64 as streamed base64 text. Each plugin run is a fresh
 * process; its peak RSS is VmHWM from /proc. The plugin runs twice: from
 * TypeScript with tsx on this Node (as the tests run it) and, when the wheel's
 * Node is installed, as the esbuild bundle on Node 24 (as Dify runs it).
 * Batch: 20 files of 50 MiB through one s3_upload_files call (4 at a time)
 * against twenty direct lib-storage uploads, 4 at a time, in the same run.
 * Targets: peak RSS <= 150 MB (10^6 bytes) during the upload; upload >= 80 % of
 * direct; download >= 100 MiB/s; batch >= 80 % of direct, peak RSS <= 200 MB.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { bundlePlugin } from "../../packages/cli/src/bundle.js";
import { createBucket, s3Credentials } from "../../plugins/s3/test/support/admin.js";
import { startFileServer } from "../../plugins/s3/test/support/file-server.js";
import { PluginProcess, pluginRoot, startPlugin, wheelNode } from "../../plugins/s3/test/support/plugin.js";
import { startVersitygw, versitygwUnavailable } from "../../plugins/s3/test/support/versitygw.js";
import {
  MiB,
  directBatch,
  directDownload,
  directUpload,
  pluginBatch,
  pluginDownload,
  pluginDownloadBase64,
  pluginUpload,
  prepareDownload,
  writeSourceFile,
  type Transfer,
} from "./measure.js";
import { renderReport } from "./report.js";

export interface Profile {
  uploadBytes: number;
  downloadBytes: number;
  base64Bytes: number;
  /** s3_upload_files: this many files of batchFileBytes, batchConcurrency at a time (the tool's default, 4). */
  batchFiles: number;
  batchFileBytes: number;
  batchConcurrency: number;
}

export const FULL: Profile = {
  uploadBytes: 1024 * MiB,
  downloadBytes: 30 * MiB,
  base64Bytes: 20 * MiB,
  batchFiles: 20,
  batchFileBytes: 50 * MiB,
  batchConcurrency: 4,
};
export const SMOKE: Profile = {
  uploadBytes: 20 * MiB,
  downloadBytes: 1 * MiB,
  base64Bytes: 1 * MiB,
  batchFiles: 3,
  batchFileBytes: 9 * MiB,
  batchConcurrency: 2,
};

export interface ContenderFigures {
  name: string;
  /** The direct upload measured right before this contender's, so both see the same machine load. */
  directUpload: Transfer;
  upload: Transfer;
  download: Transfer;
  downloadBase64: Transfer;
  /** The twenty direct uploads measured right before this contender's s3_upload_files call. */
  directBatch: Transfer;
  batch: Transfer;
}

export interface Figures {
  profile: Profile;
  /** Load average (1 min) at the start and the end: other work on the machine slows wall-clock figures. */
  load: [number, number];
  directDownload: Transfer;
  contenders: ContenderFigures[];
  /** Why a contender did not run. */
  skipped: string[];
}

interface Contender {
  name: string;
  start(): PluginProcess;
}

async function contenders(workDir: string): Promise<{ list: Contender[]; skipped: string[] }> {
  const env = { MAX_REQUEST_TIMEOUT: "1800" };
  const list: Contender[] = [{ name: `plugin (tsx, Node ${process.versions.node})`, start: () => startPlugin(env) }];
  const skipped: string[] = [];
  const node24 = wheelNode();
  if (!node24.path) {
    skipped.push(`bundle on the wheel's Node: ${node24.reason}`);
  } else {
    const bundle = await bundlePlugin(pluginRoot, { outFile: join(workDir, "app", "main.mjs") });
    list.push({
      name: "plugin (bundle, wheel Node 24)",
      start: () => PluginProcess.spawn({ command: node24.path!, args: [bundle.file], cwd: pluginRoot, env }),
    });
  }
  return { list, skipped };
}

export async function measure(profile: Profile): Promise<Figures> {
  if (versitygwUnavailable) throw new Error(`versitygw is needed: ${versitygwUnavailable}`);
  const loadStart = loadavg()[0]!;
  // The source file and the bundle live in a fresh temporary directory, removed at the end.
  const workDir = await mkdtemp(join(tmpdir(), "dify-ts-bench-s3-"));
  const source = join(workDir, "source.bin");
  const batchSource = join(workDir, "batch-source.bin");
  const s3 = await startVersitygw();
  const files = await startFileServer();
  const credentials = s3Credentials(s3.endpoint, "bench");
  const bucket = await createBucket(credentials);
  try {
    await writeSourceFile(source, profile.uploadBytes);
    await writeSourceFile(batchSource, profile.batchFileBytes);
    const downloadKey = "download/object.bin";
    const sha256 = await prepareDownload(bucket, downloadKey, profile.downloadBytes);
    const base64Key = "download/base64.bin";
    const base64Sha256 = await prepareDownload(bucket, base64Key, profile.base64Bytes);
    const { list, skipped } = await contenders(workDir);
    const results: ContenderFigures[] = [];
    for (const contender of list) {
      const baselineUpload = await directUpload(bucket, source, profile.uploadBytes, "direct/upload.bin");
      const uploader = contender.start();
      const upload = await pluginUpload(
        uploader,
        credentials,
        files,
        source,
        profile.uploadBytes,
        "plugin/upload.bin",
        bucket,
      ).finally(() => uploader.kill());
      const downloader = contender.start();
      const download = await pluginDownload(
        downloader,
        credentials,
        downloadKey,
        profile.downloadBytes,
        sha256,
      ).finally(() => downloader.kill());
      const encoder = contender.start();
      const downloadBase64 = await pluginDownloadBase64(
        encoder,
        credentials,
        base64Key,
        profile.base64Bytes,
        base64Sha256,
      ).finally(() => encoder.kill());
      const { batchFiles, batchFileBytes, batchConcurrency } = profile;
      const baselineBatch = await directBatch(bucket, batchSource, batchFiles, batchFileBytes, batchConcurrency);
      const batcher = contender.start();
      const batch = await pluginBatch(
        batcher,
        credentials,
        files,
        batchSource,
        batchFiles,
        batchFileBytes,
        batchConcurrency,
        bucket,
      ).finally(() => batcher.kill());
      results.push({
        name: contender.name,
        directUpload: baselineUpload,
        upload,
        download,
        downloadBase64,
        directBatch: baselineBatch,
        batch,
      });
    }
    const baselineDownload = await directDownload(bucket, downloadKey, profile.downloadBytes);
    return {
      profile,
      load: [loadStart, loadavg()[0]!],
      directDownload: baselineDownload,
      contenders: results,
      skipped,
    };
  } finally {
    bucket.close();
    await files.close();
    await s3.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const uploadMib = Number(process.argv[process.argv.indexOf("--upload-mib") + 1]);
  const base = process.argv.includes("--smoke") ? SMOKE : FULL;
  const profile =
    process.argv.includes("--upload-mib") && uploadMib > 0 ? { ...base, uploadBytes: uploadMib * MiB } : base;
  const figures = await measure(profile);
  process.stdout.write(renderReport(figures) + "\n");
}

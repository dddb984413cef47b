/** The S3 benchmark's table: each figure, its baseline or target, and whether it is met. */
import { cpus, release, totalmem } from "node:os";
import { MiB, mibPerSecond, type Transfer } from "./measure.js";
import type { Figures } from "./run.js";

const RSS_TARGET_BYTES = 150_000_000;
const UPLOAD_RATIO_TARGET = 0.8;
const DOWNLOAD_TARGET_MIB_S = 100;
const BATCH_RSS_TARGET_BYTES = 200_000_000;

export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? "unknown CPU"} x${cpu.length}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Linux ${release()}, bench process Node ${process.versions.node}`;
}

const size = (bytes: number) => (bytes >= 1024 * MiB ? `${bytes / 1024 / MiB} GiB` : `${bytes / MiB} MiB`);
const speed = (transfer: Transfer) => `${mibPerSecond(transfer).toFixed(1)} MiB/s (${transfer.seconds.toFixed(2)} s)`;
const cpu = (transfer: Transfer) =>
  transfer.cpuSeconds
    ? `plugin CPU ${transfer.cpuSeconds.toFixed(2)} s = ${(transfer.bytes / MiB / transfer.cpuSeconds).toFixed(0)} MiB per CPU-second`
    : "";
const memory = (bytes: number | undefined) => (bytes === undefined ? "" : `${(bytes / 1e6).toFixed(1)} MB`);
const verdict = (ok: boolean) => (ok ? "met" : "MISSED");

export function renderReport(figures: Figures): string {
  const up = size(figures.profile.uploadBytes);
  const down = size(figures.profile.downloadBytes);
  const encoded = size(figures.profile.base64Bytes);
  const batch = `${figures.profile.batchFiles} x ${size(figures.profile.batchFileBytes)}`;
  const batchRatio = (contender: Figures["contenders"][number]) =>
    mibPerSecond(contender.batch) / mibPerSecond(contender.directBatch);
  const rows: string[][] = [[`download ${down}: direct GetObject (reference)`, speed(figures.directDownload), "", ""]];
  for (const contender of figures.contenders) {
    const ratio = mibPerSecond(contender.upload) / mibPerSecond(contender.directUpload);
    const downloadRate = mibPerSecond(contender.download);
    rows.push(
      [`${contender.name}`, "", "", ""],
      [`  upload ${up}: direct lib-storage from disk (baseline, just before)`, speed(contender.directUpload), "", ""],
      [
        `  upload ${up}: s3_upload_file over stdio`,
        `${speed(contender.upload)}, ${ratio.toFixed(2)} x direct`,
        `>= ${UPLOAD_RATIO_TARGET} x direct`,
        verdict(ratio >= UPLOAD_RATIO_TARGET),
      ],
      [
        `    peak RSS of the plugin during the upload`,
        memory(contender.upload.peakRss),
        `<= ${RSS_TARGET_BYTES / 1e6} MB`,
        verdict((contender.upload.peakRss ?? Infinity) <= RSS_TARGET_BYTES),
      ],
      [`    CPU`, cpu(contender.upload), "", ""],
      [
        `  download ${down}: s3_download_file as blob chunks over stdio`,
        speed(contender.download),
        `>= ${DOWNLOAD_TARGET_MIB_S} MiB/s`,
        verdict(downloadRate >= DOWNLOAD_TARGET_MIB_S),
      ],
      [`    peak RSS of the plugin during the download`, memory(contender.download.peakRss), "", ""],
      [`    CPU`, cpu(contender.download), "", ""],
      [
        `  download ${encoded}: s3_download_base64 as streamed base64 over stdio`,
        speed(contender.downloadBase64),
        "",
        "",
      ],
      [`    peak RSS of the plugin during the base64 download`, memory(contender.downloadBase64.peakRss), "", ""],
      [
        `  upload ${batch}: direct lib-storage from disk, ${figures.profile.batchConcurrency} at a time (baseline, just before)`,
        speed(contender.directBatch),
        "",
        "",
      ],
      [
        `  upload ${batch}: one s3_upload_files call, ${figures.profile.batchConcurrency} at a time`,
        `${speed(contender.batch)}, ${batchRatio(contender).toFixed(2)} x direct`,
        `>= ${UPLOAD_RATIO_TARGET} x direct`,
        verdict(batchRatio(contender) >= UPLOAD_RATIO_TARGET),
      ],
      [
        `    peak RSS of the plugin during the batch`,
        memory(contender.batch.peakRss),
        `<= ${BATCH_RSS_TARGET_BYTES / 1e6} MB`,
        verdict((contender.batch.peakRss ?? Infinity) <= BATCH_RSS_TARGET_BYTES),
      ],
      [`    CPU`, cpu(contender.batch), "", ""],
    );
  }
  const header = ["measurement", "result", "target", ""];
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  return [
    `S3 plugin benchmark, ${new Date().toISOString()}`,
    `${machine()}; load average ${figures.load[0].toFixed(2)} at the start, ${figures.load[1].toFixed(2)} at the end`,
    "",
    line(header),
    `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`,
    ...rows.map(line),
    ...figures.skipped.map((reason) => `skipped: ${reason}`),
  ].join("\n");
}

/**
 * Smoke form of the S3 benchmark (CI): the same harness with tiny sizes,
 * checking that every figure is measured and the table renders. Not a timed
 * test: no figure is compared with a target here.
 */
import { describe, expect, it } from "vitest";
import { versitygwUnavailable } from "../../plugins/s3/test/support/versitygw.js";
import { renderReport } from "./report.js";
import { SMOKE, measure } from "./run.js";

if (versitygwUnavailable) console.warn(`bench/s3 smoke skipped: ${versitygwUnavailable}`);

describe.skipIf(versitygwUnavailable)(
  `bench/s3 (smoke)${versitygwUnavailable ? ` (skipped: ${versitygwUnavailable})` : ""}`,
  () => {
    it("measures an upload, a download, a base64 download and a batch upload through the plugin against direct SDK baselines", async () => {
      const figures = await measure(SMOKE);
      expect(figures.contenders.length).toBeGreaterThanOrEqual(1);
      for (const contender of figures.contenders) {
        for (const transfer of [contender.directUpload, contender.upload, contender.download])
          expect(transfer.seconds).toBeGreaterThan(0);
        expect(contender.upload.bytes).toBe(SMOKE.uploadBytes);
        expect(contender.upload.peakRss).toBeGreaterThan(20 * 1024 * 1024);
        expect(contender.download.bytes).toBe(SMOKE.downloadBytes);
        expect(contender.downloadBase64.bytes).toBe(SMOKE.base64Bytes);
        expect(contender.downloadBase64.peakRss).toBeGreaterThan(20 * 1024 * 1024);
        expect(contender.batch.bytes).toBe(SMOKE.batchFiles * SMOKE.batchFileBytes);
        expect(contender.directBatch.seconds).toBeGreaterThan(0);
      }
      const table = renderReport(figures);
      expect(table).toContain("s3_upload_file over stdio");
      expect(table).toContain("s3_download_file as blob chunks over stdio");
      expect(table).toContain("s3_download_base64 as streamed base64 over stdio");
      expect(table).toContain("one s3_upload_files call");
    }, 180_000);
  },
);

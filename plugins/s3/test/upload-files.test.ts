/**
 * s3_upload_files through the packaged plugin against versitygw over HTTP and
 * HTTPS: several Dify files into one folder, streamed, at most `concurrency`
 * downloads at once, a result per file and a partial-failure report.
 */
import { describe, expect, it } from "vitest";
import { reassemble } from "@dify-ts/host";
import { getObject, patterned } from "./support/admin.js";
import { packagedSkipReason, useS3Environment, type S3Environment } from "./support/environment.js";
import { difyFile } from "./support/file-server.js";

const reason = packagedSkipReason();

interface FileResult {
  filename: string;
  key: string | null;
  size?: number;
  etag?: string;
  content_type?: string;
  presigned_url?: string;
  error: string | null;
  error_type?: string;
}

function batchTests(env: S3Environment) {
  it("uploads small, multipart and unknown-length files under key_prefix, one result each, with presigned URLs and shared options", async () => {
    const small = Buffer.from("a,b\n1,2\n");
    const large = patterned(17 * 1024 * 1024 + 11, 4);
    const chunked = patterned(9 * 1024 * 1024, 8);
    const files = [
      difyFile(env.files.add({ bytes: small }), { filename: "table.csv" }),
      difyFile(env.files.add({ bytes: large }), { filename: "big.bin", mime_type: "application/x-big" }),
      difyFile(env.files.add({ bytes: chunked }, "application/zip", "chunked"), { filename: "报告.zip" }),
    ];
    const result = await env.invoke("s3_upload_files", {
      files,
      key_prefix: "batch/2025",
      generate_presigned_url: true,
      presigned_expiration: 300,
      tags: '{"batch": "1"}',
      concurrency: 2,
    });
    expect(result.error).toBeUndefined();
    const seen = reassemble(result.stream);
    expect(seen.texts).toEqual(["Uploaded 3 of 3 file(s) to s3://dify-test/batch/2025/."]);
    const json = seen.jsons[0] as unknown as {
      uploaded: number;
      failed: number;
      prefix: string;
      presigned_url_expires_in: number;
      files: FileResult[];
    };
    expect(json).toMatchObject({ uploaded: 3, failed: 0, prefix: "batch/2025/", presigned_url_expires_in: 300 });
    expect(json.files.map((file) => [file.filename, file.key, file.size, file.content_type, file.error])).toEqual([
      ["table.csv", "batch/2025/table.csv", small.length, "text/csv", null],
      ["big.bin", "batch/2025/big.bin", large.length, "application/x-big", null],
      ["报告.zip", "batch/2025/报告.zip", chunked.length, "application/zip", null],
    ]);
    expect(json.files[1]!.etag).toMatch(/-2$/); // streamed in two 16 MiB parts
    for (const [key, bytes] of [
      ["batch/2025/table.csv", small],
      ["batch/2025/big.bin", large],
      ["batch/2025/报告.zip", chunked],
    ] as const) {
      expect((await getObject(env.admin, key)).bytes.equals(bytes)).toBe(true);
    }
    expect(json.files.every((file) => file.presigned_url?.includes("X-Amz-Expires=300"))).toBe(true);
    expect(
      reassemble((await env.invoke("s3_head_object", { s3_key: "batch/2025/big.bin" })).stream).jsons[0],
    ).toMatchObject({ tags: { batch: "1" } });
  });

  it("reports which files failed and stores the others; a name used twice is not overwritten", async () => {
    const good = env.files.add({ bytes: Buffer.from("good") });
    const forged = env.files.add({ bytes: Buffer.from("x") }).replace(/sign=\w+/, "sign=forged");
    const files = [
      difyFile(good, { filename: "ok.txt" }),
      difyFile(forged, { filename: "expired.txt" }),
      difyFile(env.files.add({ bytes: Buffer.from("second") }), { filename: "ok.txt" }),
      difyFile(good, { filename: "../escape.txt" }),
    ];
    const result = await env.invoke("s3_upload_files", { files, key_prefix: "partial" });
    expect(result.error).toBeUndefined();
    const seen = reassemble(result.stream);
    const json = seen.jsons[0] as unknown as { uploaded: number; failed: number; files: FileResult[] };
    expect(json).toMatchObject({ uploaded: 2, failed: 2 });
    expect(json.files.map((file) => [file.filename, file.key, file.error_type ?? null])).toEqual([
      ["ok.txt", "partial/ok.txt", null],
      ["expired.txt", "partial/expired.txt", "FileDownloadError"],
      ["ok.txt", null, "ToolParameterValidationError"],
      ["../escape.txt", "partial/escape.txt", null],
    ]);
    expect(json.files[1]!.error).toContain("Dify refused the file download (HTTP 403)");
    expect(json.files[2]!.error).toBe(
      "has the same key s3://dify-test/partial/ok.txt as files[0]; it was not uploaded, so that file is not overwritten: rename one of them",
    );
    expect(seen.texts[0]).toMatch(
      /^Uploaded 2 of 4 file\(s\) to s3:\/\/dify-test\/partial\/; 2 failed: expired\.txt: Dify refused the file download \(HTTP 403\)/,
    );
    expect((await getObject(env.admin, "partial/ok.txt")).bytes.toString()).toBe("good");
    await expect(getObject(env.admin, "partial/expired.txt")).rejects.toThrow();
  });

  it("fails the node when no file could be uploaded, and refuses bad parameters before any download", async () => {
    const forged = env.files.add({ bytes: Buffer.from("x") }).replace(/sign=\w+/, "sign=forged");
    const none = await env.invoke("s3_upload_files", {
      files: [difyFile(forged, { filename: "a.txt" }), difyFile(forged, { filename: "b.txt" })],
    });
    expect(none.error?.error_type).toBe("FileDownloadError");
    expect(none.error?.message).toMatch(
      /^none of the 2 file\(s\) was uploaded to s3:\/\/dify-test\/: a\.txt: Dify refused the file download \(HTTP 403\).*; b\.txt: /,
    );
    const served = env.files.served;
    const url = env.files.add({ bytes: Buffer.from("x") });
    const badPrefix = await env.invoke("s3_upload_files", {
      files: [difyFile(url, { filename: "a.txt" })],
      key_prefix: "/abs",
    });
    expect(badPrefix.error?.message).toContain('parameter "key_prefix" must not start with "/"');
    const badTags = await env.invoke("s3_upload_files", {
      files: [difyFile(url, { filename: "a.txt" })],
      tags: "nope",
    });
    expect(badTags.error?.message).toContain('parameter "tags" is not JSON');
    const badSse = await env.invoke("s3_upload_files", {
      files: [difyFile(url, { filename: "a.txt" })],
      sse_bucket_key: true,
    });
    expect(badSse.error?.message).toContain('parameter "sse_bucket_key" is on');
    expect(env.files.served).toBe(served);
  });
}

describe.skipIf(reason)(`s3_upload_files, packaged, over HTTP${reason ? ` (skipped: ${reason})` : ""}`, () => {
  const env = useS3Environment({ packaged: true });
  batchTests(env);

  it("never downloads more files at once than concurrency, and files of undeclared size one at a time", async () => {
    const bytes = Array.from({ length: 6 }, (_, index) => patterned(9 * 1024 * 1024 + index, index + 20));
    const declared = bytes.map((data, index) =>
      difyFile(env.files.add({ bytes: data }), { filename: `f${index}.bin`, size: data.length }),
    );
    env.files.resetMostAtOnce();
    const before = env.files.served;
    const result = await env.invoke("s3_upload_files", { files: declared, key_prefix: "bounded", concurrency: 2 });
    expect(result.error).toBeUndefined();
    expect(reassemble(result.stream).jsons[0]).toMatchObject({ uploaded: 6, failed: 0 });
    expect(env.files.served - before).toBe(6);
    expect(env.files.mostAtOnce).toBeLessThanOrEqual(2);

    // Without a declared size a file may go through lib-storage's buffered parts: those run one at a time.
    const undeclared = bytes.map((data, index) =>
      difyFile(env.files.add({ bytes: data }, "application/octet-stream", "chunked"), { filename: `u${index}.bin` }),
    );
    env.files.resetMostAtOnce();
    const buffered = await env.invoke("s3_upload_files", { files: undeclared, key_prefix: "buffered", concurrency: 4 });
    expect(reassemble(buffered.stream).jsons[0]).toMatchObject({ uploaded: 6, failed: 0 });
    expect(env.files.mostAtOnce).toBe(1);
    expect((await getObject(env.admin, "buffered/u5.bin")).bytes.equals(bytes[5]!)).toBe(true);
  });
});

describe.skipIf(reason)(`s3_upload_files, packaged, over HTTPS${reason ? ` (skipped: ${reason})` : ""}`, () => {
  const env = useS3Environment({ packaged: true, tls: true });
  batchTests(env);
});

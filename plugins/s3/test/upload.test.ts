/** s3_upload_file and s3_upload_base64 over stdio against versitygw: what arrives in the bucket, and the messages. */
import { describe, expect, it } from "vitest";
import { reassemble } from "@dify-ts/host";
import { getObject, patterned } from "./support/admin.js";
import { useS3Environment, skipReason } from "./support/environment.js";
import { difyFile } from "./support/file-server.js";

const reason = skipReason();

describe.skipIf(reason)(`uploads over stdio against versitygw${reason ? ` (skipped: ${reason})` : ""}`, () => {
  const env = useS3Environment();

  it("streams a Dify file from a relative URL (joined to DIFY_ENDPOINT) into S3, with the file's mime type", async () => {
    const bytes = patterned(300_000);
    const url = env.files.add({ bytes });
    const result = await env.invoke("s3_upload_file", {
      file: difyFile(url, { mime_type: "application/pdf" }),
      s3_key: "in/report.pdf",
    });
    expect(result.error).toBeUndefined();
    const seen = reassemble(result.stream);
    expect(seen.texts).toEqual([
      "Uploaded report.pdf to s3://dify-test/in/report.pdf: 300000 bytes (293 KiB), application/pdf.",
    ]);
    const stored = await getObject(env.admin, "in/report.pdf");
    expect(stored.bytes.equals(bytes)).toBe(true);
    expect(stored.contentType).toBe("application/pdf");
    expect(seen.jsons).toEqual([
      {
        bucket: "dify-test",
        key: "in/report.pdf",
        s3_uri: "s3://dify-test/in/report.pdf",
        size: 300000,
        etag: stored.etag!.replaceAll('"', ""),
        content_type: "application/pdf",
      },
    ]);
  });

  it("uploads a large file from an absolute URL in parts, and presigns it (the seed's second message)", async () => {
    const bytes = patterned(20 * 1024 * 1024 + 123, 7);
    const url = env.files.origin + env.files.add({ bytes });
    const result = await env.invoke(
      "s3_upload_file",
      { file: difyFile(url), filename: "big/data.bin", generate_presigned_url: true, presigned_expiration: 120 },
      { DIFY_ENDPOINT: undefined },
    );
    expect(result.error).toBeUndefined();
    const seen = reassemble(result.stream);
    const json = seen.jsons[0] as {
      etag: string;
      presigned_url: string;
      size: number;
      content_type: string;
      presigned_url_expires_in: number;
    };
    expect(json.etag).toMatch(/-2$/); // a multipart ETag: two streamed 16 MiB parts
    expect(json).toMatchObject({
      size: bytes.length,
      content_type: "application/octet-stream",
      presigned_url_expires_in: 120,
    });
    expect(seen.texts[1]).toBe(`Presigned URL: ${json.presigned_url}`);
    expect(json.presigned_url).toContain("X-Amz-Expires=120");
    const fetched = Buffer.from(await (await fetch(json.presigned_url)).arrayBuffer());
    expect(fetched.equals(bytes)).toBe(true);
  });

  it("says so when a file of unknown length breaks off", async () => {
    const url = env.files.add({ bytes: patterned(3 * 1024 * 1024) }, "application/octet-stream", "truncated");
    const small = await env.invoke("s3_upload_file", { file: difyFile(url), s3_key: "cut/small.bin" });
    expect(small.error?.message).toMatch(/^the file download broke off after \d+ bytes/);
  });

  it("uploads a large file of unknown length (no Content-Length) through lib-storage's buffered parts", async () => {
    const bytes = patterned(9 * 1024 * 1024 + 5, 13);
    const url = env.files.add({ bytes }, "application/zip", "chunked");
    const result = await env.invoke("s3_upload_file", {
      file: difyFile(url, { filename: "a.zip" }),
      s3_key: "chunked/a.zip",
    });
    expect(result.error).toBeUndefined();
    const json = reassemble(result.stream).jsons[0] as { etag: string; size: number };
    expect(json.etag).toMatch(/-2$/); // 8 MiB + the rest
    expect(json.size).toBe(bytes.length);
    expect((await getObject(env.admin, "chunked/a.zip")).bytes.equals(bytes)).toBe(true);
  });

  it("fails, storing nothing, when the file ends before its announced length", async () => {
    const url = env.files.add({ bytes: patterned(12 * 1024 * 1024) }, "application/octet-stream", "truncated");
    const result = await env.invoke("s3_upload_file", { file: difyFile(url), s3_key: "cut/short.bin" });
    expect(result.error?.error_type).toBe("FileDownloadError");
    expect(result.error?.message).toMatch(
      /^the file download broke off after \d+ bytes \(terminated\); nothing was stored/,
    );
    await expect(getObject(env.admin, "cut/short.bin")).rejects.toThrow();
  });

  it("guesses the content type from the key, and honours the alias presign parameters", async () => {
    const url = env.files.add({ bytes: Buffer.from("a,b\n1,2\n") });
    const result = await env.invoke("s3_upload_file", {
      file: difyFile(url, { filename: "x" }),
      s3_key: "tables/t.csv",
      generate_presign_url: true,
      presign_expiry: 60,
    });
    const json = reassemble(result.stream).jsons[0] as { content_type: string; presigned_url: string };
    expect(json.content_type).toBe("text/csv");
    expect(json.presigned_url).toContain("X-Amz-Expires=60");
    expect((await getObject(env.admin, "tables/t.csv")).contentType).toBe("text/csv");
  });

  it("fails visibly when the Dify link is relative and DIFY_ENDPOINT is unset, or expired", async () => {
    const url = env.files.add({ bytes: Buffer.from("x") });
    const relative = await env.invoke(
      "s3_upload_file",
      { file: difyFile(url), s3_key: "x" },
      { DIFY_ENDPOINT: undefined },
    );
    expect(relative.error?.error_type).toBe("FileDownloadError");
    expect(relative.error?.message).toContain("is relative: set the plugin's Dify base URL credential");
    const forged = await env.invoke("s3_upload_file", {
      file: difyFile(url.replace(/sign=\w+/, "sign=forged")),
      s3_key: "x",
    });
    expect(forged.error?.message).toContain("Dify refused the file download (HTTP 403)");
    expect(forged.error?.message).not.toContain("sign=");
  });

  it("applies KEY_PREFIX to the stored key and reports keys relative to it", async () => {
    const result = await env.invoke(
      "s3_upload_base64",
      { file_base64: Buffer.from("hello").toString("base64"), s3_key: "notes/a.txt" },
      { KEY_PREFIX: "tenant-7" },
    );
    const seen = reassemble(result.stream);
    expect(seen.texts[0]).toBe(
      "Uploaded the decoded base64 to s3://dify-test/tenant-7/notes/a.txt: 5 bytes, text/plain.",
    );
    expect(seen.jsons[0]).toMatchObject({ key: "notes/a.txt", s3_uri: "s3://dify-test/tenant-7/notes/a.txt", size: 5 });
    expect((await getObject(env.admin, "tenant-7/notes/a.txt")).bytes.toString()).toBe("hello");
  });

  it("stores base64 and data: URLs byte for byte, typed by the data: URL", async () => {
    const bytes = patterned(70_000, 3);
    const result = await env.invoke("s3_upload_base64", {
      file_base64: `data:image/png;base64,${bytes.toString("base64")}`,
      filename: "img/logo",
    });
    expect(result.error).toBeUndefined();
    const stored = await getObject(env.admin, "img/logo");
    expect(stored.bytes.equals(bytes)).toBe(true);
    expect(stored.contentType).toBe("image/png");
  });

  it("refuses bad input before touching the bucket, naming the parameter", async () => {
    const invalid = await env.invoke("s3_upload_base64", { file_base64: "aGVsbG8*", s3_key: "bad.txt" });
    expect(invalid.error).toEqual({
      error_type: "ToolParameterValidationError",
      message: 'parameter "file_base64" is not valid base64: character "*" at position 8 is not in the base64 alphabet',
      args: { traceback: expect.any(String) },
    });
    const noKey = await env.invoke("s3_upload_base64", { file_base64: "aGk=" });
    expect(noKey.error?.message).toBe(
      'no object key: set "s3_key" (for example reports/2025/summary.pdf) or "filename"',
    );
    const escape = await env.invoke("s3_upload_base64", { file_base64: "aGk=", s3_key: "a/../../etc" });
    expect(escape.error?.message).toContain('parameter "s3_key" must not contain ".." segments');
    const slash = await env.invoke("s3_upload_base64", { file_base64: "aGk=", filename: "/abs.txt" });
    expect(slash.error?.message).toContain('parameter "filename" must not start with "/"');
    const expiry = await env.invoke("s3_upload_base64", {
      file_base64: "aGk=",
      s3_key: "e.txt",
      generate_presigned_url: true,
      presigned_expiration: 604801,
    });
    expect(expiry.error?.message).toContain('parameter "presigned_expiration" must be at most 604800');
    await expect(getObject(env.admin, "bad.txt")).rejects.toThrow();
    await expect(getObject(env.admin, "e.txt")).rejects.toThrow();
  });

  it("never prints a secret; the access key ID appears only where SigV4 puts it, in presigned URLs", async () => {
    const failed = await env.invoke(
      "s3_upload_base64",
      { file_base64: "aGk=", s3_key: "s.txt" },
      { S3_SECRET_KEY: "wrong-secret-value-123" },
    );
    expect(failed.error?.message).toContain("S3_SECRET_KEY does not match S3_ACCESS_KEY");
    const everything = JSON.stringify(env.plugin.events) + env.plugin.stderr;
    expect(everything).not.toContain(env.credentials.S3_SECRET_KEY);
    expect(everything).not.toContain("wrong-secret-value-123");
    expect(everything.replaceAll(`X-Amz-Credential=${env.credentials.S3_ACCESS_KEY}%2F`, "")).not.toContain(
      env.credentials.S3_ACCESS_KEY,
    );
  });
});

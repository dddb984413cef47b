/**
 * Server-side encryption and upload options, through the packaged plugin
 * against versitygw over HTTP and HTTPS. versitygw accepts but ignores
 * encryption headers, so over HTTP a recording forwarder shows what the plugin
 * asked S3 for; everything else (metadata, Cache-Control, Content-Disposition,
 * tags) versitygw stores, and s3_head_object reads it back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reassemble } from "@dify-ts/host";
import { getObject, patterned } from "./support/admin.js";
import { packagedSkipReason, useS3Environment } from "./support/environment.js";
import { difyFile } from "./support/file-server.js";
import { startRecordingProxy, type RecordingProxy } from "./support/recording-proxy.js";

const reason = packagedSkipReason();

describe.skipIf(reason)(
  `encryption and upload options, packaged, over HTTP${reason ? ` (skipped: ${reason})` : ""}`,
  () => {
    const env = useS3Environment({ packaged: true });
    let proxy: RecordingProxy;
    beforeAll(async () => (proxy = await startRecordingProxy(env.s3.endpoint)));
    afterAll(() => proxy?.close());
    /** Headers of the requests that wrote `key` (PUT or the POST starting a multipart upload). */
    const writesOf = (key: string) =>
      proxy.requests.filter(
        (request) =>
          request.path.split("?")[0]!.endsWith(`/${key}`) && request.method !== "GET" && request.method !== "HEAD",
      );
    const viaProxy = { S3_ENDPOINT: "" };
    beforeAll(() => (viaProxy.S3_ENDPOINT = proxy.endpoint));

    it("sends SSE-S3 and SSE-KMS (key id, Bucket Key) headers on single and multipart uploads", async () => {
      const small = await env.invoke(
        "s3_upload_base64",
        { file_base64: "aGk=", s3_key: "sse/s3.txt", server_side_encryption: "AES256" },
        viaProxy,
      );
      expect(small.error).toBeUndefined();
      expect(writesOf("sse/s3.txt").map((request) => request.headers["x-amz-server-side-encryption"])).toEqual([
        "AES256",
      ]);

      const bytes = patterned(17 * 1024 * 1024, 5);
      const url = env.files.add({ bytes });
      const big = await env.invoke(
        "s3_upload_file",
        {
          file: difyFile(url),
          s3_key: "sse/kms.bin",
          server_side_encryption: "aws:kms",
          sse_kms_key_id: "alias/dify-uploads",
          sse_bucket_key: true,
        },
        viaProxy,
      );
      expect(big.error).toBeUndefined();
      const writes = writesOf("sse/kms.bin");
      const create = writes.find((request) => request.method === "POST" && request.path.includes("uploads"))!;
      expect(create.headers).toMatchObject({
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": "alias/dify-uploads",
        "x-amz-server-side-encryption-bucket-key-enabled": "true",
      });
      expect(writes.filter((request) => request.method === "PUT")).toHaveLength(2); // two streamed 16 MiB parts, which carry no SSE-KMS headers
      expect((await getObject(env.admin, "sse/kms.bin")).bytes.equals(bytes)).toBe(true);
    });

    it("applies the provider's default, which a tool can override or turn off", async () => {
      const kmsDefault = {
        ...viaProxy,
        S3_SERVER_SIDE_ENCRYPTION: "aws:kms",
        S3_SSE_KMS_KEY_ID: "arn:aws:kms:us-east-1:111122223333:key/default",
        S3_SSE_BUCKET_KEY: true,
      };
      expect(
        (await env.invoke("s3_upload_base64", { file_base64: "aGk=", s3_key: "sse/default.txt" }, kmsDefault)).error,
      ).toBeUndefined();
      expect(writesOf("sse/default.txt")[0]!.headers).toMatchObject({
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/default",
        "x-amz-server-side-encryption-bucket-key-enabled": "true",
      });
      expect(
        (
          await env.invoke(
            "s3_upload_base64",
            { file_base64: "aGk=", s3_key: "sse/override.txt", server_side_encryption: "AES256" },
            kmsDefault,
          )
        ).error,
      ).toBeUndefined();
      const override = writesOf("sse/override.txt")[0]!.headers;
      expect(override["x-amz-server-side-encryption"]).toBe("AES256");
      expect(override["x-amz-server-side-encryption-aws-kms-key-id"]).toBeUndefined();
      expect(
        (
          await env.invoke(
            "s3_upload_base64",
            { file_base64: "aGk=", s3_key: "sse/off.txt", server_side_encryption: "none" },
            kmsDefault,
          )
        ).error,
      ).toBeUndefined();
      expect(writesOf("sse/off.txt")[0]!.headers["x-amz-server-side-encryption"]).toBeUndefined();
    });

    it("refuses invalid combinations before any byte is sent, naming the parameter and the fix", async () => {
      const before = proxy.requests.length;
      const served = env.files.served;
      const url = env.files.add({ bytes: Buffer.from("x") });
      const keyWithoutKms = await env.invoke(
        "s3_upload_file",
        { file: difyFile(url), s3_key: "sse/bad1", server_side_encryption: "AES256", sse_kms_key_id: "alias/x" },
        viaProxy,
      );
      expect(keyWithoutKms.error).toMatchObject({
        error_type: "ToolParameterValidationError",
        message:
          'parameter "sse_kms_key_id" is set but "server_side_encryption" is "AES256": a KMS key is used only with aws:kms; set "server_side_encryption" to aws:kms or clear "sse_kms_key_id"',
      });
      const bucketKeyWithoutKms = await env.invoke(
        "s3_upload_base64",
        { file_base64: "aGk=", s3_key: "sse/bad2", sse_bucket_key: true },
        viaProxy,
      );
      expect(bucketKeyWithoutKms.error?.message).toContain(
        'parameter "sse_bucket_key" is on but "server_side_encryption" is "none"',
      );
      const badKeyId = await env.invoke(
        "s3_upload_base64",
        {
          file_base64: "aGk=",
          s3_key: "sse/bad3",
          server_side_encryption: "aws:kms",
          sse_kms_key_id: "my key\r\nx-evil: 1",
        },
        viaProxy,
      );
      expect(badKeyId.error?.message).toContain('parameter "sse_kms_key_id" is not a KMS key ID, key ARN or alias');
      const badDefault = await env.invoke(
        "s3_upload_base64",
        { file_base64: "aGk=", s3_key: "sse/bad4" },
        { ...viaProxy, S3_SSE_KMS_KEY_ID: "alias/x" },
      );
      expect(badDefault.error).toMatchObject({ error_type: "ToolProviderCredentialValidationError" });
      expect(badDefault.error?.message).toContain(
        'credential "S3_SSE_KMS_KEY_ID" is set but "S3_SERVER_SIDE_ENCRYPTION" is "none"',
      );
      const validation = await env.validate({ ...viaProxy, S3_SSE_BUCKET_KEY: true });
      expect(validation.error?.message).toContain(
        '"S3_SSE_BUCKET_KEY" is on but "S3_SERVER_SIDE_ENCRYPTION" is "none"',
      );
      expect(proxy.requests.length).toBe(before);
      expect(env.files.served).toBe(served);
    });

    it("stores Cache-Control, an RFC 5987 Content-Disposition, metadata, tags and the storage class; s3_head_object reads them back", async () => {
      const url = env.files.add({ bytes: patterned(10_000) });
      const uploaded = await env.invoke(
        "s3_upload_file",
        {
          file: difyFile(url, { mime_type: "application/pdf" }),
          s3_key: "opts/r.pdf",
          cache_control: "max-age=86400, public",
          download_filename: '季度报告 "Q3".pdf',
          metadata: JSON.stringify({ source: "workflow-7", Run: 42 }),
          tags: JSON.stringify({ project: "alpha", "retention days": "30" }),
          storage_class: "STANDARD_IA",
        },
        viaProxy,
      );
      expect(uploaded.error).toBeUndefined();
      expect(writesOf("opts/r.pdf")[0]!.headers["x-amz-storage-class"]).toBe("STANDARD_IA");
      const head = await env.invoke("s3_head_object", { s3_key: "opts/r.pdf" });
      expect(head.error).toBeUndefined();
      const disposition =
        "attachment; filename=\"____ _Q3_.pdf\"; filename*=UTF-8''%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A%20%22Q3%22.pdf";
      expect(reassemble(head.stream).jsons[0]).toMatchObject({
        cache_control: "max-age=86400, public",
        content_disposition: disposition,
        metadata: { source: "workflow-7", run: "42" },
        tags: { project: "alpha", "retention days": "30" },
        content_type: "application/pdf",
      });
      // What a browser gets: the header decodes back to the exact name.
      const served = await fetch(
        (
          reassemble(
            (await env.invoke("s3_download_file", { s3_key: "opts/r.pdf", generate_presigned_url: true })).stream,
          ).jsons[0] as { presigned_url: string }
        ).presigned_url,
      );
      const header = served.headers.get("content-disposition")!;
      expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(header)![1]!)).toBe('季度报告 "Q3".pdf');
      const inline = await env.invoke("s3_upload_base64", {
        file_base64: "aGk=",
        s3_key: "opts/plain.txt",
        download_filename: "notes.txt",
        disposition: "inline",
      });
      expect(inline.error).toBeUndefined();
      expect(
        reassemble((await env.invoke("s3_head_object", { s3_key: "opts/plain.txt" })).stream).jsons[0],
      ).toMatchObject({ content_disposition: 'inline; filename="notes.txt"', tags: {}, metadata: {} });
    });

    it("refuses bad metadata, tags, headers and names, naming the parameter", async () => {
      const cases: [Record<string, string>, string][] = [
        [
          { metadata: "{source: 1}" },
          'parameter "metadata" is not JSON: write an object such as {"source": "workflow-7"}',
        ],
        [
          { metadata: "[1]" },
          'parameter "metadata" must be a JSON object such as {"source": "workflow-7"}; got an array',
        ],
        [
          { metadata: '{"a b": "x"}' },
          'parameter "metadata": the name "a b" can only have letters, digits, ".", "_" and "-"',
        ],
        [{ metadata: '{"who": "Zoë"}' }, 'parameter "metadata": the value of "who" must be printable ASCII'],
        [
          { metadata: '{"deep": {"x": 1}}' },
          'parameter "metadata": the value of "deep" must be text, a number or true/false, not object',
        ],
        [
          { metadata: JSON.stringify({ big: "x".repeat(2100) }) },
          'parameter "metadata" is 2103 bytes of names and values; S3 allows at most 2048',
        ],
        [
          { tags: JSON.stringify(Object.fromEntries(Array.from({ length: 11 }, (_, index) => [`t${index}`, "v"]))) },
          'parameter "tags" has 11 tags; S3 allows at most 10 per object',
        ],
        [
          { tags: '{"a": "x&y"}' },
          'parameter "tags": the value of "a" must be at most 256 letters, digits, spaces or + - = . _ : / @',
        ],
        [
          { cache_control: "max-age=1\r\nx-amz-acl: public-read" },
          'parameter "cache_control" must be printable ASCII on one line',
        ],
        [
          { download_filename: "a\nb.pdf" },
          'parameter "download_filename" must not contain control characters such as line breaks',
        ],
        [
          { download_filename: "bad\ud800.pdf" },
          'parameter "download_filename" is not valid Unicode (it has a lone surrogate)',
        ],
        [{ disposition: "inline" }, 'parameter "disposition" is inline but "download_filename" is empty'],
      ];
      for (const [options, message] of cases) {
        const result = await env.invoke("s3_upload_base64", {
          file_base64: "aGk=",
          s3_key: "opts/bad.txt",
          ...options,
        });
        expect(result.error?.error_type).toBe("ToolParameterValidationError");
        expect(result.error?.message).toContain(message);
      }
      await expect(getObject(env.admin, "opts/bad.txt")).rejects.toThrow();
    });
  },
);

describe.skipIf(reason)(
  `encryption and upload options, packaged, over HTTPS${reason ? ` (skipped: ${reason})` : ""}`,
  () => {
    const env = useS3Environment({ packaged: true, tls: true });

    it("uploads with SSE and every option over TLS, and reads them back", async () => {
      expect(env.s3.endpoint).toMatch(/^https:/);
      const bytes = patterned(9 * 1024 * 1024 + 1, 3);
      const url = env.files.add({ bytes });
      const uploaded = await env.invoke(
        "s3_upload_file",
        {
          file: difyFile(url),
          s3_key: "tls/opts.bin",
          server_side_encryption: "AES256",
          cache_control: "no-store",
          download_filename: "données.bin",
          metadata: '{"k": "v"}',
          tags: '{"t": "1"}',
        },
        { S3_SERVER_SIDE_ENCRYPTION: "aws:kms" },
      );
      expect(uploaded.error).toBeUndefined();
      expect((await getObject(env.admin, "tls/opts.bin")).bytes.equals(bytes)).toBe(true);
      expect(
        reassemble((await env.invoke("s3_head_object", { s3_key: "tls/opts.bin" })).stream).jsons[0],
      ).toMatchObject({
        cache_control: "no-store",
        content_disposition: "attachment; filename=\"donn_es.bin\"; filename*=UTF-8''donn%C3%A9es.bin",
        metadata: { k: "v" },
        tags: { t: "1" },
      });
    });
  },
);

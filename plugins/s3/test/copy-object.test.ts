/**
 * s3_copy_object and s3_move_object through the packaged plugin against
 * versitygw over HTTP and HTTPS: server-side copies within and across
 * buckets, headers, metadata and tags kept, the multipart copy above 5 GiB
 * (on a sparse source, so the test writes the copy but not the source), and
 * bad input refused before any request.
 */
import { rename, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CreateBucketCommand, HeadObjectCommand, ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { eventually, reassemble } from "@dify-ts/host";
import { deleteObject, getObject, patterned, putObject } from "./support/admin.js";
import { packagedSkipReason, useS3Environment, type S3Environment } from "./support/environment.js";

const reason = packagedSkipReason();

function copyTests(env: S3Environment) {
  it("copies within the bucket and to another bucket, keeping type, headers, metadata and tags; the source stays", async () => {
    const bytes = patterned(200_000, 9);
    const uploaded = await env.invoke("s3_upload_base64", {
      file_base64: bytes.toString("base64"),
      s3_key: "copy/src.pdf",
      cache_control: "max-age=60",
      download_filename: "报告.pdf",
      metadata: '{"origin": "test"}',
      tags: '{"team": "data"}',
    });
    expect(uploaded.error).toBeUndefined();
    const copied = await env.invoke("s3_copy_object", {
      source_key: "copy/src.pdf",
      destination_key: "copy/dst.pdf",
      generate_presigned_url: true,
    });
    expect(copied.error).toBeUndefined();
    const seen = reassemble(copied.stream);
    expect(seen.texts[0]).toBe(
      "Copied s3://dify-test/copy/src.pdf to s3://dify-test/copy/dst.pdf (server-side): 200000 bytes (195 KiB).\n",
    );
    expect(seen.jsons[0]).toMatchObject({
      bucket: "dify-test",
      key: "copy/dst.pdf",
      size: 200000,
      content_type: "application/pdf",
      source_key: "copy/src.pdf",
      multipart_copy: false,
      source_deleted: false,
    });
    expect((seen.jsons[0] as { presigned_url: string }).presigned_url).toContain("/dify-test/copy/dst.pdf?");
    expect((await getObject(env.admin, "copy/dst.pdf")).bytes.equals(bytes)).toBe(true);
    expect(reassemble((await env.invoke("s3_head_object", { s3_key: "copy/dst.pdf" })).stream).jsons[0]).toMatchObject({
      cache_control: "max-age=60",
      metadata: { origin: "test" },
      tags: { team: "data" },
      content_disposition: "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf",
    });
    expect((await getObject(env.admin, "copy/src.pdf")).bytes.equals(bytes)).toBe(true);

    await env.admin.client.send(new CreateBucketCommand({ Bucket: "dify-other" }));
    const across = await env.invoke("s3_copy_object", {
      source_key: "copy/src.pdf",
      destination_key: "in/other.pdf",
      destination_bucket: "dify-other",
    });
    expect(across.error).toBeUndefined();
    expect(reassemble(across.stream).jsons[0]).toMatchObject({
      bucket: "dify-other",
      s3_uri: "s3://dify-other/in/other.pdf",
      source_bucket: "dify-test",
    });
    const back = await env.invoke("s3_move_object", {
      source_key: "in/other.pdf",
      source_bucket: "dify-other",
      destination_key: "copy/back.pdf",
    });
    expect(back.error).toBeUndefined();
    expect((await getObject(env.admin, "copy/back.pdf")).bytes.equals(bytes)).toBe(true);
    const gone = await env.invoke("s3_head_object", { s3_key: "in/other.pdf" }, { BUCKET_NAME: "dify-other" });
    expect(gone.error?.message).toContain("s3://dify-other/in/other.pdf does not exist");
  });

  it("moves an object: the copy exists, the source is gone; KEY_PREFIX applies to both keys", async () => {
    await putObject(env.admin, "tenant/a/one.txt", Buffer.from("one"), "text/plain");
    const moved = await env.invoke(
      "s3_move_object",
      { source_key: "a/one.txt", destination_key: "b/one.txt" },
      { KEY_PREFIX: "tenant" },
    );
    expect(moved.error).toBeUndefined();
    const seen = reassemble(moved.stream);
    expect(seen.texts[0]).toBe(
      "Moved s3://dify-test/tenant/a/one.txt to s3://dify-test/tenant/b/one.txt (server-side): 3 bytes.",
    );
    expect(seen.jsons[0]).toMatchObject({ key: "b/one.txt", source_key: "a/one.txt", source_deleted: true });
    expect((await getObject(env.admin, "tenant/b/one.txt")).bytes.toString()).toBe("one");
    await expect(getObject(env.admin, "tenant/a/one.txt")).rejects.toThrow();
  });

  it("refuses bad input before any request and names a missing source", async () => {
    const same = await env.invoke("s3_move_object", { source_key: "x.txt", destination_key: "x.txt" });
    expect(same.error).toMatchObject({
      error_type: "ToolParameterValidationError",
      message:
        'parameters "source_key" and "destination_key" name the same object (s3://dify-test/x.txt): give the copy another key or bucket',
    });
    const badBucket = await env.invoke("s3_copy_object", {
      source_key: "x.txt",
      destination_key: "y.txt",
      destination_bucket: "s3://other/x",
    });
    expect(badBucket.error?.message).toContain('parameter "destination_bucket" "s3://other/x" is not a bucket name');
    const escape = await env.invoke("s3_copy_object", { source_key: "x.txt", destination_key: "../y.txt" });
    expect(escape.error?.message).toContain('parameter "destination_key" must not contain ".." segments');
    const sse = await env.invoke("s3_copy_object", {
      source_key: "x.txt",
      destination_key: "y.txt",
      sse_kms_key_id: "alias/k",
    });
    expect(sse.error?.message).toContain('parameter "sse_kms_key_id" is set but "server_side_encryption" is "none"');
    const missing = await env.invoke("s3_move_object", { source_key: "no/such.txt", destination_key: "y.txt" });
    expect(missing.error?.error_type).toBe("S3Error");
    expect(missing.error?.message).toContain("s3://dify-test/no/such.txt does not exist");
  });
}

describe.skipIf(reason)(
  `s3_copy_object and s3_move_object, packaged, over HTTP${reason ? ` (skipped: ${reason})` : ""}`,
  () => {
    const env = useS3Environment({ packaged: true });
    copyTests(env);

    it("copies a source above 5 GiB as a multipart copy of byte ranges, keeping headers, metadata and tags", async () => {
      const uploaded = await env.invoke("s3_upload_base64", {
        file_base64: "aGk=",
        s3_key: "huge/src.bin",
        cache_control: "no-cache",
        metadata: '{"kind": "huge"}',
        tags: '{"size": "big"}',
      });
      expect(uploaded.error).toBeUndefined();
      // Grow the stored file in place, sparsely: versitygw's posix backend serves the file, its attributes stay.
      const size = 5 * 1024 ** 3 + 3;
      await truncate(join(env.s3.root, "dify-test", "huge", "src.bin"), size);
      try {
        const copied = await env.invoke("s3_copy_object", {
          source_key: "huge/src.bin",
          destination_key: "huge/dst.bin",
        });
        expect(copied.error).toBeUndefined();
        const json = reassemble(copied.stream).jsons[0] as { size: number; multipart_copy: boolean; etag: string };
        expect(json).toMatchObject({ size, multipart_copy: true });
        expect(json.etag).toMatch(/-11$/); // ten 512 MiB parts and the last 3 bytes
        // The size as S3 serves it; reading 5 GiB back would take minutes on a loaded machine and prove no more.
        const stored = await env.admin.client.send(new HeadObjectCommand({ Bucket: "dify-test", Key: "huge/dst.bin" }));
        expect(stored.ContentLength).toBe(size);
        expect(
          reassemble((await env.invoke("s3_head_object", { s3_key: "huge/dst.bin" })).stream).jsons[0],
        ).toMatchObject({ cache_control: "no-cache", metadata: { kind: "huge" }, tags: { size: "big" } });
        const open = await env.admin.client.send(new ListMultipartUploadsCommand({ Bucket: "dify-test" }));
        expect(open.Uploads ?? []).toEqual([]);
      } finally {
        await deleteObject(env.admin, "huge/src.bin");
        await deleteObject(env.admin, "huge/dst.bin");
      }
      // The server writes 5 GiB twice (the parts, then the object); on a loaded 2-core machine that took over 3 minutes.
    }, 600_000);
  },
);

describe.skipIf(reason)(
  `a multipart copy whose source is replaced midway, packaged, over HTTP${reason ? ` (skipped: ${reason})` : ""}`,
  () => {
    const env = useS3Environment({ packaged: true });

    it("fails on the source's changed ETag, aborts the multipart copy and leaves no object; a move keeps its source", async () => {
      expect(
        (await env.invoke("s3_upload_base64", { file_base64: "aGk=", s3_key: "swap/src.bin" })).error,
      ).toBeUndefined();
      const stored = join(env.s3.root, "dify-test", "swap", "src.bin");
      const size = 5 * 1024 ** 3 + 1;
      await truncate(stored, size);
      const openUploads = async () =>
        (await env.admin.client.send(new ListMultipartUploadsCommand({ Bucket: "dify-test" }))).Uploads ?? [];
      const moving = env.invoke("s3_move_object", { source_key: "swap/src.bin", destination_key: "swap/dst.bin" });
      // Once the multipart copy has started, replace the source by another file of the same size (so every byte range
      // stays valid) without the stored ETag: every part is conditional on the ETag the source had.
      await eventually(openUploads, (uploads) => uploads.length === 1);
      await writeFile(`${stored}.new`, "replaced");
      await truncate(`${stored}.new`, size);
      await rename(`${stored}.new`, stored);
      const result = await moving;
      expect(result.error?.error_type).toBe("S3Error");
      expect(result.error?.message).toBe(
        "s3://dify-test/swap/src.bin changed during the copy (its ETag no longer matches the one the copy started from): nothing was written to s3://dify-test/swap/dst.bin; run the copy again",
      );
      expect(await openUploads()).toEqual([]);
      await expect(getObject(env.admin, "swap/dst.bin")).rejects.toThrow();
      expect(
        (await env.admin.client.send(new HeadObjectCommand({ Bucket: "dify-test", Key: "swap/src.bin" })))
          .ContentLength,
      ).toBe(size);
      await deleteObject(env.admin, "swap/src.bin");
    });
  },
);

describe.skipIf(reason)(
  `s3_copy_object and s3_move_object, packaged, over HTTPS${reason ? ` (skipped: ${reason})` : ""}`,
  () => {
    const env = useS3Environment({ packaged: true, tls: true });
    copyTests(env);
  },
);

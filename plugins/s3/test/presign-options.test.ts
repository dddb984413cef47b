/**
 * s3_presign_url's options through the packaged plugin, each URL used as a
 * browser or curl would against versitygw (over HTTP and HTTPS), which checks
 * signatures, signed headers, checksums and POST policies.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { reassemble } from "@dify-ts/host";
import { getObject, putObject } from "./support/admin.js";
import { packagedSkipReason, useS3Environment, type S3Environment } from "./support/environment.js";
import { formBody, send } from "./support/http-client.js";

const reason = packagedSkipReason();

function presignTests(env: S3Environment) {
  const ca = () => env.certificates?.caPem;
  const presign = async (
    parameters: Record<string, string | number | boolean>,
    credentials: Record<string, string> = {},
  ) => {
    const result = await env.invoke("s3_presign_url", parameters, credentials);
    expect(result.error).toBeUndefined();
    const seen = reassemble(result.stream);
    return {
      json: seen.jsons[0] as { url: string; fields: Record<string, string>; required_headers?: Record<string, string> },
      texts: seen.texts,
    };
  };

  it("GET overrides the response's Content-Type and Content-Disposition (a Unicode download name)", async () => {
    await putObject(env.admin, "get/data.bin", Buffer.from("%PDF-1.4"), "application/octet-stream");
    const { json } = await presign({
      s3_key: "get/data.bin",
      response_content_type: "application/pdf",
      download_filename: "Überblick 2025.pdf",
    });
    const answer = await send(json.url, {}, ca());
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/pdf");
    expect(answer.headers["content-disposition"]).toBe(
      "attachment; filename=\"_berblick 2025.pdf\"; filename*=UTF-8''%C3%9Cberblick%202025.pdf",
    );
    expect(answer.body.toString()).toBe("%PDF-1.4");
  });

  it("PUT with content_length and checksum_sha256: only the exact content is accepted", async () => {
    const content = Buffer.from("exactly this content");
    const checksum = createHash("sha256").update(content).digest("base64");
    const { json, texts } = await presign({
      s3_key: "put/exact.txt",
      method: "PUT",
      content_type: "text/plain",
      content_length: content.length,
      checksum_sha256: checksum,
    });
    expect(json.required_headers).toEqual({
      "Content-Type": "text/plain",
      "Content-Length": String(content.length),
      "x-amz-checksum-sha256": checksum,
    });
    expect(texts[0]).toContain(
      `send the headers Content-Type: text/plain, Content-Length: ${content.length}, x-amz-checksum-sha256: ${checksum}`,
    );
    const headers = { "content-type": "text/plain", "x-amz-checksum-sha256": checksum };
    const longer = await send(json.url, { method: "PUT", headers, body: `${content.toString()}!` }, ca());
    expect(longer.status).toBe(403); // Content-Length is signed
    const other = Buffer.from("exactly that content");
    const tampered = await send(json.url, { method: "PUT", headers, body: other }, ca());
    expect(tampered.status).toBe(400); // same length, wrong checksum
    await expect(getObject(env.admin, "put/exact.txt")).rejects.toThrow();
    const exact = await send(json.url, { method: "PUT", headers, body: content }, ca());
    expect(exact.status).toBe(200);
    expect((await getObject(env.admin, "put/exact.txt")).bytes.equals(content)).toBe(true);
  });

  it("POST: a browser form upload within the size limit is stored; a larger one is refused by the policy", async () => {
    const { json, texts } = await presign({
      s3_key: "forms/photo.png",
      method: "POST",
      max_content_length: 1000,
      content_type: "image/png",
      presigned_expiration: 600,
    });
    expect(texts[0]).toContain("at most 1000 bytes");
    expect(json.fields).toMatchObject({ key: "forms/photo.png", "Content-Type": "image/png" });
    expect(json.fields.Policy).toBeDefined();
    const policy = JSON.parse(Buffer.from(json.fields.Policy!, "base64").toString()) as { conditions: unknown[] };
    expect(policy.conditions).toContainEqual(["content-length-range", 0, 1000]);
    const tooBig = await formBody(json.fields, { name: "photo.png", bytes: Buffer.alloc(1001, 7), type: "image/png" });
    const refused = await send(
      json.url,
      { method: "POST", headers: { "content-type": tooBig.contentType }, body: tooBig.body },
      ca(),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.toString()).toMatch(/EntityTooLarge/);
    await expect(getObject(env.admin, "forms/photo.png")).rejects.toThrow();
    const fits = await formBody(json.fields, { name: "photo.png", bytes: Buffer.alloc(1000, 7), type: "image/png" });
    const stored = await send(
      json.url,
      { method: "POST", headers: { "content-type": fits.contentType }, body: fits.body },
      ca(),
    );
    expect(stored.status).toBeLessThan(300);
    const object = await getObject(env.admin, "forms/photo.png");
    expect(object.bytes.equals(Buffer.alloc(1000, 7))).toBe(true);
    expect(object.contentType).toBe("image/png");
  });

  it("PUT and POST carry the upload's encryption (parameters or the provider's default) as signed headers or policy fields", async () => {
    const kms = { server_side_encryption: "aws:kms", sse_kms_key_id: "alias/uploads", sse_bucket_key: true };
    const put = await presign({ s3_key: "enc/put.txt", method: "PUT", ...kms });
    const encryption = {
      "x-amz-server-side-encryption": "aws:kms",
      "x-amz-server-side-encryption-aws-kms-key-id": "alias/uploads",
      "x-amz-server-side-encryption-bucket-key-enabled": "true",
    };
    expect(put.json.required_headers).toEqual(encryption);
    const query = new URL(put.json.url).searchParams;
    expect([...query.keys()].filter((name) => /server-side-encryption/i.test(name))).toEqual([]); // headers, not query parameters
    expect(query.get("X-Amz-SignedHeaders")).toBe(
      "host;x-amz-server-side-encryption;x-amz-server-side-encryption-aws-kms-key-id;x-amz-server-side-encryption-bucket-key-enabled",
    );
    expect((await send(put.json.url, { method: "PUT", body: "x" }, ca())).status).toBe(403); // the headers are signed: leaving them out breaks the signature
    expect((await send(put.json.url, { method: "PUT", headers: encryption, body: "x" }, ca())).status).toBe(200);

    const byDefault = await presign(
      { s3_key: "enc/default.txt", method: "PUT" },
      { S3_SERVER_SIDE_ENCRYPTION: "AES256" },
    );
    expect(byDefault.json.required_headers).toEqual({ "x-amz-server-side-encryption": "AES256" });
    const download = await presign({ s3_key: "enc/put.txt" }, { S3_SERVER_SIDE_ENCRYPTION: "AES256" });
    expect(download.json.required_headers).toBeUndefined();
    expect((await send(download.json.url, {}, ca())).body.toString()).toBe("x");

    const post = await presign(
      { s3_key: "enc/form.bin", method: "POST", max_content_length: 100 },
      { S3_SERVER_SIDE_ENCRYPTION: "aws:kms", S3_SSE_KMS_KEY_ID: "alias/forms" },
    );
    expect(post.json.fields).toMatchObject({
      "x-amz-server-side-encryption": "aws:kms",
      "x-amz-server-side-encryption-aws-kms-key-id": "alias/forms",
    });
    const policy = JSON.parse(Buffer.from(post.json.fields.Policy!, "base64").toString()) as { conditions: unknown[] };
    expect(policy.conditions).toContainEqual({ "x-amz-server-side-encryption": "aws:kms" });
    const form = await formBody(post.json.fields, {
      name: "f.bin",
      bytes: Buffer.from("form"),
      type: "application/octet-stream",
    });
    expect(
      (
        await send(
          post.json.url,
          { method: "POST", headers: { "content-type": form.contentType }, body: form.body },
          ca(),
        )
      ).status,
    ).toBeLessThan(300);
    expect((await getObject(env.admin, "enc/form.bin")).bytes.toString()).toBe("form");
  });

  it("refuses options for another method, a missing POST limit and malformed checksums, naming the parameter", async () => {
    const cases: [Record<string, string | number | boolean>, string][] = [
      [
        { response_content_type: "text/plain", method: "PUT" },
        'parameter "response_content_type" applies to GET URLs only, but method is PUT: remove it or change the method',
      ],
      [{ content_length: 5 }, 'parameter "content_length" applies to PUT URLs only, but method is GET'],
      [
        { max_content_length: 5, method: "PUT" },
        'parameter "max_content_length" applies to POST URLs only, but method is PUT',
      ],
      [
        { download_filename: "a.pdf", method: "POST", max_content_length: 5 },
        'parameter "download_filename" applies to GET URLs only, but method is POST',
      ],
      [{ content_type: "text/plain" }, 'parameter "content_type" applies to PUT and POST URLs only, but method is GET'],
      [{ method: "POST" }, 'parameter "max_content_length" is required for POST'],
      [{ method: "PUT", checksum_sha256: "abc" }, 'parameter "checksum_sha256" must be a base64 SHA-256 digest'],
      [{ method: "PUT", content_length: 1.5 }, 'parameter "content_length" must be a whole number of bytes'],
      [
        { response_content_type: "text/plain\r\nx: y" },
        'parameter "response_content_type" must be printable ASCII on one line',
      ],
      [
        { server_side_encryption: "AES256" },
        'parameter "server_side_encryption" applies to PUT and POST URLs only, but method is GET',
      ],
      [
        { method: "PUT", sse_bucket_key: true },
        'parameter "sse_bucket_key" is on but "server_side_encryption" is "none"',
      ],
    ];
    for (const [parameters, message] of cases) {
      const result = await env.invoke("s3_presign_url", { s3_key: "x.txt", ...parameters });
      expect(result.error?.error_type).toBe("ToolParameterValidationError");
      expect(result.error?.message).toContain(message);
    }
  });
}

describe.skipIf(reason)(`s3_presign_url options, packaged, over HTTP${reason ? ` (skipped: ${reason})` : ""}`, () => {
  presignTests(useS3Environment({ packaged: true }));
});

describe.skipIf(reason)(`s3_presign_url options, packaged, over HTTPS${reason ? ` (skipped: ${reason})` : ""}`, () => {
  presignTests(useS3Environment({ packaged: true, tls: true }));
});

/**
 * HTTPS with a private CA: the CA arrives in S3_CA_BUNDLE with its line breaks lost, as Dify's single-line field
 * delivers it. Driven through the packaged plugin, against a versioning server for the version tools.
 */
import { PutBucketVersioningCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { reassemble } from "@dify-ts/host";
import { packagedSkipReason, useS3Environment } from "./support/environment.js";
import { invokeTool, startPlugin, validateCredentials } from "./support/plugin.js";

const reason = packagedSkipReason();

describe.skipIf(reason)(`TLS against versitygw with a private CA${reason ? ` (skipped: ${reason})` : ""}`, () => {
  const env = useS3Environment({ tls: true, versioning: true, packaged: true });

  it("trusts the CA from a single-line S3_CA_BUNDLE: validation, upload and download work", async () => {
    expect(env.credentials.S3_CA_BUNDLE).not.toContain("\n");
    expect(env.s3.endpoint).toMatch(/^https:/);
    expect((await env.validate()).stream).toEqual([{ result: true }]);
    const bytes = Buffer.from("over TLS");
    const uploaded = await env.invoke("s3_upload_base64", {
      file_base64: bytes.toString("base64"),
      s3_key: "tls/a.txt",
    });
    expect(uploaded.error).toBeUndefined();
    const downloaded = reassemble((await env.invoke("s3_download_file", { s3_key: "tls/a.txt" })).stream);
    expect(downloaded.blobs[0]!.data.equals(bytes)).toBe(true);
  });

  it("points at S3_CA_BUNDLE when the certificate is not trusted: another CA, or none", async () => {
    for (const bundle of [env.certificates!.otherCaPem.replace(/\n/g, " "), undefined]) {
      const validation = await env.validate({ S3_CA_BUNDLE: bundle });
      expect(validation.error?.error_type).toBe("ToolProviderCredentialValidationError");
      expect(validation.error?.message).toMatch(
        /^TLS verification failed for https:\/\/127\.0\.0\.1:\d+: the server's certificate is not trusted \(\w+\)\. If the storage uses a private CA, paste its PEM chain \(root and intermediates\) into S3_CA_BUNDLE/,
      );
      const tool = await env.invoke("s3_head_object", { s3_key: "tls/a.txt" }, { S3_CA_BUNDLE: bundle });
      expect(tool.error?.message).toContain("paste its PEM chain (root and intermediates) into S3_CA_BUNDLE");
    }
  });

  it("says when the certificate does not name the host (it names 127.0.0.1, not localhost)", async () => {
    const validation = await env.validate({ S3_ENDPOINT: env.s3.endpoint.replace("127.0.0.1", "localhost") });
    expect(validation.error?.message).toMatch(
      /the certificate does not name this host \(ERR_TLS_CERT_ALTNAME_INVALID\)/,
    );
  });

  it("keeps verifying when the plugin's environment has NODE_TLS_REJECT_UNAUTHORIZED=0", async () => {
    const careless = startPlugin({ NODE_TLS_REJECT_UNAUTHORIZED: "0" });
    try {
      const credentials = { ...env.credentials, S3_CA_BUNDLE: undefined };
      const validation = await validateCredentials(careless, credentials);
      expect(validation.error?.message).toMatch(
        /^TLS verification failed for https:\/\/127\.0\.0\.1:\d+: the server's certificate is not trusted/,
      );
      const tool = await invokeTool(careless, credentials, "s3_download_file", { s3_key: "tls/a.txt" });
      expect(tool.error?.message).toMatch(/^TLS verification failed/);
      expect(tool.stream.filter((message) => message.type === "blob_chunk")).toEqual([]);
    } finally {
      careless.kill();
    }
  });

  it("lists buckets and reads versions over HTTPS", async () => {
    await env.admin.client.send(
      new PutBucketVersioningCommand({ Bucket: env.admin.name, VersioningConfiguration: { Status: "Enabled" } }),
    );
    const first = await env.admin.client.send(
      new PutObjectCommand({ Bucket: env.admin.name, Key: "tls/v.txt", Body: "one" }),
    );
    await env.admin.client.send(new PutObjectCommand({ Bucket: env.admin.name, Key: "tls/v.txt", Body: "two" }));
    const buckets = reassemble((await env.invoke("s3_list_buckets")).stream).jsons[0] as {
      buckets: { name: string; configured: boolean }[];
    };
    expect(buckets.buckets).toEqual([expect.objectContaining({ name: "dify-test", configured: true })]);
    const listed = reassemble((await env.invoke("s3_list_objects", { prefix: "tls/v", include_versions: true })).stream)
      .jsons[0] as { versions: { version_id: string }[] };
    expect(listed.versions).toHaveLength(2);
    expect(listed.versions.map((version) => version.version_id)).toContain(first.VersionId);
    const older = reassemble(
      (await env.invoke("s3_download_file", { s3_key: "tls/v.txt", version_id: first.VersionId! })).stream,
    );
    expect(older.blobs[0]!.data.toString()).toBe("one");
  });
});

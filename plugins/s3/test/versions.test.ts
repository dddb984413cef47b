/**
 * Object versions and s3_list_buckets, driven through the packaged plugin (the
 * .difypkg as Dify runs it) against versitygw with versioning enabled.
 */
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, it } from "vitest";
import { reassemble } from "@dify-ts/host";
import { packagedSkipReason, useS3Environment } from "./support/environment.js";

const reason = packagedSkipReason();

interface Listed {
  versions: { key: string; version_id: string; is_latest: boolean; size: number }[];
  delete_markers: { key: string; version_id: string; is_latest: boolean }[];
  is_truncated: boolean;
  next_continuation_token: string | null;
}

describe.skipIf(reason)(
  `versions and buckets through the packaged plugin${reason ? ` (skipped: ${reason})` : ""}`,
  () => {
    const env = useS3Environment({ versioning: true, packaged: true });
    const versionIds: string[] = [];
    const put = async (body: string) => {
      const stored = await env.admin.client.send(
        new PutObjectCommand({ Bucket: env.admin.name, Key: "v/doc.txt", Body: body, ContentType: "text/plain" }),
      );
      versionIds.push(stored.VersionId!);
    };

    beforeAll(async () => {
      await env.admin.client.send(
        new PutBucketVersioningCommand({ Bucket: env.admin.name, VersioningConfiguration: { Status: "Enabled" } }),
      );
      await put("first version");
      await put("second version, longer");
    });

    it("reads an older version by version_id: download_file, download_base64 (and its presigned URL), head", async () => {
      const [first] = versionIds;
      const file = reassemble(
        (await env.invoke("s3_download_file", { s3_key: "v/doc.txt", version_id: first! })).stream,
      );
      expect(file.blobs[0]!.data.toString()).toBe("first version");
      expect(file.texts[0]).toBe(
        `Downloaded s3://dify-test/v/doc.txt?versionId=${encodeURIComponent(first!)} as the file doc.txt: 13 bytes, text/plain.`,
      );
      expect(file.jsons[0]).toMatchObject({ key: "v/doc.txt", size: 13, version_id: first });
      const current = reassemble((await env.invoke("s3_download_file", { s3_key: "v/doc.txt" })).stream);
      expect(current.blobs[0]!.data.toString()).toBe("second version, longer");
      expect(current.jsons[0]).toMatchObject({ version_id: versionIds[1] });

      const encoded = reassemble(
        (
          await env.invoke("s3_download_base64", {
            s3_key: "v/doc.txt",
            version_id: first!,
            generate_presigned_url: true,
          })
        ).stream,
      );
      expect(encoded.variables.base64).toBe(Buffer.from("first version").toString("base64"));
      const link = (encoded.jsons[0] as { presigned_url: string }).presigned_url;
      expect(await (await fetch(link)).text()).toBe("first version");

      for (const tool of ["s3_download_file", "s3_head_object"]) {
        const unknown = await env.invoke(tool, { s3_key: "v/doc.txt", version_id: "01M8VEHNJJW2600JTA45GVWVV9" });
        expect(unknown.error?.message).toBe(
          "s3://dify-test/v/doc.txt?versionId=01M8VEHNJJW2600JTA45GVWVV9 does not exist: check the key, version_id and KEY_PREFIX",
        );
        const malformed = await env.invoke(tool, { s3_key: "v/doc.txt", version_id: "not-a-version" });
        expect(malformed.error?.message).toMatch(
          /^s3:\/\/dify-test\/v\/doc\.txt\?versionId=not-a-version was refused \(HTTP 400.*\): version_id is not a version id this server knows/,
        );
      }
      const head = reassemble((await env.invoke("s3_head_object", { s3_key: "v/doc.txt", version_id: first! })).stream);
      expect(head.jsons[0]).toMatchObject({ size: 13, version_id: first });
    });

    it("lists versions and delete markers with include_versions, a page at a time", async () => {
      // versitygw 1.8 starts the next page at the marker's version itself (AWS starts after it), so pages of 2 overlap
      // there by one entry and pages of 1 would not advance: the pages are compared as a set of versions.
      await env.invoke("s3_delete_object", { s3_key: "v/doc.txt" });
      const pages: Listed[] = [];
      let token: string | null = null;
      do {
        const parameters: Record<string, string | number | boolean> = {
          prefix: "v/",
          include_versions: true,
          max_keys: 2,
        };
        if (token) parameters.continuation_token = token;
        const result = await env.invoke("s3_list_objects", parameters);
        expect(result.error).toBeUndefined();
        const page = reassemble(result.stream).jsons[0] as unknown as Listed;
        pages.push(page);
        token = page.next_continuation_token;
      } while (token && pages.length < 10);
      const distinct = <T extends { version_id: string }>(entries: T[]) => [
        ...new Map(entries.map((entry) => [entry.version_id, entry])).values(),
      ];
      const versions = distinct(pages.flatMap((page) => page.versions));
      const markers = distinct(pages.flatMap((page) => page.delete_markers));
      expect(versions.map((version) => version.version_id).sort()).toEqual([...versionIds].sort());
      expect(versions.every((version) => version.key === "v/doc.txt" && !version.is_latest)).toBe(true);
      expect(markers).toEqual([expect.objectContaining({ key: "v/doc.txt", is_latest: true })]);
      expect(pages.length).toBeGreaterThanOrEqual(2);
      expect(pages.at(-1)!.is_truncated).toBe(false);
      const plain = reassemble((await env.invoke("s3_list_objects", { prefix: "v/" })).stream).jsons[0] as {
        objects: unknown[];
      };
      expect(plain.objects).toEqual([]);
      const forged = await env.invoke("s3_list_objects", { include_versions: true, continuation_token: "not-a-token" });
      expect(forged.error?.message).toContain(
        'parameter "continuation_token" is not a next_continuation_token from s3_list_objects with include_versions',
      );
    });

    it("s3_list_buckets lists the credentials' buckets and marks the configured one", async () => {
      await env.admin.client.send(new CreateBucketCommand({ Bucket: "second-bucket" }));
      const result = await env.invoke("s3_list_buckets");
      expect(result.error).toBeUndefined();
      const seen = reassemble(result.stream);
      expect(seen.texts).toEqual(['The credentials can see 2 bucket(s); the tools work in "dify-test".']);
      const listed = seen.jsons[0] as {
        buckets: { name: string; configured: boolean; creation_date: string }[];
        configured_bucket: string;
      };
      expect(listed.buckets.map(({ name, configured }) => ({ name, configured }))).toEqual([
        { name: "dify-test", configured: true },
        { name: "second-bucket", configured: false },
      ]);
      expect(listed.buckets.every((bucket) => !Number.isNaN(Date.parse(bucket.creation_date)))).toBe(true);
      const elsewhere = reassemble((await env.invoke("s3_list_buckets", {}, { BUCKET_NAME: "not-listed" })).stream);
      expect(elsewhere.texts[0]).toBe(
        'The credentials can see 2 bucket(s); the configured bucket "not-listed" is not among them.',
      );
    });
  },
);

/** s3_download_file, s3_download_base64, s3_list_objects, s3_head_object and s3_delete_object over stdio against versitygw. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { reassemble } from "@dify-ts/host";
import { patterned, putObject } from "./support/admin.js";
import { useS3Environment, skipReason } from "./support/environment.js";
import { invokeTool, startPlugin } from "./support/plugin.js";

const reason = skipReason();
const MiB = 1024 * 1024;
/** VmHWM (peak RSS) of a live process, in bytes, as bench/s3 reads it. */
const peakRss = (pid: number) =>
  Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) * 1024;

describe.skipIf(reason)(
  `downloads and object tools over stdio against versitygw${reason ? ` (skipped: ${reason})` : ""}`,
  () => {
    const env = useS3Environment();

    it("returns an object as a Dify file: 8 KiB blob chunks with size, mime_type and filename", async () => {
      const bytes = patterned(100_000, 11);
      await putObject(env.admin, "docs/report.pdf", bytes, "application/pdf");
      const result = await env.invoke("s3_download_file", { s3_key: "docs/report.pdf", generate_presigned_url: true });
      expect(result.error).toBeUndefined();
      const chunks = result.stream
        .filter((message) => message.type === "blob_chunk")
        .map((message) => message.message as { total_length: number });
      expect(chunks).toHaveLength(Math.ceil(100_000 / 8192) + 1);
      expect(chunks.every((chunk) => chunk.total_length === 100_000)).toBe(true);
      const seen = reassemble(result.stream);
      expect(seen.blobs).toHaveLength(1);
      expect(seen.blobs[0]!.data.equals(bytes)).toBe(true);
      expect(seen.blobs[0]!.meta).toEqual({ mime_type: "application/pdf", filename: "report.pdf" });
      expect(seen.texts[0]).toBe(
        "Downloaded s3://dify-test/docs/report.pdf as the file report.pdf: 100000 bytes (98 KiB), application/pdf.\n",
      );
      const json = seen.jsons[0] as { presigned_url: string };
      expect(json).toMatchObject({
        bucket: "dify-test",
        key: "docs/report.pdf",
        size: 100_000,
        content_type: "application/pdf",
        returned_as: "file",
        filename: "report.pdf",
      });
      expect(seen.texts[1]).toBe(`Presigned URL: ${json.presigned_url}`);
    });

    it("above Dify's 30 MB limit fails with the reason, or returns a presigned URL when asked", async () => {
      const bytes = patterned(30 * MiB + 1, 5);
      await putObject(env.admin, "huge.bin", bytes);
      const refused = await env.invoke("s3_download_file", { filename: "huge.bin" });
      expect(refused.stream.filter((message) => message.type === "blob_chunk")).toHaveLength(0);
      expect(refused.error?.error_type).toBe("FileTooLargeError");
      expect(refused.error?.message).toBe(
        "s3://dify-test/huge.bin is 31457281 bytes (30 MiB), above Dify's 30 MB limit for files a tool returns: set generate_presigned_url to true to get a download link instead",
      );
      const linked = await env.invoke("s3_download_file", { filename: "huge.bin", generate_presigned_url: true });
      const seen = reassemble(linked.stream);
      expect(seen.blobs).toHaveLength(0);
      expect(seen.texts[0]).toContain("so it is returned as a presigned URL instead of a file.");
      const url = (seen.jsons[0] as { presigned_url: string }).presigned_url;
      expect(seen.texts[1]).toBe(`Presigned URL: ${url}`);
      const response = await fetch(url);
      expect(response.headers.get("content-length")).toBe(String(bytes.length));
      await response.body?.cancel();
    });

    it("returns base64 in the variable base64, with a cap and a clear error above it", async () => {
      const bytes = patterned(50_000, 9);
      await putObject(env.admin, "b64/data.json", bytes);
      const result = await env.invoke("s3_download_base64", { s3_key: "b64/data.json" });
      const seen = reassemble(result.stream);
      expect(seen.variables.base64).toBe(bytes.toString("base64"));
      expect(seen.text).not.toContain(bytes.toString("base64").slice(0, 40));
      expect(seen.jsons[0]).toMatchObject({
        key: "b64/data.json",
        size: 50_000,
        content_type: "application/json",
        base64_length: bytes.toString("base64").length,
      });
      const capped = await env.invoke("s3_download_base64", { s3_key: "b64/data.json", max_size_mb: 0.01 });
      expect(capped.error?.error_type).toBe("FileTooLargeError");
      expect(capped.error?.message).toContain(
        "is 50000 bytes (49 KiB), above the base64 limit of 0.01 MB (max_size_mb)",
      );
      const defaultCap = await env.invoke("s3_download_base64", { s3_key: "huge.bin" });
      expect(defaultCap.error?.message).toContain("above the base64 limit of 5 MB (max_size_mb)");
    });

    it("streams the base64 of a 20 MiB object without holding the object or its text whole", async () => {
      const bytes = patterned(20 * MiB, 23);
      await putObject(env.admin, "b64/big.bin", bytes);
      await putObject(env.admin, "b64/small.bin", patterned(1000, 2));
      const plugin = startPlugin();
      try {
        // The first call loads the SDK's lazily required modules: the peak after it is the running plugin's own.
        await invokeTool(plugin, env.credentials, "s3_download_base64", { s3_key: "b64/small.bin" });
        const before = peakRss(plugin.child.pid!);
        const result = await invokeTool(plugin, env.credentials, "s3_download_base64", {
          s3_key: "b64/big.bin",
          max_size_mb: 20,
        });
        const growth = peakRss(plugin.child.pid!) - before;
        const seen = reassemble(result.stream);
        expect(Buffer.from(seen.variables.base64 as string, "base64").equals(bytes)).toBe(true);
        // Holding the object, a copy of it and its base64 (the old way) grew the peak by 114 MB here, streaming pieces by 11 MB:
        // the bound, the size of the base64 text alone, sits far from both.
        expect(growth).toBeLessThan((bytes.length * 4) / 3);
      } finally {
        plugin.kill();
      }
    });

    it("reports a missing object by its key", async () => {
      for (const tool of ["s3_download_file", "s3_download_base64", "s3_head_object"]) {
        const result = await env.invoke(tool, { s3_key: "nope/missing.txt" });
        expect(result.error).toEqual({
          error_type: "S3Error",
          message: "s3://dify-test/nope/missing.txt does not exist: check the key and KEY_PREFIX",
          args: { traceback: expect.any(String) },
        });
      }
    });

    it("lists one folder level with paging, keys relative to KEY_PREFIX", async () => {
      for (const name of ["a.txt", "b.txt", "c.txt", "sub/d.txt", "sub/deeper/e.txt"])
        await putObject(env.admin, `t9/list/${name}`, Buffer.from(name));
      const credentials = { KEY_PREFIX: "t9/" };
      const first = await env.invoke("s3_list_objects", { prefix: "list/", delimiter: "/", max_keys: 2 }, credentials);
      const page1 = reassemble(first.stream).jsons[0] as {
        objects: { key: string; size: number }[];
        common_prefixes: string[];
        is_truncated: boolean;
        next_continuation_token: string;
      };
      expect(page1.objects.map((object) => object.key)).toEqual(["list/a.txt", "list/b.txt"]);
      expect(page1.is_truncated).toBe(true);
      expect(reassemble(first.stream).texts[0]).toContain("more remain");
      const second = await env.invoke(
        "s3_list_objects",
        { prefix: "list/", delimiter: "/", max_keys: 2, continuation_token: page1.next_continuation_token },
        credentials,
      );
      const page2 = reassemble(second.stream).jsons[0] as typeof page1;
      expect([...page2.objects.map((object) => object.key), ...page2.common_prefixes]).toEqual([
        "list/c.txt",
        "list/sub/",
      ]);
      const all = await env.invoke("s3_list_objects", { prefix: "list/sub" }, credentials);
      expect((reassemble(all.stream).jsons[0] as typeof page1).objects).toEqual([
        expect.objectContaining({ key: "list/sub/d.txt", size: 9 }),
        expect.objectContaining({ key: "list/sub/deeper/e.txt", size: 16 }),
      ]);
    });

    it("heads an object (size, type, ETag, metadata) and deletes it", async () => {
      await putObject(env.admin, "meta/x.csv", Buffer.from("1,2\n"), "text/csv");
      const head = reassemble((await env.invoke("s3_head_object", { s3_key: "meta/x.csv" })).stream);
      expect(head.texts).toEqual(["s3://dify-test/meta/x.csv exists: 4 bytes, text/csv."]);
      expect(head.jsons[0]).toMatchObject({
        key: "meta/x.csv",
        size: 4,
        content_type: "text/csv",
        etag: expect.stringMatching(/^[0-9a-f]{32}$/),
        metadata: {},
      });
      expect(typeof (head.jsons[0] as { last_modified: string }).last_modified).toBe("string");
      const deleted = reassemble((await env.invoke("s3_delete_object", { s3_key: "meta/x.csv" })).stream);
      expect(deleted.jsons[0]).toMatchObject({ bucket: "dify-test", key: "meta/x.csv", deleted: true });
      expect((await env.invoke("s3_head_object", { s3_key: "meta/x.csv" })).error?.message).toContain("does not exist");
    });
  },
);

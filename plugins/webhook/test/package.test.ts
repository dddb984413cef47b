/**
 * The packaged plugin: `dify-ts package` output has the endpoint group and route files and the endpoint permission,
 * passes `verify`, and answers when started as the daemon starts it (`python -m main` execs the wheel's Node).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { extractPackage, packagePlugin, verifyPackage } from "@dify-ts/cli";
import { PluginProcess } from "@dify-ts/host";
import { nodeWheelPython } from "@dify-ts/test-support";
import { delivery, endpointRequest, pluginRoot, responseOf } from "./support.js";

const python = nodeWheelPython();

describe("the packaged plugin", () => {
  let scratch: string;
  let extracted: string;
  let archive: Buffer;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "dify-ts-webhook-package-"));
    const result = await packagePlugin(pluginRoot, { outDir: scratch });
    archive = await readFile(result.file);
    extracted = join(scratch, "extracted");
    await extractPackage(archive, extracted);
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it("declares the endpoint group, its routes and the endpoint permission, and verifies clean", async () => {
    const yaml = async (path: string) =>
      parse(await readFile(join(extracted, path), "utf8")) as Record<string, unknown>;
    const manifest = await yaml("manifest.yaml");
    expect(manifest.plugins).toEqual({ endpoints: ["group/webhook.yaml"] });
    expect(manifest.resource).toMatchObject({ permission: { endpoint: { enabled: true } } });
    const group = await yaml("group/webhook.yaml");
    expect(group.endpoints).toEqual(["endpoints/receive.yaml", "endpoints/events.yaml", "endpoints/health.yaml"]);
    expect(group.settings).toEqual([
      expect.objectContaining({ name: "signing_secret", type: "secret-input", required: true }),
    ]);
    expect(await yaml("endpoints/events.yaml")).toEqual({ path: "/events/<int:count>", method: "GET" });
    expect(await yaml("endpoints/health.yaml")).toEqual({ path: "/health", method: "GET", hidden: true });
    expect((await verifyPackage(archive)).problems).toEqual([]);
  });

  it.skipIf(python.reason)(
    `answers as the daemon runs it${python.reason ? ` (skipped: ${python.reason})` : ""}`,
    async () => {
      const packaged = PluginProcess.spawn({
        command: python.path!,
        args: ["-m", "main"],
        cwd: extracted,
        env: { VIRTUAL_ENV: undefined },
      });
      try {
        await packaged.waitForHeartbeat(60_000);
        expect(responseOf((await packaged.request(delivery({ a: 1 }))).stream).status).toBe(200);
        const events = await packaged.request(endpointRequest({ method: "GET", target: "/events/2" }));
        expect(responseOf(events.stream).text.match(/^event: tick$/gm)).toHaveLength(2);
        expect(packaged.strayLines).toEqual([]);
        expect((await packaged.close()).code).toBe(0);
      } finally {
        packaged.kill();
      }
    },
  );
});

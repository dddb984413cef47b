import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyFixture, type ScratchPlugin } from "./__fixtures__/copy-fixture.js";
import { repositoryRoot } from "./__fixtures__/tools.js";
import { bumpVersion } from "./bump.js";
import { packagePlugin } from "./package.js";

let plugin: ScratchPlugin | undefined;
afterEach(() => plugin?.remove());

const versions = async (dir: string) => ({
  package: (JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { version: string }).version,
  manifest: /version: "([^"]+)"/.exec(await readFile(join(dir, "src/plugin.ts"), "utf8"))?.[1],
});

describe("version bump", () => {
  it("changes package.json and the manifest together (scripts/bump-version.mjs), and the package follows", async () => {
    plugin = await copyFixture("hello");
    execFileSync(process.execPath, [join(repositoryRoot, "scripts/bump-version.mjs"), plugin.dir, "0.3.0-rc1"], {
      stdio: "pipe",
    });
    expect(await versions(plugin.dir)).toEqual({ package: "0.3.0-rc1", manifest: "0.3.0-rc1" });
    const built = await packagePlugin(plugin.dir, { outDir: plugin.dir });
    expect(built.identifier).toMatch(/^dify-ts\/hello:0\.3\.0-rc1@/);
  });

  it("touches only package.json when the manifest reads its version from there", async () => {
    plugin = await copyFixture("hello");
    const source = await readFile(join(plugin.dir, "src/plugin.ts"), "utf8");
    await plugin.write(
      "src/plugin.ts",
      `import packageJson from "../package.json" with { type: "json" };\n${source.replace('version: "0.2.0"', "version: packageJson.version")}`,
    );
    const result = await bumpVersion(plugin.dir, "1.0.0");
    expect(result.files).toEqual([join(plugin.dir, "package.json")]);
    expect((await packagePlugin(plugin.dir, { outDir: plugin.dir })).identifier).toMatch(/^dify-ts\/hello:1\.0\.0@/);
  });

  it("refuses a version the daemon or Dify would reject, changing nothing", async () => {
    plugin = await copyFixture("hello");
    await expect(bumpVersion(plugin.dir, "1.0")).rejects.toThrow(/MAJOR\.MINOR\.PATCH/);
    await expect(bumpVersion(plugin.dir, "1.0.0-banana")).rejects.toThrow(/PEP 440/);
    expect(await versions(plugin.dir)).toEqual({ package: "0.2.0", manifest: "0.2.0" });
  });
});

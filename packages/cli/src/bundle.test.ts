import { readFile } from "node:fs/promises";
import { PluginProcess, reassemble } from "@dify-ts/host";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyFixture, type ScratchPlugin } from "./__fixtures__/copy-fixture.js";
import { buildPlugin } from "./build.js";
import { bundlePlugin, NativeAddonError } from "./bundle.js";
import { packagePlugin } from "./package.js";
import { readProject } from "./project.js";
import { ValidationFailed } from "./validate/problems.js";

let plugin: ScratchPlugin | undefined;
afterEach(() => plugin?.remove());

/** A dependency that loads a compiled addon, as node-gyp packages do. */
async function withNativeDependency(scratch: ScratchPlugin): Promise<void> {
  await scratch.write(
    "node_modules/fast-hash/package.json",
    JSON.stringify({ name: "fast-hash", version: "1.0.0", main: "index.js" }),
  );
  await scratch.write(
    "node_modules/fast-hash/index.js",
    'module.exports = require("./build/Release/fast_hash.node");\n',
  );
  await scratch.write("node_modules/fast-hash/build/Release/fast_hash.node", "\x7fELF not really");
  const greet = await readFile(join(scratch.dir, "src/tools/greet.ts"), "utf8");
  await scratch.write(
    "src/tools/greet.ts",
    `import fastHash from "fast-hash";\n${greet.replace("const greeting =", "void fastHash;\n    const greeting =")}`,
  );
}

describe("dify-ts bundle", () => {
  it("keeps stdout for the protocol even when a dependency prints while it loads", async () => {
    plugin = await copyFixture("hello");
    await plugin.write(
      "node_modules/chatty/package.json",
      JSON.stringify({ name: "chatty", version: "1.0.0", main: "index.js" }),
    );
    await plugin.write("node_modules/chatty/index.js", 'console.log("chatty: loaded");\nmodule.exports = 1;\n');
    const main = await readFile(join(plugin.dir, "src/main.ts"), "utf8");
    await plugin.write("src/main.ts", `import "chatty";\n${main}`);
    const bundle = await bundlePlugin(plugin.dir, { outFile: join(plugin.dir, "out.mjs") });
    const running = PluginProcess.spawn({ command: process.execPath, args: [bundle.file], cwd: plugin.dir });
    try {
      const result = await running.request({
        type: "tool",
        action: "invoke_tool",
        provider: "hello",
        tool: "greet",
        credentials: { token: "t-123456" },
        tool_parameters: { name: "Ada" },
      });
      expect(result.error).toBeUndefined();
      expect(reassemble(result.stream).text).toContain("Ada");
      expect(running.strayLines).toEqual([]);
      expect(running.stderr).toContain("chatty: loaded");
    } finally {
      running.kill();
    }
  });

  it("fails naming the package when a native addon would be bundled", async () => {
    plugin = await copyFixture("hello");
    await withNativeDependency(plugin);
    const error = await bundlePlugin(plugin.dir, { outFile: join(plugin.dir, "out.mjs") }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(NativeAddonError);
    expect((error as Error).message).toContain("fast-hash loads the compiled addon ./build/Release/fast_hash.node");
    expect((error as Error).message).toContain('"dify": {"alias"');
    const packaging = await packagePlugin(plugin.dir, { outDir: plugin.dir }).catch((caught: unknown) => caught);
    expect(packaging).toBeInstanceOf(ValidationFailed);
    expect((packaging as ValidationFailed).problems.map((problem) => problem.field)).toContain("bundle");
  });

  it("substitutes a native module through package.json dify.alias", async () => {
    plugin = await copyFixture("hello");
    await withNativeDependency(plugin);
    await plugin.write(
      "src/shims/fast-hash.ts",
      "export default function fastHash(text: string): number {\n  return text.length;\n}\n",
    );
    await plugin.write(
      "package.json",
      JSON.stringify({
        name: "x",
        version: "0.2.0",
        type: "module",
        dify: { alias: { "fast-hash": "./src/shims/fast-hash.ts" } },
      }),
    );
    const result = await bundlePlugin(plugin.dir, { outFile: join(plugin.dir, "out.mjs") });
    expect(result.inputs).toContain("src/shims/fast-hash.ts");
    expect(result.inputs.some((input) => input.includes("node_modules/fast-hash"))).toBe(false);
  });

  it("records the build; package reuses it until a source changes", async () => {
    plugin = await copyFixture("hello");
    const project = readProject(plugin.dir);
    const first = await buildPlugin(project, { reuse: true });
    expect(first.reused).toBe(false);
    expect(first.inputs).toEqual(expect.arrayContaining(["src/main.ts", "src/plugin.ts", "src/tools/greet.ts"]));
    expect((await buildPlugin(project, { reuse: true })).reused).toBe(true);
    expect((await buildPlugin(project, { reuse: true, minify: true })).reused).toBe(false);
    expect((await buildPlugin(project, { reuse: true, minify: true })).reused).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await plugin.write(
      "src/tools/greet.ts",
      (await readFile(join(plugin.dir, "src/tools/greet.ts"), "utf8")).replace("Hello", "Hi"),
    );
    const rebuilt = await buildPlugin(project, { reuse: true, minify: true });
    expect(rebuilt.reused).toBe(false);
    expect(await readFile(rebuilt.bundleFile, "utf8")).toContain("Hi, ");
  });
});

/**
 * `dify-ts init`: the new plugin typechecks, packages without a problem and
 * answers as the daemon calls it; inside the monorepo it joins the workspace.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runtimePackage } from "./__fixtures__/copy-fixture.js";
import { initCommand } from "./commands/init.js";
import { initPlugin } from "./init.js";
import { invokePlugin } from "./invoke.js";
import { packagePlugin } from "./package.js";
import { verifyPackage } from "./verify.js";

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "dify-ts-init-test-"));
});

afterAll(() => rm(scratch, { recursive: true, force: true }));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) }, out, err };
}

async function run(...argv: string[]) {
  const { io, out, err } = capture();
  let code: number;
  try {
    code = await initCommand.run(argv, io);
  } catch (error) {
    code = 1;
    err.push((error as Error).message);
  }
  return { code, out, err };
}

/** Links node_modules as an install would: the workspace runtime and the repository's @types. */
async function linkDependencies(dir: string): Promise<void> {
  await mkdir(join(dir, "node_modules/@dify-ts"), { recursive: true });
  await symlink(runtimePackage, join(dir, "node_modules/@dify-ts/runtime"), "dir");
  await symlink(join(runtimePackage, "../../node_modules/@types"), join(dir, "node_modules/@types"), "dir");
}

describe("dify-ts init", () => {
  it("creates a plugin that typechecks, packages without a problem and answers as the daemon calls it", async () => {
    const dir = join(scratch, "weather_tools");
    const result = await run(dir, "--author", "acme");
    expect(result.code).toBe(0);
    expect(result.out).toEqual([expect.stringMatching(/^created weather_tools in .*weather_tools: 11 files$/)]);
    expect(result.err[0]).toMatch(/^next: cd .*weather_tools && npm install && npm run package/);
    expect(result.err[1]).toMatch(/^try it: cd .*weather_tools && npx dify-ts invoke \. --tool hello /);
    expect((await readdir(dir)).sort()).toEqual([
      ".env.example",
      ".gitignore",
      "PRIVACY.md",
      "README.md",
      "_assets",
      "package.json",
      "src",
      "tsconfig.json",
    ]);
    const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as {
      name: string;
      dependencies: Record<string, string>;
    };
    expect(manifest.name).toBe("dify-plugin-weather_tools");
    expect(manifest.dependencies["@dify-ts/runtime"]).toMatch(/^\^\d+\.\d+\.\d+$/);

    await linkDependencies(dir);
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    execFileSync(process.execPath, [tsc, "-p", dir, "--customConditions", "source"], { encoding: "utf8" });

    const built = await packagePlugin(dir, { outDir: scratch });
    expect(built.identifier).toMatch(/^acme\/weather_tools:0\.1\.0@[0-9a-f]{64}$/);
    expect(verifyPackage(await readFile(built.file)).problems).toEqual([]);

    const hello = capture();
    expect(
      await invokePlugin(
        built.file,
        { tool: "hello", parameters: { name: "Ada" }, credentials: { api_key: "k-123456789" } },
        hello.io,
      ),
    ).toBe(0);
    expect(hello.out).toEqual(["text: Hello, Ada!"]);
    const refused = capture();
    expect(await invokePlugin(built.file, { credentials: { api_key: "k-1" } }, refused.io)).toBe(1);
    expect(refused.err.at(-1)).toBe(
      "error: ToolProviderCredentialValidationError: the API key is too short: expected at least 8 characters",
    );
  });

  it("joins the dify-ts workspace when created inside it: workspace dependencies, the root dist/, turbo outputs", async () => {
    const root = join(scratch, "monorepo");
    await mkdir(join(root, "packages/runtime"), { recursive: true });
    await writeFile(join(root, "pnpm-workspace.yaml"), "packages:\n  - packages/*\n  - plugins/*\n");
    await writeFile(join(root, "packages/runtime/package.json"), '{"name":"@dify-ts/runtime","version":"0.1.0"}\n');
    const created = await initPlugin(join(root, "plugins/notes"), { author: "acme" });
    expect(created.workspaceRoot).toBe(root);
    const manifest = JSON.parse(await readFile(join(root, "plugins/notes/package.json"), "utf8")) as {
      name: string;
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(manifest.name).toBe("@dify-ts/plugin-notes");
    expect(manifest.dependencies).toEqual({ "@dify-ts/runtime": "workspace:*" });
    expect(manifest.devDependencies).toEqual({ "@dify-ts/cli": "workspace:*" });
    expect(manifest.scripts.package).toBe("dify-ts package . --out-dir ../../dist");
    expect(JSON.parse(await readFile(join(root, "plugins/notes/turbo.json"), "utf8"))).toMatchObject({
      extends: ["//"],
      tasks: { package: { outputs: ["$TURBO_ROOT$/dist/notes-*.difypkg"] } },
    });
    expect(JSON.parse(await readFile(join(root, "plugins/notes/tsconfig.json"), "utf8"))).toMatchObject({
      extends: "../../tsconfig.base.json",
    });
  });

  it("refuses bad input, naming the field and the fix, and writes nothing", async () => {
    expect((await run(join(scratch, "x"))).err.at(-1)).toMatch(
      /^--author is required: .*\nusage: dify-ts init <dir> --author/s,
    );
    expect((await run(join(scratch, "My Tool"), "--author", "acme")).err.at(-1)).toMatch(
      /plugin name "My Tool" must match .*: pass --name, e\.g\. --name my-tool$/,
    );
    expect((await run(join(scratch, "y"), "--author", "Acme")).err.at(-1)).toMatch(
      /^--author "Acme" must match .*the daemon refuses uppercase/,
    );
    expect((await run(join(scratch, "z"), "--author", "langgenius")).err.at(-1)).toMatch(/must not be "langgenius"/);
    const taken = join(scratch, "taken");
    await mkdir(taken);
    await writeFile(join(taken, "notes.txt"), "mine");
    const refused = await run(taken, "--author", "acme");
    expect(refused.code).toBe(1);
    expect(refused.err.at(-1)).toBe(`${taken} already exists and is not empty: choose a new directory`);
    expect(await readdir(taken)).toEqual(["notes.txt"]);
    for (const name of ["x", "My Tool", "y", "z"]) await expect(readdir(join(scratch, name))).rejects.toThrow(/ENOENT/);
  });
});

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture, type ScratchPlugin } from "./__fixtures__/copy-fixture.js";
import { checksumOfFiles } from "./checksum.js";
import { packagePlugin, type PackageResult } from "./package.js";
import { ValidationFailed } from "./validate/problems.js";
import { readZip } from "./zip/read.js";

let plugin: ScratchPlugin;
let out: string;
let first: PackageResult;

beforeAll(async () => {
  plugin = await copyFixture("hello");
  out = await mkdtemp(join(tmpdir(), "dify-ts-out-"));
  first = await packagePlugin(plugin.dir, { outDir: out });
});

afterAll(async () => {
  await plugin.remove();
  await rm(out, { recursive: true, force: true });
});

const python = (script: string, ...args: string[]) =>
  execFileSync("python3", ["-c", script, ...args], { encoding: "utf8" });

describe("dify-ts package", () => {
  it("writes <name>-<version>.difypkg with the agreed files, sorted bytewise, and no directory entries", async () => {
    expect(first.file).toBe(join(out, "hello-0.2.0.difypkg"));
    await expect(first.files.join("\n") + "\n").toMatchFileSnapshot("./__golden__/hello/files.txt");
    const archive = readZip(await readFile(first.file));
    expect(archive.entries.map((entry) => entry.name)).toEqual(first.files);
    expect(archive.entries.some((entry) => entry.isDirectory)).toBe(false);
    expect(archive.comment).toBe("");
  });

  it("zips as the official CLI does: Deflate, zero timestamps, no mode bits, FAT creator (read by Python's zipfile)", () => {
    const entries = JSON.parse(
      python(
        "import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nprint(json.dumps([[i.filename,i.compress_type,list(i.date_time),i.external_attr,i.create_system,i.flag_bits] for i in z.infolist()]))",
        first.file,
      ),
    ) as [string, number, number[], number, number, number][];
    expect(entries.map(([name]) => name)).toEqual(first.files);
    for (const [, method, date, attributes, system, flags] of entries) {
      expect({ method, date, attributes, system, flags }).toEqual({
        method: 8,
        date: [1980, 0, 0, 0, 0, 0],
        attributes: 0,
        system: 0,
        flags: 0,
      });
    }
  });

  it("generates manifest, provider and tool YAML from the definitions (golden files)", async () => {
    const archive = readZip(await readFile(first.file));
    const text = (name: string) =>
      archive.entries
        .find((entry) => entry.name === name)!
        .read()
        .toString("utf8");
    for (const name of [
      "manifest.yaml",
      "provider/hello.yaml",
      "tools/greet.yaml",
      "tools/report.yaml",
      "app/launch.json",
      "requirements.txt",
    ]) {
      await expect(text(name)).toMatchFileSnapshot(`./__golden__/hello/${name}`);
    }
    expect(text("main.py")).toBe(await readFile(join(import.meta.dirname, "../launcher/main.py"), "utf8"));
  });

  it("is deterministic and prints the daemon's identifier", async () => {
    const again = await packagePlugin(plugin.dir, { outFile: join(out, "again.difypkg") });
    expect(await readFile(again.file)).toEqual(await readFile(first.file));
    const files = readZip(await readFile(first.file)).entries.map((entry) => ({
      path: entry.name,
      data: entry.read(),
    }));
    expect(first.identifier).toBe(`dify-ts/hello:0.2.0@${checksumOfFiles(files)}`);
    expect(first.identifier).toMatch(
      /^(?:([a-z0-9_-]{1,64})\/)?([a-z0-9_-]{1,255}):([0-9]{1,4})(\.[0-9]{1,4}){1,3}(-\w{1,16})?@[a-f0-9]{32,64}$/,
    );
  });

  it("bundles one self-contained ESM file: no imports other than node: built-ins", async () => {
    const archive = readZip(await readFile(first.file));
    const bundle = archive.entries
      .find((entry) => entry.name === "app/main.mjs")!
      .read()
      .toString("utf8");
    const specifiers = [...bundle.matchAll(/^\s*import\s[^"']*["']([^"']+)["']/gm)].map((match) => match[1]);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((specifier) => !specifier!.startsWith("node:"))).toEqual([]);
    expect(bundle).toContain("const require = __difyCreateRequire(import.meta.url);");
  });
});

describe("validation before anything is written", () => {
  it("reports every problem at once, naming field and rule, and writes nothing", async () => {
    const broken = await copyFixture("hello");
    try {
      const source = await readFile(join(broken.dir, "src/plugin.ts"), "utf8");
      await broken.write(
        "src/plugin.ts",
        source
          .replace('icon: "icon.svg"', 'icon: "missing.svg"')
          .replace('tags: ["utilities"]', 'tags: ["utilities", "games"]')
          .replace('name: "hello"', 'name: "Hello"')
          .replace("2026-01-15T10:00:00Z", "2999-01-01T00:00:00Z"),
      );
      await broken.write("package.json", JSON.stringify({ name: "x", version: "0.3.0", type: "module" }));
      await broken.write("src/config.ts", 'export const settings = { api_key: "q8Xr2LmN5vT1wZ3k" };\n');
      await broken.write(
        "src/main.ts",
        (await readFile(join(broken.dir, "src/main.ts"), "utf8")) +
          'import { settings } from "./config.js";\nconsole.error(settings);\n',
      );
      await broken.write("_assets/.env", "TOKEN=1\n");
      await broken.write("readme/notes.md", "x");
      const target = join(out, "broken.difypkg");
      const error = await packagePlugin(broken.dir, { outFile: target }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValidationFailed);
      const fields = (error as ValidationFailed).problems.map((problem) => problem.field);
      expect(fields).toEqual(
        expect.arrayContaining([
          "name",
          "tags",
          "created_at",
          "version",
          "icon missing.svg",
          "_assets/.env",
          "src/config.ts:1",
          "readme/notes.md",
        ]),
      );
      expect((error as ValidationFailed).message).not.toContain("q8Xr2LmN5vT1wZ3k");
      expect(existsSync(target)).toBe(false);
      expect((await readdir(out)).filter((name) => name.includes("partial"))).toEqual([]);
    } finally {
      await broken.remove();
    }
  });

  it("enforces the uncompressed size cap, configurable in MiB", async () => {
    const error = await packagePlugin(plugin.dir, { outFile: join(out, "tiny.difypkg"), maxSizeMiB: 0.01 }).catch(
      (caught: unknown) => caught,
    );
    expect((error as ValidationFailed).problems).toEqual([
      expect.objectContaining({
        field: "package size",
        message: expect.stringContaining("exceeds the 0.01 MiB limit"),
      }),
    ]);
    expect((error as ValidationFailed).problems[0]!.message).toContain("app/main.mjs");
  });
});

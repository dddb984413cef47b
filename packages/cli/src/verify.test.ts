import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture } from "./__fixtures__/copy-fixture.js";
import { checksumOf } from "./commands/inspect.js";
import { extractPackage } from "./extract.js";
import { packagePlugin, type PackageResult } from "./package.js";
import { verifyPackage } from "./verify.js";
import { readZip } from "./zip/read.js";
import { writeZip, type ZipInput } from "./zip/write.js";

let scratch: string;
let built: PackageResult;
let pkg: Buffer;

beforeAll(async () => {
  const plugin = await copyFixture("hello");
  scratch = await mkdtemp(join(tmpdir(), "dify-ts-verify-"));
  try {
    built = await packagePlugin(plugin.dir, { outDir: scratch });
    pkg = await readFile(built.file);
  } finally {
    await plugin.remove();
  }
});

afterAll(() => rm(scratch, { recursive: true, force: true }));

const files = (): ZipInput[] => readZip(pkg).entries.map((entry) => ({ path: entry.name, data: entry.read() }));
const without = (path: string) => writeZip(files().filter((file) => file.path !== path));
const replace = (path: string, data: string) =>
  writeZip(files().map((file) => (file.path === path ? { path, data: Buffer.from(data) } : file)));
const fieldsOf = (zip: Buffer) => verifyPackage(zip).problems.map((problem) => problem.field);

describe("dify-ts verify", () => {
  it("accepts our package and computes the same identifier as package", () => {
    const report = verifyPackage(pkg);
    expect(report.problems).toEqual([]);
    expect(report.identifier).toBe(built.identifier);
    expect(report.signed).toBe(false);
  });

  it("names directory entries, as `zip -r` writes them (the daemon fails with 'is a directory')", async () => {
    const extracted = join(scratch, "for-zip-r");
    await extractPackage(pkg, extracted);
    const zipped = join(scratch, "zip-r.difypkg");
    execFileSync("python3", [
      "-c",
      "import os,sys,zipfile\nz=zipfile.ZipFile(sys.argv[2],'w',zipfile.ZIP_DEFLATED)\nfor root,dirs,names in os.walk(sys.argv[1]):\n  rel=os.path.relpath(root,sys.argv[1])\n  if rel!='.': z.write(root,rel)\n  for n in names: z.write(os.path.join(root,n),os.path.normpath(os.path.join(rel,n)))\nz.close()",
      extracted,
      zipped,
    ]);
    const fields = fieldsOf(await readFile(zipped));
    expect(fields).toEqual(expect.arrayContaining(["_assets/", "app/", "provider/", "readme/", "tools/"]));
  });

  it("reports a corrupt archive in one line", () => {
    const report = verifyPackage(pkg.subarray(0, pkg.length - 30));
    expect(report.problems).toEqual([{ field: "package", message: expect.stringContaining("not a valid zip file") }]);
  });

  it("reports a corrupt entry by name", () => {
    const damaged = Buffer.from(pkg);
    const offset = damaged.indexOf(Buffer.from("manifest.yaml")) + 13 + 10;
    damaged[offset] = damaged[offset]! ^ 0xff;
    expect(fieldsOf(damaged)).toContain("manifest.yaml");
  });

  it("lists every missing piece at once", () => {
    let zip = without("_assets/icon.svg");
    zip = writeZip(
      readZip(zip)
        .entries.filter(
          (entry) => !["tools/report.yaml", "main.py", "requirements.txt", "app/main.mjs"].includes(entry.name),
        )
        .map((entry) => ({ path: entry.name, data: entry.read() })),
    );
    expect(fieldsOf(zip)).toEqual([
      "provider/hello.yaml tools tools/report.yaml",
      "icon icon.svg",
      "meta.runner.entrypoint",
      "requirements.txt",
      "app/launch.json",
    ]);
  });

  it("reports a missing manifest, invalid YAML and manifest rule violations", () => {
    expect(fieldsOf(without("manifest.yaml"))).toEqual(["manifest.yaml (at the archive root)"]);
    expect(fieldsOf(replace("tools/greet.yaml", "identity: [unclosed"))).toEqual(["tools/greet.yaml"]);
    const manifest = files()
      .find((file) => file.path === "manifest.yaml")!
      .data.toString()
      .replace("author: dify-ts", "author: Dify")
      .replace("- utilities", "- games");
    expect(fieldsOf(replace("manifest.yaml", manifest))).toEqual(["author", "tags", "unique identifier"]);
  });

  it("refuses a package carrying a .env file", () => {
    expect(
      fieldsOf(
        writeZip(
          [...files(), { path: ".env", data: Buffer.from("KEY=1") }].sort((a, b) => a.path.localeCompare(b.path)),
        ),
      ),
    ).toEqual([".env"]);
  });
});

describe("dify-ts checksum", () => {
  it("gives the package's checksum for the package and for its extracted directory (ignore rules applied)", async () => {
    const dir = join(scratch, "extracted");
    await extractPackage(pkg, dir);
    await mkdir(join(dir, ".venv", "bin"), { recursive: true });
    await writeFile(join(dir, ".venv", "bin", "python"), "x");
    await mkdir(join(dir, "__pycache__"));
    await writeFile(join(dir, "__pycache__", "main.cpython-312.pyc"), "x");
    expect(await checksumOf(built.file)).toBe(built.checksum);
    expect(await checksumOf(dir)).toBe(built.checksum);
    await writeFile(join(dir, "extra.txt"), "counted");
    expect(await checksumOf(dir)).not.toBe(built.checksum);
  });
});

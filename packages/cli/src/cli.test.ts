/** The command line: the executable as a user runs it, and runCli for exit codes and usage errors. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
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
  const result = spawnSync(process.execPath, ["--conditions=source", "--import", tsx, cli, ...args], {
    cwd: scratch,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

const runInProcess = async (...args: string[]) => {
  const output = { stdout: "", stderr: "" };
  const cwd = process.cwd();
  process.chdir(scratch);
  try {
    const code = await runCli(args, {
      out: (line) => (output.stdout += `${line}\n`),
      err: (line) => (output.stderr += `${line}\n`),
    });
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
    expect(await runInProcess("keygen", "-n", "test_key")).toMatchObject({
      code: 0,
      stdout: "test_key.private.pem\ntest_key.public.pem\n",
    });
    expect(await runInProcess("sign", "hello-0.2.0.difypkg", "--key", "test_key.private.pem")).toMatchObject({
      code: 0,
      stdout: "hello-0.2.0.signed.difypkg\n",
    });
    expect(
      await runInProcess("verify-signature", "hello-0.2.0.signed.difypkg", "--pubkey", "test_key.public.pem"),
    ).toMatchObject({ code: 0, stdout: expect.stringContaining("authorized category community") });
    expect(
      await runInProcess("verify-signature", "hello-0.2.0.difypkg", "--pubkey", "test_key.public.pem"),
    ).toMatchObject({ code: 1, stderr: expect.stringContaining("not signed") });
  });

  it("exits 2 with the usage for mistakes, 1 for failures, naming the problem", async () => {
    expect(await runInProcess()).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: no command given\nusage: dify-ts <command>/),
    });
    expect(await runInProcess("pack")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "pack"'),
    });
    expect(await runInProcess("package")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("usage: dify-ts package <plugin dir>"),
    });
    expect(await runInProcess("package", plugin.dir, "--output", "x")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("Unknown option '--output'"),
    });
    expect(await runInProcess("package", plugin.dir, "-o", "a.difypkg", "--out-dir", "d")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("either -o <file> or --out-dir <dir>"),
    });
    expect(await runInProcess("package", plugin.dir, "--max-size", "lots")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--max-size must be a positive number"),
    });
    expect(await runInProcess("package", scratch)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("package.json is missing"),
    });
    expect(await runInProcess("invoke", plugin.dir)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("exactly one of --tool <name>, --validate or --endpoint '<METHOD> <path>'"),
    });
    expect(await runInProcess("invoke", plugin.dir, "--endpoint", "post /x")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--endpoint must be '<METHOD> <path>', like 'POST /webhook'"),
    });
    expect(await runInProcess("invoke", plugin.dir, "--tool", "greet", "--body", "x")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--settings, --header and --body apply to --endpoint"),
    });
    expect(await runInProcess("invoke", plugin.dir, "--tool", "greet", "--params", "{nope")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--params must be a JSON object or @file.json"),
    });
    expect(await runInProcess("sign", "missing.difypkg")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--key <private.pem> is required"),
    });
    expect(await runInProcess("checksum", "missing.difypkg")).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("ENOENT"),
    });
    expect(await runInProcess("package", "--help")).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("[--max-size <MiB>]"),
    });
  });

  it('writes every error as one "error: ..." message on stderr: exit 2 for usage mistakes, 1 for failures', async () => {
    const usageMistakes = [
      [],
      ["pack"],
      ["package"],
      ["package", plugin.dir, "--output", "x"],
      ["invoke", plugin.dir],
      ["sign", "missing.difypkg"],
      ["bump", plugin.dir, "1.2.3", "extra"],
    ];
    for (const args of usageMistakes) {
      const result = await runInProcess(...args);
      expect(result, args.join(" ")).toMatchObject({ code: 2, stdout: "", stderr: expect.stringMatching(/^error: /) });
    }
    for (const args of [
      ["checksum", "missing.difypkg"],
      ["verify", "missing.difypkg"],
      ["verify-signature", "missing.difypkg", "--pubkey", "missing.pem"],
    ]) {
      const result = await runInProcess(...args);
      expect(result, args.join(" ")).toMatchObject({ code: 1, stdout: "", stderr: expect.stringMatching(/^error: /) });
    }
    // The executable too, for a failure inside a command.
    expect(runExecutable("checksum", "missing.difypkg")).toMatchObject({
      code: 1,
      stdout: "",
      stderr: expect.stringMatching(/^error: .*ENOENT/),
    });
  });

  it("--help explains every flag of every command and gives examples that work from the repository root", async () => {
    const overview = await runInProcess("--help");
    const names = [...overview.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((match) => match[1]!);
    expect(names).toContain("invoke");
    for (const name of names) {
      const help = await runInProcess(name, "--help");
      expect(help.code, name).toBe(0);
      const [usage, ...body] = help.stdout.split("\n");
      const explained = body.join("\n").split("examples")[0]!;
      for (const flag of new Set(usage!.match(/--[a-z-]+/g) ?? []))
        expect(explained, `${name} --help explains ${flag}`).toMatch(new RegExp(`^ +.*${flag}(?![a-z-])`, "m"));
      const examples = help.stdout.split("examples (from the repository root):\n")[1]!.trim().split("\n");
      expect(examples.length, name).toBeGreaterThan(0);
      for (const example of examples) expect(example.trim(), name).toMatch(new RegExp(`^pnpm dify-ts ${name} `));
    }
    const invoke = (await runInProcess("invoke", "--help")).stdout;
    expect(invoke).toContain("a source directory runs from source");
    expect(invoke).toContain("a package runs through its launcher");
  });
});

const repositoryRoot = join(import.meta.dirname, "../../..");
const pnpmVersion = spawnSync("pnpm", ["--version"], { encoding: "utf8" });
const pnpmDifyTsSkip =
  pnpmVersion.status !== 0
    ? "pnpm is not on PATH"
    : existsSync(join(repositoryRoot, "packages/cli/build/cli.js"))
      ? undefined
      : "packages/cli is not built (pnpm build:all, as .ci/run does before the tests)";

describe("pnpm dify-ts from the repository root", () => {
  it.skipIf(pnpmDifyTsSkip)(
    `runs the workspace CLI as the README writes it${pnpmDifyTsSkip ? ` (skipped: ${pnpmDifyTsSkip})` : ""}`,
    () => {
      const help = spawnSync("pnpm", ["dify-ts", "invoke", "--help"], {
        cwd: repositoryRoot,
        encoding: "utf8",
        timeout: 120_000,
      });
      expect(help).toMatchObject({
        status: 0,
        stdout: expect.stringContaining("usage: dify-ts invoke <plugin dir | package.difypkg | extracted dir>"),
      });
      expect(help.stderr).not.toMatch(/npm warn|ELIFECYCLE/i);
      const failed = spawnSync("pnpm", ["dify-ts", "checksum", "missing.difypkg"], {
        cwd: repositoryRoot,
        encoding: "utf8",
        timeout: 120_000,
      });
      expect(failed.status).toBe(1);
      expect(failed.stderr).toMatch(/^error: .*ENOENT/);
    },
  );
});

describe("the Node version check", () => {
  it("names the version needed, in one line, for a Node without zlib.crc32", async () => {
    const { unsupportedNode } = await import("../bin/node-version.js");
    for (const version of ["20.15.0", "20.19.2", "22.2.0", "24.19.0"])
      expect(unsupportedNode(version), version).toBeUndefined();
    for (const version of ["20.11.1", "21.7.3", "22.1.0", "18.20.0"]) {
      expect(unsupportedNode(version), version).toBe(
        `error: dify-ts needs Node 20.15+ (on 20.x) or 22.2+; this is Node v${version}: install Node 22 or 24 (or update Node 20)`,
      );
    }
  });
});

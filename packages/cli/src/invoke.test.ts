import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeWheelPython } from "@dify-ts/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture } from "./__fixtures__/copy-fixture.js";
import { invokePlugin } from "./invoke.js";
import { nodeWheelVersion } from "./launcher.js";
import { packagePlugin } from "./package.js";

const fixture = join(dirname(fileURLToPath(import.meta.url)), "__fixtures__", "hello");
const python = nodeWheelPython();
let scratch: string;
let pkg: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "dify-ts-invoke-test-"));
  const copy = await copyFixture("hello");
  try {
    pkg = (await packagePlugin(copy.dir, { outDir: scratch })).file;
  } finally {
    await copy.remove();
  }
});

afterAll(() => rm(scratch, { recursive: true, force: true }));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) }, out, err };
}

describe("dify-ts invoke", () => {
  it("runs a plugin directory with tsx, prints every message and saves blobs", async () => {
    const { io, out, err } = capture();
    const blobs = join(scratch, "blobs");
    const code = await invokePlugin(
      fixture,
      { tool: "report", parameters: { bytes: 5 }, credentials: { token: "t" }, saveBlobs: blobs },
      io,
    );
    expect(code).toBe(0);
    expect(err[0]).toContain("with tsx");
    expect(out[0]).toMatch(/^json: \{\n {2}"node": "v\d+/);
    expect(out[1]).toBe(`blob: a.txt (text/plain, 5 bytes, saved to ${join(blobs, "a.txt")})`);
    expect(await readFile(join(blobs, "a.txt"), "utf8")).toBe("aaaaa");
    // A second run never overwrites an earlier blob.
    await invokePlugin(
      pkg,
      { tool: "report", parameters: { bytes: 2 }, credentials: { token: "t" }, saveBlobs: blobs },
      capture().io,
    );
    expect(await readFile(join(blobs, "a-1.txt"), "utf8")).toBe("aa");
  });

  it("masks the values of secret-input credentials only: public ones stay readable", async () => {
    const { io, out } = capture();
    const code = await invokePlugin(
      fixture,
      {
        tool: "greet",
        parameters: { name: "plain sk-live-abcdef undeclared-value" },
        credentials: { token: "sk-live-abcdef", style: "plain", extra: "undeclared-value" },
      },
      io,
    );
    expect(code).toBe(0);
    // style is a select field: shown; token is secret-input and extra is not declared: both masked.
    expect(out).toEqual(["text: Hello, plain [REDACTED] [REDACTED]!"]);
  });

  it.skipIf(!python.path)(
    `runs a .difypkg with python -m main on the wheel's Node and never prints credential values${python.reason ? ` (skipped: ${python.reason})` : ""}`,
    async () => {
      const { io, out, err } = capture();
      const code = await invokePlugin(
        pkg,
        { tool: "greet", parameters: { name: "sk-live-abcdef" }, credentials: { token: "sk-live-abcdef" } },
        io,
      );
      expect(code).toBe(0);
      expect(err[0]).toMatch(/python -m main" in .*, as the daemon does/);
      expect(out).toEqual(["text: Hello, [REDACTED]!"]);

      const report = capture();
      await invokePlugin(pkg, { tool: "report", parameters: { bytes: 1 }, credentials: { token: "x" } }, report.io);
      expect(report.out[0]).toContain(`"node": "v${nodeWheelVersion()}"`);
    },
  );

  it("validates credentials and exits 1 with the plugin's error", async () => {
    const ok = capture();
    expect(await invokePlugin(pkg, { credentials: { token: "fine" } }, ok.io)).toBe(0);
    expect(ok.out).toEqual(["result: true"]);
    const bad = capture();
    expect(await invokePlugin(pkg, { credentials: { token: "wrong" } }, bad.io)).toBe(1);
    expect(bad.out).toEqual([]);
    expect(bad.err.at(-1)).toBe("error: ToolProviderCredentialValidationError: the token was rejected");
  });

  it("reports a tool's parameter errors as the plugin answers them", async () => {
    const { io, err } = capture();
    expect(
      await invokePlugin(pkg, { tool: "report", parameters: { bytes: -1 }, credentials: { token: "t" } }, io),
    ).toBe(1);
    expect(err.at(-1)).toMatch(/^error: ToolParameterValidationError: .*"bytes"/);
  });
});

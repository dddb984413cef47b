/** The closing line of `pnpm test`, from a real vitest report of a failing run. */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const fixtures = join(import.meta.dirname, "__fixtures__", "summary");
const vitest = join(createRequire(import.meta.url).resolve("vitest/package.json"), "..", "vitest.mjs");

describe("scripts/summarize-tests.mjs", () => {
  it("counts tests, not describe blocks, and a file that cannot load as one failure", () => {
    const report = join(mkdtempSync(join(tmpdir(), "summary-")), "report.json");
    const run = spawnSync(
      process.execPath,
      [vitest, "run", "--config", join(fixtures, "vitest.config.ts"), "--reporter=json", `--outputFile.json=${report}`],
      { cwd: fixtures, encoding: "utf8", timeout: 120_000 },
    );
    expect(run.status).toBe(1);
    const summary = spawnSync(process.execPath, [join(import.meta.dirname, "summarize-tests.mjs"), report], {
      encoding: "utf8",
    });
    // nested.check.ts: 1 failed (inside two describe blocks), 1 passed, 1 skipped; unloadable.check.ts: 1 failure.
    expect(summary.stdout).toBe("1 passed, 2 failed, 1 skipped\n");
  });

  it("counts a missing report as one failure and keeps the line plain", () => {
    const summary = spawnSync(
      process.execPath,
      [join(import.meta.dirname, "summarize-tests.mjs"), join(tmpdir(), "no-such-report.json")],
      { encoding: "utf8" },
    );
    expect(summary.stdout).toBe("0 passed, 1 failed\n");
    expect(summary.stderr).toContain("no test report");
  });
});

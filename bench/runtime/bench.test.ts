/** Smoke form of the runtime benchmark: a tiny run, to see that the script works (the figures are not judged here). */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatTable, QUICK, runBenchmark } from "./bench.js";

describe("runtime benchmark (smoke)", () => {
  it("bundles the fixture, measures every available target and prints the table", async () => {
    const result = await runBenchmark({
      ...QUICK,
      spawns: 1,
      workDir: mkdtempSync(join(tmpdir(), "bench-runtime-")),
      progress: () => {},
    });
    for (const reason of result.skipped) console.warn(`runtime benchmark smoke: not measured: ${reason}`);
    expect(result.targets[0]!.name).toMatch(/^ours, Node \d+\.\d+\.\d+ \(bundle\)$/);
    for (const target of result.targets) {
      for (const value of [
        target.coldStartMs,
        target.sequentialPerSecond,
        target.concurrentPerSecond,
        target.sequentialP99Ms,
        target.idleRssMb,
        target.afterRssMb,
      ]) {
        expect(Number.isFinite(value) && value > 0, `${target.name}: ${JSON.stringify(target)}`).toBe(true);
      }
      expect(target.afterInvocations).toBe(QUICK.memoryInvocations);
    }
    const table = formatTable(result);
    expect(table.split("\n")[0]).toContain("| metric | ours, Node ");
    expect(table).toContain("| cold start to first heartbeat, ms (median) |");
    expect(table).toContain(`| RSS after ${QUICK.memoryInvocations} invocations, MB |`);
  }, 120_000);
});

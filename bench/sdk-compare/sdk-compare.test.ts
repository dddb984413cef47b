/**
 * Smoke form of the SDK comparison benchmark (CI): the same harness with tiny
 * counts, checking that every figure is measured and the table renders. Not a
 * timed test: no figure is compared with a target here.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { difySdkPython } from "../../conformance/harness/src/index.js";
import { prepareContenders, type Contenders } from "./contenders.js";
import { drive, loadDriver } from "./driver.js";
import { renderTable } from "./report.js";
import { SMOKE, baselines, heapSettingsTable, measureAll, rows, type Figures } from "./run.js";

const driver = loadDriver();
if (driver.reason) console.warn(`bench/sdk-compare smoke: the Go load driver is unavailable: ${driver.reason}`);
const sdk = difySdkPython();
if (sdk.reason) console.warn(`bench/sdk-compare smoke: the Python SDK is unavailable: ${sdk.reason}`);
let contenders: Contenders;
let ours: Figures;

function checkFigures(figures: Figures): void {
  expect(figures.coldStart).toHaveLength(SMOKE.coldStartRuns);
  expect(figures.coldStart.every((milliseconds) => milliseconds > 0)).toBe(true);
  expect(figures.sequential.requests).toBe(SMOKE.sequential);
  expect(figures.concurrent.latencies.filter((latency) => latency > 0)).toHaveLength(SMOKE.concurrent);
  expect(figures.idleRss).toBeGreaterThan(1024 * 1024);
  expect(figures.finalRss).toBeGreaterThan(1024 * 1024);
  expect(figures.blob[0]!.peakRss).toBeGreaterThanOrEqual(figures.blob[0]!.idleRss);
  expect(figures.sideBySide.processes).toBe(SMOKE.sideBySide);
  expect(figures.sideBySide.pss).toBeGreaterThan(1024 * 1024);
  expect(figures.sideBySide.uss).toBeLessThan(figures.sideBySide.pss);
  expect(figures.sideBySide.pss).toBeLessThan(figures.sideBySide.rss);
  expect(figures.robustness.crashed).toBe(false);
}

describe.skipIf(!driver.path)(`bench/sdk-compare (smoke)${driver.reason ? ` (skipped: ${driver.reason})` : ""}`, () => {
  beforeAll(async () => {
    contenders = await prepareContenders();
  });
  afterAll(async () => {
    await contenders?.dispose();
  });

  it("measures ours as shipped", async () => {
    ours = (await measureAll([contenders.ours], SMOKE))[0]!;
    checkFigures(ours);
    expect(ours.robustness.answeredCorrectly).toBe(ours.robustness.validRequests);
    expect(ours.robustness.logEvents + ours.robustness.otherSessionsAnswered).toBeGreaterThan(0);
  });

  it("measures the baselines: the driver's round-trip floor and our start without the launcher", async () => {
    const notes = await baselines(contenders, SMOKE);
    expect(notes).toContain("Round-trip floor");
    expect(notes).toContain("Memory floor");
    expect(notes).not.toContain("NaN");
  });

  it("compares our heap settings", async () => {
    const table = await heapSettingsTable(contenders, SMOKE);
    expect(table.split("\n")).toHaveLength(5);
    expect(table).not.toContain("NaN");
    expect(table).not.toContain("exited");
  });

  it.skipIf(!sdk.path)(
    `measures the Python SDK beside it and renders the table${sdk.reason ? ` (skipped: ${sdk.reason})` : ""}`,
    async () => {
      const [python] = await measureAll([contenders.python!], SMOKE);
      checkFigures(python!);
      const table = renderTable(rows(python, ours, SMOKE), "Python SDK", "ours");
      expect(table.split("\n")).toHaveLength(2 + rows(python, ours, SMOKE).length);
      expect(table).not.toContain("NaN");
    },
  );
});

/** Answers every request with an error: the driver must refuse it, not count it as served. */
const WRONG_ANSWERS = `
const write = (event) => process.stdout.write(JSON.stringify(event) + "\\n");
write({ event: "heartbeat", session_id: null, data: {} });
process.stdin.on("data", (chunk) => {
  for (const line of chunk.toString().split("\\n").filter(Boolean)) {
    const id = JSON.parse(line).session_id;
    write({ event: "session", session_id: id, data: { type: "error", data: { error_type: "Broken", message: "no", args: {} } } });
    write({ event: "session", session_id: id, data: { type: "end", data: {} } });
  }
});`;

describe.skipIf(!driver.path)("bench/sdk-compare load driver", () => {
  it("passes its Go unit tests (the one-pass line scanner)", () => {
    const output = execFileSync("go", ["test", "-count=1", "."], {
      cwd: fileURLToPath(new URL("./driver", import.meta.url)),
      env: { ...process.env, GOTOOLCHAIN: "local" },
      encoding: "utf8",
    });
    expect(output).toMatch(/^ok\s/m);
  });

  it("fails on a wrong answer instead of counting it, and names the request", async () => {
    const spec = { command: process.execPath, args: ["-e", WRONG_ANSWERS], cwd: process.cwd() };
    await expect(drive(spec, { sequential: 3 })).rejects.toThrow(
      /request bench-\d+ answered with 0 stream messages, error true/,
    );
  });

  it("reports a plugin that dies before its first heartbeat, with its stderr", async () => {
    const spec = {
      command: process.execPath,
      args: ["-e", "console.error('broken on purpose'); process.exit(3)"],
      cwd: process.cwd(),
    };
    await expect(drive(spec)).rejects.toThrow(/exited before its first heartbeat.*broken on purpose/s);
  });
});

/**
 * Smoke form of the SDK comparison benchmark (CI): the same harness with tiny
 * counts, checking that every figure is measured and the table renders. Not a
 * timed test: no figure is compared with a target here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { difySdkPython } from "../../conformance/harness/src/index.js";
import { prepareContenders, type Contenders } from "./contenders.js";
import { renderTable } from "./report.js";
import { SMOKE, baselines, heapSettingsTable, measureAll, rows, type Figures } from "./run.js";

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
  expect(figures.robustness.crashed).toBe(false);
}

describe("bench/sdk-compare (smoke)", () => {
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

  it.skipIf(!sdk.path)(`measures the Python SDK beside it and renders the table${sdk.reason ? ` (skipped: ${sdk.reason})` : ""}`, async () => {
    const [python] = await measureAll([contenders.python!], SMOKE);
    checkFigures(python!);
    const table = renderTable(rows(python, ours, SMOKE), "Python SDK", "ours");
    expect(table.split("\n")).toHaveLength(2 + rows(python, ours, SMOKE).length);
    expect(table).not.toContain("NaN");
  });
});

/** Smoke form of the build benchmark: packages the CLI's fixture plugin (the full run is `node --import tsx bench/packaging/bench.ts`). */
import { describe, expect, it } from "vitest";
import { formatRuns, formatSizes, quick } from "./bench.js";

describe("build benchmark (smoke)", () => {
  it("measures packaging and prints the tables", async () => {
    const { runs, sizes } = await quick();
    expect(runs).toHaveLength(2);
    for (const run of runs) expect(run.seconds).toBeGreaterThan(0);
    expect(sizes[0]!.bytes).toBeGreaterThan(0);
    expect(sizes[0]!.uncompressed).toBeGreaterThan(sizes[0]!.bytes);
    expect(formatRuns(runs)).toContain("| fixture package (again) |");
    expect(formatSizes(sizes)).toContain("| hello-0.2.0.difypkg |");
  });
});

/** Smoke form of the Mem0 benchmark: a tiny run, to see that the script works (the figures are not judged here). */
import { describe, expect, it } from "vitest";
import { unavailable } from "../../plugins/mem0/test/support/plugin.js";
import { formatTable, runBenchmark } from "./bench.js";

describe.skipIf(unavailable)(`mem0 benchmark (smoke)${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  it("measures ACCEPT latency, the journal, the drain rate, search latency and extraction throughput, and prints the table", async () => {
    const result = await runBenchmark({
      pending: 20,
      accepts: 10,
      drainWrites: 20,
      syncWrites: 3,
      searchMemories: 150,
      searches: 5,
      extractionUsers: 3,
      extractionConversationsPerUser: 2,
      progress: () => {},
    });
    expect(result.rows.map((row) => row.metric)).toEqual([
      "ACCEPT latency p50 with 20 writes pending, stdio round trip",
      "ACCEPT latency p99 with 20 writes pending, stdio round trip",
      "journal append + fsync p50 (WorkQueue.submit, in process)",
      "journal append + fsync p99 (WorkQueue.submit, in process)",
      "drain rate, 20 queued writes, concurrency 8, pgvector (PGlite)",
      "search_memory p50 over 150 memories of one user, pgvector (PGlite), exact scan",
      "search_memory p99 over 150 memories of one user, pgvector (PGlite), exact scan",
      "extraction, 6 conversations of 3 users: accepted (read from the Dify stand-in, journaled, checkpointed)",
      "extraction, 6 conversations of 3 users: stored (memories written), pgvector (PGlite)",
    ]);
    for (const row of result.rows) {
      expect(Number.isFinite(row.value) && row.value > 0, JSON.stringify(row)).toBe(true);
      if (row.baseline) expect(row.baseline.value > 0, JSON.stringify(row)).toBe(true);
    }
    const table = formatTable(result);
    expect(table.split("\n")[0]).toBe("| metric | value | baseline (same run) | value ÷ baseline |");
    expect(table.split("\n")).toHaveLength(2 + result.rows.length);
  }, 120_000);
});

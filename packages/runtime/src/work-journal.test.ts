/**
 * The journal on a disk that fills up: a record is accepted only once it is
 * whole on disk; a failed or short write is refused and cut back, so the file
 * keeps only whole records and the next record is not swallowed; a torn
 * record at start-up costs only itself.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mountSmallDisk } from "@dify-ts/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { WorkQueue } from "./work-queue.js";

type Job = { n: number; padding: string };

const disk = mountSmallDisk(64 * 1024);
afterAll(() => disk.unmount?.());

/** The accepted ids the journal file holds (every line must parse), minus completed ones. */
async function idsOnDisk(path: string): Promise<number[]> {
  const lines = (await readFile(path, "utf8")).split("\n");
  expect(lines.pop()).toBe("");
  const records = lines.map((line) => JSON.parse(line) as { a?: number; d?: number });
  const done = new Set(records.map((record) => record.d));
  return records.filter((record) => record.a !== undefined && !done.has(record.a)).map((record) => record.a!);
}

describe.skipIf(disk.reason)(
  `the work journal on a full disk${disk.reason ? ` (skipped: ${disk.reason})` : ""}`,
  () => {
    it("accepts only records that are whole on disk, refuses the rest, and keeps the file readable for the next start", async () => {
      const journalPath = join(disk.path!, "journal.jsonl");
      // A file to delete later: space comes back, as when an operator cleans up.
      const filler = join(disk.path!, "filler");
      await writeFile(filler, Buffer.alloc(12 * 1024));
      const queue = await WorkQueue.open<Job>({
        concurrency: 1,
        maxPending: 10_000,
        journalPath,
        run: () => new Promise<void>(() => {}),
      });
      const accepted: number[] = [];
      const refusals: string[] = [];
      // Odd sizes, so the disk runs out in the middle of a record.
      for (let n = 0; refusals.length < 5; n++) {
        try {
          const result = await queue.submit({ n, padding: "x".repeat(700 + ((n * 97) % 900)) });
          if (result.status === "accepted") accepted.push(result.id);
        } catch (error) {
          refusals.push((error as NodeJS.ErrnoException).code ?? String(error));
        }
      }
      expect(refusals).toEqual(Array(5).fill("ENOSPC"));
      expect(accepted.length).toBeGreaterThan(10);
      expect(await idsOnDisk(journalPath)).toEqual(accepted);

      // Space comes back: new writes are accepted and start on their own line.
      await rm(filler);
      const after = await queue.submit({ n: -1, padding: "after" });
      expect(after.status).toBe("accepted");
      expect(await idsOnDisk(journalPath)).toEqual([...accepted, (after as { id: number }).id]);
    });
  },
);

describe("the work journal at start-up", () => {
  it("a torn record costs only itself, also when the next record was appended to it on the same line", async () => {
    const journalPath = join(await mkdtemp(join(tmpdir(), "work-journal-")), "journal.jsonl");
    const record = (a: number) => JSON.stringify({ a, j: { n: a, padding: `metadata {"a":${a},"j":{}}` } });
    const torn = (a: number) => record(a).slice(0, 17);
    await writeFile(journalPath, `${record(1)}\n${torn(2)}${record(3)}\n${record(4)}\n${torn(5)}`);
    const queue = await WorkQueue.open<{ n: number }>({
      concurrency: 1,
      maxPending: 100,
      journalPath,
      run: () => new Promise<void>(() => {}),
    });
    expect(queue.replayed).toBe(3);
    expect(queue.unreadableLines).toBe(2);
    expect(await idsOnDisk(journalPath)).toEqual([1, 3, 4]);
  });
});

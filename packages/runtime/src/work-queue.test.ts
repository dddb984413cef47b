import { spawn } from "node:child_process";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { eventually } from "@dify-ts/host";
import { WorkQueue, type FailureClass, type JobOutcome, type WorkQueueOptions } from "./work-queue.js";

type Job = { n: number; key?: string };

const temporaryJournal = async () => join(await mkdtemp(join(tmpdir(), "work-queue-")), "journal.jsonl");
const open = (options: Partial<WorkQueueOptions<Job>> & Pick<WorkQueueOptions<Job>, "run">) =>
  WorkQueue.open<Job>({ concurrency: 2, maxPending: 100, ...options });

/** A job runner whose jobs finish only when the test releases them. */
function gate() {
  const started: Job[] = [];
  const releases: (() => void)[] = [];
  let running = 0;
  let maxRunning = 0;
  return {
    started,
    get maxRunning() {
      return maxRunning;
    },
    run: (job: Job) =>
      new Promise<void>((resolve) => {
        started.push(job);
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        releases.push(() => {
          running -= 1;
          resolve();
        });
      }),
    releaseAll: () => releases.splice(0).forEach((release) => release()),
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("WorkQueue", () => {
  it("runs at most `concurrency` jobs at once and all of them eventually", async () => {
    const runner = gate();
    const queue = await open({ concurrency: 3, run: runner.run });
    for (let n = 0; n < 10; n++) expect((await queue.submit({ n })).status).toBe("accepted");
    await tick();
    expect(runner.started).toHaveLength(3);
    while (runner.started.length < 10 || queue.pending > 0) {
      runner.releaseAll();
      await tick();
    }
    expect(runner.maxRunning).toBe(3);
    expect(runner.started.map((job) => job.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("takes a new concurrency at once", async () => {
    const runner = gate();
    const queue = await open({ concurrency: 1, run: runner.run });
    for (let n = 0; n < 5; n++) await queue.submit({ n });
    await tick();
    expect(runner.started).toHaveLength(1);
    queue.setConcurrency(3);
    await tick();
    expect(runner.started).toHaveLength(3);
    expect(() => queue.setConcurrency(0)).toThrow("concurrency must be a positive integer; got 0");
    runner.releaseAll();
    await tick();
    runner.releaseAll();
    await queue.idle();
  });

  it("refuses with overload past maxPending instead of growing, and accepts again once jobs finish", async () => {
    const runner = gate();
    const queue = await open({ concurrency: 1, maxPending: 3, run: runner.run });
    const results = await Promise.all([0, 1, 2, 3, 4].map((n) => queue.submit({ n })));
    expect(results.map((result) => result.status)).toEqual([
      "accepted",
      "accepted",
      "accepted",
      "overload",
      "overload",
    ]);
    expect(results[3]).toEqual({ status: "overload", pending: 3, limit: 3 });
    runner.releaseAll();
    await tick();
    expect((await queue.submit({ n: 5 })).status).toBe("accepted");
  });

  it("runs jobs that share a key one at a time, in order, while other keys proceed", async () => {
    const runner = gate();
    const queue = await open({ concurrency: 4, run: runner.run, keyOf: (job) => job.key });
    for (const [n, key] of [
      [0, "a"],
      [1, "a"],
      [2, "b"],
      [3, "a"],
      [4, undefined],
    ] as const)
      await queue.submit({ n, key });
    await tick();
    expect(runner.started.map((job) => job.n)).toEqual([0, 2, 4]);
    runner.releaseAll();
    await tick();
    expect(runner.started.map((job) => job.n)).toEqual([0, 2, 4, 1]);
    runner.releaseAll();
    await tick();
    expect(runner.started.map((job) => job.n)).toEqual([0, 2, 4, 1, 3]);
    runner.releaseAll();
    await queue.idle();
  });

  it("replays accepted jobs that were not completed when the queue is opened again", async () => {
    const journalPath = await temporaryJournal();
    const first = gate();
    const crashed = await open({ concurrency: 1, run: first.run, journalPath });
    for (let n = 0; n < 5; n++) await crashed.submit({ n });
    first.releaseAll(); // job 0 completes; the rest were accepted but never ran
    // Completions are written to the journal in the background: wait until job 0's is there.
    await eventually(
      () => readFile(journalPath, "utf8"),
      (journal) => journal.includes('{"d":'),
    );
    const replayedJobs: number[] = [];
    const reopened = await open({ concurrency: 1, journalPath, run: async (job) => void replayedJobs.push(job.n) });
    expect(reopened.replayed).toBe(4);
    await reopened.idle();
    expect(replayedJobs).toEqual([1, 2, 3, 4]);
    await reopened.drain(1000);
    const again = await open({ journalPath, run: async () => {} });
    expect(again.replayed).toBe(0);
    await again.drain(0);
    await crashed.drain(0);
  });

  it("ignores a torn last line left by a crash in the middle of a write", async () => {
    const journalPath = await temporaryJournal();
    await writeFile(journalPath, '{"a":1,"j":{"n":1}}\n{"a":2,"j":{"n":2}}\n{"d":1}\n{"a":3,"j":{"n"');
    const seen: number[] = [];
    const queue = await open({ journalPath, run: async (job) => void seen.push(job.n) });
    expect(queue.replayed).toBe(1);
    expect(queue.unreadableLines).toBe(1);
    await queue.idle();
    expect(seen).toEqual([2]);
    expect((await queue.submit({ n: 9 })).status).toBe("accepted");
    await queue.drain(1000);
    expect(await readFile(journalPath, "utf8")).not.toContain('"n"\n');
  });

  it("every job accepted before a SIGKILL is in the journal afterwards (fsync before accept)", async () => {
    const journalPath = await temporaryJournal();
    const fixture = fileURLToPath(new URL("./__fixtures__/work-queue-crash.ts", import.meta.url));
    const tsx = createRequire(import.meta.url).resolve("tsx");
    const child = spawn(process.execPath, ["--import", tsx, fixture, journalPath], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.split("\n").length > 300) resolve();
      });
    });
    // While the process lives, nobody else may open its journal.
    await expect(open({ journalPath, lockWaitMs: 300, run: async () => {} })).rejects.toThrow(
      `is in use by process ${child.pid}`,
    );
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("exit", resolve));
    const acknowledged = output
      .split("\n")
      .filter((line) => /^\d+:\d+$/.test(line))
      .map((line) => Number(line.split(":")[1]));
    const replayed = new Set<number>();
    const queue = await open({ journalPath, maxPending: 100_000, run: async (job) => void replayed.add(job.n) });
    await queue.idle();
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);
    for (const n of acknowledged) expect(replayed.has(n), `job ${n} was acknowledged but not replayed`).toBe(true);
    await queue.drain(0);
  });

  it("takes over a lock left by a process that no longer runs", async () => {
    const journalPath = await temporaryJournal();
    await writeFile(`${journalPath}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345 }));
    await writeFile(journalPath, '{"a":1,"j":{"n":7}}\n');
    const seen: number[] = [];
    const queue = await open({ journalPath, lockWaitMs: 0, run: async (job) => void seen.push(job.n) });
    await queue.idle();
    expect(seen).toEqual([7]);
    await queue.drain(0);
    await expect(stat(`${journalPath}.lock`)).rejects.toThrow("ENOENT");
  });

  it("compacts the journal so it does not grow with completed jobs", async () => {
    const journalPath = await temporaryJournal();
    const queue = await WorkQueue.open<{ n: number; padding: string }>({
      concurrency: 4,
      maxPending: 1000,
      journalPath,
      compactAfterBytes: 64 * 1024,
      run: async () => {},
    });
    const padding = "x".repeat(500);
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 50 }, (_, n) => queue.submit({ n, padding })));
      await queue.idle();
    }
    // 1,000 jobs of ~520 bytes were accepted: without compaction the file would hold over 500 KiB.
    expect((await stat(journalPath)).size).toBeLessThan(100 * 1024);
    await queue.drain(1000);
  });

  it("drain finishes running work within the deadline and leaves the rest journaled", async () => {
    const journalPath = await temporaryJournal();
    const runner = gate();
    const queue = await open({ concurrency: 1, journalPath, run: runner.run });
    for (let n = 0; n < 5; n++) await queue.submit({ n });
    // Job 0 is running when the drain starts and is let finish; job 1 then starts and is held past the deadline.
    const draining = queue.drain(250);
    runner.releaseAll();
    await eventually(
      () => runner.started.length,
      (started) => started === 2,
    );
    const result = await draining;
    expect(result).toEqual({ drained: false, left: 4 });
    expect(await queue.submit({ n: 6 })).toEqual({ status: "closed" });
    const seen: number[] = [];
    const next = await open({ journalPath, run: async (job) => void seen.push(job.n) });
    await next.idle();
    expect(seen.length).toBe(result.left);
    expect(seen.at(-1)).toBe(4);
    await next.drain(0);
  });

  it("retries transient and permanent failures; exhausted transient ones stay for the next start, the others go to the dead-letter file", async () => {
    const journalPath = await temporaryJournal();
    const deadLetterPath = join(journalPath, "..", "dead-letter.jsonl");
    const outcomes: JobOutcome<Job>[] = [];
    const attempts = new Map<number, number>();
    const queue = await open({
      concurrency: 4,
      journalPath,
      deadLetterPath,
      retry: {
        attempts: 3,
        baseDelayMs: 5,
        classify: (error) => (error as Error).message.split(" ")[0] as FailureClass,
      },
      describeFailure: (error) => `described: ${(error as Error).message.replace("sk-secret", "[REDACTED]")}`,
      onOutcome: (outcome) => outcomes.push(outcome),
      run: async (job) => {
        const count = (attempts.get(job.n) ?? 0) + 1;
        attempts.set(job.n, count);
        if (job.n === 0 && count < 2) throw new Error("transient");
        if (job.n === 1) throw new Error("permanent 401 for key sk-secret");
        if (job.n === 2) throw new Error("transient");
        if (job.n === 3) throw new Error("invalid memory not found");
      },
    });
    for (let n = 0; n < 4; n++) await queue.submit({ n });
    await queue.idle();
    const byJob = Object.fromEntries(outcomes.map((outcome) => [outcome.job.n, [outcome.status, outcome.attempts]]));
    expect(byJob).toEqual({ 0: ["done", 2], 1: ["failed", 3], 2: ["kept", 3], 3: ["failed", 1] });
    const deadLetters = (await readFile(deadLetterPath, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: number; attempts: number; reason: string; job: Job });
    expect(
      deadLetters.map(({ job, attempts, reason }) => ({ n: job.n, attempts, reason })).sort((a, b) => a.n - b.n),
    ).toEqual([
      { n: 1, attempts: 3, reason: "described: permanent 401 for key [REDACTED]" },
      { n: 3, attempts: 1, reason: "described: invalid memory not found" },
    ]);
    expect((await stat(deadLetterPath)).mode & 0o777).toBe(0o600);
    await queue.drain(100);
    const replayed: number[] = [];
    const next = await open({ journalPath, run: async (job) => void replayed.push(job.n) });
    await next.idle();
    expect(replayed).toEqual([2]);
    await next.drain(0);
  });

  it("a job whose transient failure outlasts its attempts is parked: counted, holding its key, and run again in this process", async () => {
    const ran: number[] = [];
    let failuresLeft = 3;
    const outcomes: string[] = [];
    /** What the queue looked like when the job was parked (taken in the outcome callback, before any timer can fire). */
    let whenParked: { ran: number[]; pending: number } | undefined;
    const queue: WorkQueue<Job> = await open({
      journalPath: await temporaryJournal(),
      keyOf: (job) => job.key,
      retry: { attempts: 2, baseDelayMs: 1, parkMs: 20, classify: () => "transient" },
      onOutcome: (outcome) => {
        outcomes.push(`${outcome.job.n}:${outcome.status}:${outcome.attempts}`);
        if (outcome.status === "kept") whenParked = { ran: [...ran], pending: queue.pending };
      },
      run: async (job) => {
        ran.push(job.n);
        if (job.n === 1 && failuresLeft-- > 0) throw new Error("database unavailable");
      },
    });
    await queue.submit({ n: 1, key: "k" });
    await queue.submit({ n: 2, key: "k" });
    await eventually(
      async () => outcomes.includes("2:done:1"),
      (done) => done,
    );
    // Parked after its 2 attempts, still pending with the job behind it on the same key, which had not run.
    expect(whenParked).toEqual({ ran: [1, 1], pending: 2 });
    expect(outcomes).toEqual(["1:kept:2", "1:done:2", "2:done:1"]);
    expect(ran).toEqual([1, 1, 1, 1, 2]);
    expect(queue.pending).toBe(0);
    await queue.drain(0);
  });

  it("a failed job whose dead-letter line cannot be written stays journaled", async () => {
    const journalPath = await temporaryJournal();
    const queue = await open({
      journalPath,
      // A directory where the file should be: the append fails.
      deadLetterPath: join(journalPath, ".."),
      retry: { attempts: 1, baseDelayMs: 5, classify: () => "invalid" },
      run: async () => {
        throw new Error("never works");
      },
    });
    await queue.submit({ n: 7 });
    await queue.idle();
    await queue.drain(0);
    const replayed: number[] = [];
    const next = await open({ journalPath, run: async (job) => void replayed.push(job.n) });
    await next.idle();
    expect(replayed).toEqual([7]);
    await next.drain(0);
  });

  it("lets a job canRun refuses wait, in order and holding its key, until wake(); drain does not wait for it", async () => {
    const journalPath = await temporaryJournal();
    const ready = new Set<string>(["a"]);
    const ran: number[] = [];
    const options = {
      concurrency: 2,
      journalPath,
      keyOf: (job: Job) => job.key,
      canRun: (job: Job) => ready.has(job.key ?? ""),
      run: async (job: Job) => void ran.push(job.n),
    };
    const queue = await open(options);
    await queue.submit({ n: 1, key: "b" });
    await queue.submit({ n: 2, key: "a" });
    await queue.submit({ n: 3, key: "b" });
    await queue.submit({ n: 4, key: "a" });
    await queue.idle();
    expect(ran).toEqual([2, 4]);
    expect(queue.waitingJobs).toBe(1); // job 1; job 3 queues behind it on key "b"
    expect(queue.pending).toBe(2);
    ready.add("b");
    queue.wake();
    await queue.idle();
    expect(ran).toEqual([2, 4, 1, 3]);

    ready.delete("b");
    await queue.submit({ n: 5, key: "b" });
    // A deadline far past the test's own timeout: had drain waited for the job canRun refuses, the test would fail.
    expect(await queue.drain(600_000)).toEqual({ drained: false, left: 1 });
    // Still journaled: the next process runs it once it can.
    const replayed: number[] = [];
    const next = await open({ ...options, run: async (job: Job) => void replayed.push(job.n) });
    await next.idle();
    expect(replayed).toEqual([]);
    ready.add("b");
    next.wake();
    await next.idle();
    expect(replayed).toEqual([5]);
    await next.drain(0);
  });

  it("rejects a bad configuration with the field named", async () => {
    await expect(open({ concurrency: 0, run: async () => {} })).rejects.toThrow(
      "concurrency must be a positive integer; got 0",
    );
    await expect(open({ maxPending: 1.5, run: async () => {} })).rejects.toThrow(
      "maxPending must be a positive integer",
    );
  });
});

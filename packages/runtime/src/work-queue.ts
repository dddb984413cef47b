/**
 * A bounded background work queue: at most `concurrency` jobs run at once, at
 * most `maxPending` are queued or running, and a submit past that is refused
 * with an "overload" result instead of growing memory. With a journal path,
 * `submit` resolves "accepted" only after the job is fsync'd to the journal,
 * and jobs a crash left unapplied run again when the queue is opened: an
 * accepted job runs at least once. `drain(deadline)` is the shutdown path:
 * take no more, finish what fits in the deadline, leave the rest journaled.
 * A job that `canRun` refuses (its inputs are not there yet, e.g. credentials
 * the journal does not hold) waits, in order and holding its key, until
 * `wake()`; it still counts as pending and stays journaled until it runs.
 *
 * A failed job is classified (RetryPolicy.classify): transient failures are
 * retried with backoff and, when the attempts run out, the job is parked: it
 * stays journaled, counted and holding its key (later jobs with the key wait),
 * and gets a new round of attempts after `parkMs`, in this process or, after a
 * stop, at the next start; permanent ones are retried too (the cause may pass), then leave
 * the queue; invalid ones leave at once. A job that leaves the queue unapplied
 * is appended to the dead-letter file first (with the reason), so an operator
 * can see and replay it; if that append fails the job stays journaled.
 */
import { appendFile } from "node:fs/promises";
import { WorkJournal } from "./work-journal.js";

export type SubmitResult =
  { status: "accepted"; id: number } | { status: "overload"; pending: number; limit: number } | { status: "closed" };

/** How a job ended: applied, failed for good (dead-lettered, if a file is set), or kept in the journal for the next start. */
export interface JobOutcome<J> {
  id: number;
  job: J;
  status: "done" | "failed" | "kept";
  attempts: number;
  error?: unknown;
  /** Failed: the dead-letter line was written. */
  deadLettered?: boolean;
}

/**
 * transient: may pass by itself (network, 5xx, 429, database unavailable, disk full): retried, then kept for the next start.
 * permanent: will not pass with the same inputs (401, 403, 400, malformed output): retried, then failed.
 * invalid: the job itself can never succeed (its target does not exist): failed at once.
 */
export type FailureClass = "transient" | "permanent" | "invalid";

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs?: number;
  /** How long a job whose transient failure outlasted its attempts waits before its next round. Default: maxDelayMs (30 s). */
  parkMs?: number;
  classify(error: unknown): FailureClass;
}

export interface WorkQueueOptions<J> {
  concurrency: number;
  maxPending: number;
  run(job: J): Promise<void>;
  /** Jobs with the same key run one at a time, in the order they were accepted. */
  keyOf?(job: J): string | undefined;
  /** Whether a job can run now; one that cannot waits until `wake()`. Default: always. */
  canRun?(job: J): boolean;
  /** The durable journal; without it, accepted jobs live in memory only. */
  journalPath?: string;
  compactAfterBytes?: number;
  /** How long to wait for another process to release the journal; default 15 s. */
  lockWaitMs?: number;
  retry?: RetryPolicy;
  /** JSON lines of the jobs that failed for good: {failed_at, id, attempts, reason, job}. */
  deadLetterPath?: string;
  /** The reason written to the dead-letter file; it must hold no secret. Default: the error's message. */
  describeFailure?(error: unknown, job: J): string;
  onOutcome?(outcome: JobOutcome<J>): void;
}

interface Entry<J> {
  id: number;
  job: J;
  key?: string;
}

export class WorkQueue<J> {
  private readonly ready: Entry<J>[] = [];
  /** Jobs `canRun` refused, oldest first, until `wake()`. */
  private waiting: Entry<J>[] = [];
  /** Followers waiting for the job of their key that is ready or running; a key is present while one is. */
  private readonly blocked = new Map<string, Entry<J>[]>();
  /** Jobs whose transient failure outlasted their attempts, until their next round. */
  private readonly parked = new Map<Entry<J>, NodeJS.Timeout>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly stopController = new AbortController();
  private concurrency: number;
  private active = 0;
  private count = 0;
  private nextMemoryId = 1;
  private closed = false;

  private constructor(
    private readonly options: WorkQueueOptions<J>,
    private readonly journal: WorkJournal<J> | undefined,
    /** Jobs replayed from the journal when the queue was opened. */
    readonly replayed: number,
    /** Journal lines that could not be read (a torn write at a crash). */
    readonly unreadableLines: number,
  ) {
    this.concurrency = positive("concurrency", options.concurrency);
    positive("maxPending", options.maxPending);
  }

  /** Opens the journal (if any), and queues the jobs it still holds. */
  static async open<J>(options: WorkQueueOptions<J>): Promise<WorkQueue<J>> {
    if (!options.journalPath) return new WorkQueue(options, undefined, 0, 0);
    const opened = await WorkJournal.open<J>(options.journalPath, {
      compactAfterBytes: options.compactAfterBytes,
      lockWaitMs: options.lockWaitMs,
    });
    const queue = new WorkQueue(options, opened.journal, opened.pending.length, opened.unreadableLines);
    for (const entry of opened.pending) {
      queue.count += 1;
      queue.enqueue(entry);
    }
    return queue;
  }

  /** Queued, waiting and running jobs. */
  get pending(): number {
    return this.count;
  }

  /** Jobs `canRun` refused that wait for `wake()` (not counting those queued behind them). */
  get waitingJobs(): number {
    return this.waiting.length;
  }

  /** Gives waiting jobs another chance to run (their inputs may have arrived), ahead of newer ones. */
  wake(): void {
    if (this.waiting.length === 0) return;
    this.ready.unshift(...this.waiting);
    this.waiting = [];
    this.pump();
  }

  get running(): number {
    return this.active;
  }

  get limit(): number {
    return this.options.maxPending;
  }

  setConcurrency(concurrency: number): void {
    this.concurrency = positive("concurrency", concurrency);
    this.pump();
  }

  /** Accepts a job (durably, with a journal) or refuses it when the queue is full or closed. */
  async submit(job: J): Promise<SubmitResult> {
    if (this.closed) return { status: "closed" };
    if (this.count >= this.options.maxPending)
      return { status: "overload", pending: this.count, limit: this.options.maxPending };
    // Reserve the place before the fsync, so concurrent submits see it.
    this.count += 1;
    let id: number;
    try {
      id = this.journal ? await this.journal.accept(job) : this.nextMemoryId++;
    } catch (error) {
      this.release();
      throw error;
    }
    this.enqueue({ id, job });
    return { status: "accepted", id };
  }

  /** Resolves when nothing is queued or running (jobs waiting for `wake()` or parked until their next round aside). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops accepting, lets queued and running jobs finish until the deadline,
   * then stops starting new ones and closes the journal: what did not finish
   * stays journaled and runs at the next open.
   */
  async drain(deadlineMs: number): Promise<{ drained: boolean; left: number }> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadlineMs))));
    await Promise.race([this.idle(), expired]);
    clearTimeout(timer);
    this.stopController.abort();
    for (const timer of this.parked.values()) clearTimeout(timer);
    this.parked.clear();
    const left = this.count;
    await this.journal?.close();
    return { drained: left === 0, left };
  }

  private enqueue(entry: Entry<J>): void {
    entry.key = this.options.keyOf?.(entry.job);
    if (entry.key !== undefined) {
      const followers = this.blocked.get(entry.key);
      if (followers) {
        followers.push(entry);
        return;
      }
      this.blocked.set(entry.key, []);
    }
    this.ready.push(entry);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.concurrency && this.ready.length > 0 && !this.stopController.signal.aborted) {
      const entry = this.ready.shift()!;
      if (this.options.canRun && !this.options.canRun(entry.job)) {
        this.waiting.push(entry);
        continue;
      }
      this.active += 1;
      void this.execute(entry);
    }
    this.notifyIfIdle();
  }

  private async execute(entry: Entry<J>): Promise<void> {
    const retry = this.options.retry;
    let attempts = 0;
    let outcome: JobOutcome<J>;
    for (;;) {
      attempts += 1;
      try {
        await this.options.run(entry.job);
        outcome = { id: entry.id, job: entry.job, status: "done", attempts };
        break;
      } catch (error) {
        const failure = retry?.classify(error) ?? "invalid";
        if (failure !== "invalid" && attempts < retry!.attempts && (await this.backoff(retry!, attempts))) continue;
        // Stopped during a backoff: the job did not run out of attempts, so it stays for the next start.
        const exhausted = failure === "invalid" || attempts >= retry!.attempts;
        if (failure === "transient" || !exhausted)
          outcome = { id: entry.id, job: entry.job, status: "kept", attempts, error };
        else
          outcome = {
            id: entry.id,
            job: entry.job,
            status: "failed",
            attempts,
            error,
            deadLettered: await this.deadLetter(entry, attempts, error),
          };
        break;
      }
    }
    if (outcome.status === "kept" && !this.stopController.signal.aborted) {
      this.active -= 1;
      this.park(entry, retry!);
      this.options.onOutcome?.(outcome);
      this.pump();
      return;
    }
    // A failed job whose dead-letter line could not be written stays journaled: nothing accepted disappears unrecorded.
    if (outcome.status === "done" || (outcome.status === "failed" && outcome.deadLettered !== false))
      this.journal?.complete(entry.id);
    this.active -= 1;
    if (entry.key !== undefined) {
      const next = this.blocked.get(entry.key)?.shift();
      if (next) this.ready.push(next);
      else this.blocked.delete(entry.key);
    }
    this.release();
    this.options.onOutcome?.(outcome);
    this.pump();
  }

  /** Holds a job (counted, journaled, its key held) until its next round of attempts. */
  private park(entry: Entry<J>, retry: RetryPolicy): void {
    const timer = setTimeout(
      () => {
        this.parked.delete(entry);
        this.ready.push(entry);
        this.pump();
      },
      retry.parkMs ?? retry.maxDelayMs ?? 30_000,
    );
    // A parked job alone does not keep the process alive: it is journaled for the next start.
    timer.unref();
    this.parked.set(entry, timer);
  }

  /** Appends the failed job to the dead-letter file (fsync'd by appendFile's close); true when written, undefined without a file. */
  private async deadLetter(entry: Entry<J>, attempts: number, error: unknown): Promise<boolean | undefined> {
    const path = this.options.deadLetterPath;
    if (!path) return undefined;
    const reason =
      this.options.describeFailure?.(error, entry.job) ?? (error instanceof Error ? error.message : String(error));
    const line =
      JSON.stringify({ failed_at: new Date().toISOString(), id: entry.id, attempts, reason, job: entry.job }) + "\n";
    try {
      await appendFile(path, line, { mode: 0o600, flush: true });
      return true;
    } catch {
      return false;
    }
  }

  /** Waits before the next attempt; false when the queue stopped meanwhile. */
  private backoff(retry: RetryPolicy, attempts: number): Promise<boolean> {
    const signal = this.stopController.signal;
    if (signal.aborted) return Promise.resolve(false);
    const delay = Math.min(retry.baseDelayMs * 2 ** (attempts - 1), retry.maxDelayMs ?? 30_000);
    return new Promise((resolve) => {
      const onStop = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onStop);
        resolve(true);
      }, delay);
      signal.addEventListener("abort", onStop, { once: true });
    });
  }

  private release(): void {
    this.count -= 1;
    this.notifyIfIdle();
  }

  /** Every pending job waits for wake() or its next round: refused by canRun or parked, or queued behind one that is (same key). */
  private isIdle(): boolean {
    const held = [...this.waiting, ...this.parked.keys()];
    let waiting = held.length;
    for (const entry of held) if (entry.key !== undefined) waiting += this.blocked.get(entry.key)?.length ?? 0;
    return this.count === waiting;
  }

  private notifyIfIdle(): void {
    if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer; got ${value}`);
  return value;
}

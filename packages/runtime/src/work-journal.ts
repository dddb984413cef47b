/**
 * The durable half of WorkQueue: an append-only JSON-lines file. An accepted
 * job is written and fsync'd before `accept` resolves; a completion is written
 * without fsync (losing it only means the job runs again after a crash). Writes
 * that arrive while an fsync is in progress share the next one (group commit),
 * so accept latency stays near one fsync under load. When completed entries
 * dominate the file it is rewritten with the live entries only (write a
 * temporary file, fsync, rename, fsync the directory).
 *
 * The file only ever holds whole records: a write that fails or comes up
 * short (a full disk) or a failed fsync rejects the records it carried and
 * truncates the file back to the end of the last whole record, so the next
 * record starts on a line of its own. At start-up a torn record (a crash in
 * the middle of a write) costs only that record.
 */
import { mkdir, open, readFile, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { JsonValue } from "@dify-ts/protocol";
import { lockJournal, type JournalLock } from "./work-journal-lock.js";

export interface JournalEntry<J> {
  id: number;
  job: J;
}

export interface JournalOptions {
  /** Rewrite the file once it exceeds this size and most of it is completed entries. Default 1 MiB. */
  compactAfterBytes?: number;
  /** How long to wait for another live process to release the journal (an upgrade overlapping its predecessor). Default 15 s. */
  lockWaitMs?: number;
}

export interface OpenedJournal<J> {
  journal: WorkJournal<J>;
  /** Accepted entries with no completion record, oldest first: the work to replay. */
  pending: JournalEntry<J>[];
  /** Lines that could not be read (a torn last line after a crash, or damage). */
  unreadableLines: number;
}

type JournalRecord = { a: number; j: JsonValue } | { d: number };

export class WorkJournal<J> {
  /** Live (accepted, not completed) entries by id, as their journal lines. */
  private readonly live = new Map<number, string>();
  private liveBytes = 0;
  private buffer: string[] = [];
  private durableWaiters: { id: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private flushing?: Promise<void>;
  /** The file's length: where the last whole record ends. */
  private fileBytes = 0;
  /** Set when a failed write could not be cut back: nothing more is appended until it is. */
  private tornTail = false;
  private closed = false;
  private nextId: number;

  private constructor(
    private readonly path: string,
    private handle: FileHandle,
    private readonly lock: JournalLock,
    private readonly compactAfterBytes: number,
    nextId: number,
  ) {
    this.nextId = nextId;
  }

  static async open<J>(path: string, options: JournalOptions = {}): Promise<OpenedJournal<J>> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const lock = await lockJournal(path, options.lockWaitMs ?? 15_000);
    try {
      return await WorkJournal.load<J>(path, lock, options);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  private static async load<J>(path: string, lock: JournalLock, options: JournalOptions): Promise<OpenedJournal<J>> {
    let text = "";
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const accepted = new Map<number, string>();
    let unreadableLines = 0;
    let maxId = 0;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      let record = parseRecord(line);
      let recordLine = line;
      if (!record) {
        unreadableLines += 1;
        // A torn record with the next one appended to it (written before whole-record writes): keep the next one.
        const salvaged = salvageRecord(line);
        if (!salvaged) continue;
        ({ record, line: recordLine } = salvaged);
      }
      if ("a" in record) {
        accepted.set(record.a, recordLine);
        maxId = Math.max(maxId, record.a);
      } else accepted.delete(record.d);
    }
    const pending = [...accepted.entries()]
      .sort(([a], [b]) => a - b)
      .map(([id, line]) => ({ id, job: (JSON.parse(line) as { j: J }).j }));
    // Start from a compact file: only what still has to run.
    const handle = await rewrite(path, [...accepted.values()]);
    const journal = new WorkJournal<J>(path, handle, lock, options.compactAfterBytes ?? 1024 * 1024, maxId + 1);
    for (const [id, line] of accepted) journal.track(id, line);
    journal.fileBytes = journal.liveBytes;
    return { journal, pending, unreadableLines };
  }

  /** Records a job durably; resolves with its id once the record is on disk. */
  accept(job: J): Promise<number> {
    if (this.closed) return Promise.reject(new Error("the work journal is closed"));
    const id = this.nextId++;
    const line = JSON.stringify({ a: id, j: job });
    this.track(id, line);
    this.buffer.push(line);
    return new Promise<void>((resolve, reject) => {
      this.durableWaiters.push({ id, resolve, reject });
      this.scheduleFlush();
    }).then(() => id);
  }

  /** Records that a job was applied (or given up); not fsync'd. */
  complete(id: number): void {
    if (this.closed || !this.untrack(id)) return;
    this.buffer.push(JSON.stringify({ d: id }));
    this.scheduleFlush();
  }

  get liveEntries(): number {
    return this.live.size;
  }

  /** Writes what is buffered, fsyncs, and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing;
    if (this.buffer.length > 0) await this.flush();
    await this.handle.close();
    await this.lock.release();
  }

  private track(id: number, line: string): void {
    this.live.set(id, line);
    this.liveBytes += Buffer.byteLength(line) + 1;
  }

  private untrack(id: number): boolean {
    const line = this.live.get(id);
    if (line === undefined) return false;
    this.live.delete(id);
    this.liveBytes -= Buffer.byteLength(line) + 1;
    return true;
  }

  private scheduleFlush(): void {
    this.flushing ??= this.flushLoop().finally(() => (this.flushing = undefined));
  }

  private async flushLoop(): Promise<void> {
    while (this.buffer.length > 0) await this.flush();
  }

  private async flush(): Promise<void> {
    const lines = this.buffer;
    const waiters = this.durableWaiters;
    this.buffer = [];
    this.durableWaiters = [];
    try {
      if (this.tornTail) await this.cutBack();
      const data = Buffer.from(lines.join("\n") + "\n");
      await writeAll(this.handle, data);
      if (waiters.length > 0) await this.handle.datasync();
      this.fileBytes += data.length;
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      // Not durable, so not accepted: forget the entries, cut the file back to its last whole record, tell the callers.
      for (const waiter of waiters) {
        this.untrack(waiter.id);
        waiter.reject(error);
      }
      this.tornTail = true;
      await this.cutBack().catch(() => undefined);
      return;
    }
    if (this.fileBytes > this.compactAfterBytes && this.liveBytes * 2 < this.fileBytes)
      await this.compact().catch(() => undefined);
  }

  /** Truncates the file to the end of the last whole record (and syncs that), so the next append starts a new line. */
  private async cutBack(): Promise<void> {
    await this.handle.truncate(this.fileBytes);
    await this.handle.datasync();
    this.tornTail = false;
  }

  /** Rewrites the file with the live entries; on failure (a full disk) the current file stays as it is. */
  private async compact(): Promise<void> {
    const handle = await rewrite(this.path, [...this.live.values()]);
    await this.handle.close();
    this.handle = handle;
    this.fileBytes = this.liveBytes;
  }
}

/** Writes every byte, or throws: a short write (a full disk) is continued until it fails with the reason. */
async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    if (bytesWritten === 0)
      throw Object.assign(new Error("the journal write wrote nothing (is the disk full?)"), { code: "ENOSPC" });
    offset += bytesWritten;
  }
}

/** Atomically replaces the file with these lines and returns it opened for appending. */
async function rewrite(path: string, lines: string[]): Promise<FileHandle> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const file = await open(temporary, "w", 0o600);
  try {
    if (lines.length > 0) await writeAll(file, Buffer.from(lines.join("\n") + "\n"));
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await file.close();
  await rename(temporary, path).catch(async (error: unknown) => {
    await rm(temporary, { force: true });
    throw error;
  });
  await syncDirectory(dirname(path));
  return open(path, "a", 0o600);
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, "r");
  try {
    await directory.sync();
  } catch {
    // Some filesystems cannot fsync a directory; the rename is still atomic there.
  } finally {
    await directory.close();
  }
}

/** The whole record that ends a line starting with a torn one (the first suffix that parses: the outermost). */
function salvageRecord(line: string): { record: JournalRecord; line: string } | undefined {
  for (let start = line.indexOf('{"', 1); start > 0; start = line.indexOf('{"', start + 1)) {
    const candidate = line.slice(start);
    if (!candidate.startsWith('{"a":') && !candidate.startsWith('{"d":')) continue;
    const record = parseRecord(candidate);
    if (record) return { record, line: candidate };
  }
  return undefined;
}

function parseRecord(line: string): JournalRecord | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value !== "object" || value === null) return undefined;
    const record = value as { a?: unknown; d?: unknown; j?: unknown };
    if (Number.isSafeInteger(record.a) && "j" in record) return { a: record.a as number, j: record.j as JsonValue };
    if (Number.isSafeInteger(record.d)) return { d: record.d as number };
  } catch {
    // A torn or damaged line: counted by the caller.
  }
  return undefined;
}

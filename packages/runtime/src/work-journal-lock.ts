/**
 * One process per journal. Two processes appending to the same journal lose
 * writes (the one that opens second rewrites the file, and the other keeps
 * appending to the replaced copy), which happens when an upgrade starts the
 * new version while the old one drains, or when replicas share a volume. The
 * lock is a file holding the owner's pid and, on Linux, its start time, so a
 * lock left by a killed process is recognised as stale even when its pid has
 * been reused.
 */
import { open, readFile, rm } from "node:fs/promises";

export class JournalLockedError extends Error {
  override readonly name = "JournalLockedError";
}

interface Owner {
  pid: number;
  /** Process start time in clock ticks since boot (Linux), with the boot id; absent elsewhere. */
  start?: string;
}

export interface JournalLock {
  release(): Promise<void>;
}

export async function lockJournal(path: string, waitMs: number): Promise<JournalLock> {
  const lockPath = `${path}.lock`;
  const me: Owner = { pid: process.pid, start: await startOf(process.pid) };
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const file = await open(lockPath, "wx", 0o600);
      await file.writeFile(JSON.stringify(me));
      await file.close();
      return { release: () => rm(lockPath, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = await readOwner(lockPath);
    if (!owner || !(await isAlive(owner))) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new JournalLockedError(
        `the journal ${path} is in use by process ${owner.pid}; only one process may use a journal (is another copy of the plugin running with the same data directory?)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function readOwner(lockPath: string): Promise<Owner | undefined> {
  try {
    const owner = JSON.parse(await readFile(lockPath, "utf8")) as Owner;
    return Number.isInteger(owner.pid) ? owner : undefined;
  } catch {
    // Unreadable or half-written: treated as stale, since a live owner writes it at once.
    return undefined;
  }
}

async function isAlive(owner: Owner): Promise<boolean> {
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  if (owner.start === undefined) return true;
  return (await startOf(owner.pid)) === owner.start;
}

/** "<boot id>:<start time>" from /proc, or undefined where /proc is not available. */
async function startOf(pid: number): Promise<string | undefined> {
  try {
    const [stat, boot] = await Promise.all([
      readFile(`/proc/${pid}/stat`, "utf8"),
      readFile("/proc/sys/kernel/random/boot_id", "utf8"),
    ]);
    // The command name (field 2) may contain spaces and parentheses; fields after it are space-separated.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return `${boot.trim()}:${fields[19]}`;
  } catch {
    return undefined;
  }
}

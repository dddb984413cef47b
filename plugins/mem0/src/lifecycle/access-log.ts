/**
 * Which memories were recalled, how often and when: the input of forgetting.
 * search_memory hits and get_memory reads each add one access. One small
 * SQLite file per store (stores/<id>/access.db, beside the store's other
 * files), in WAL mode: one short transaction per call, durable across a
 * crash of the process, and kept out of mem0ai's tables so its schema stays
 * its own.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "../shims/better-sqlite3.js";

export interface AccessRecord {
  memoryId: string;
  userId: string;
  /** How many times the memory was recalled. */
  count: number;
  /** Milliseconds since the epoch, by the service's clock. */
  lastAccess: number;
}

/** SQLite's default limit on bound parameters is 32766; stay well below it. */
const CHUNK = 500;

export class AccessLog {
  private readonly db: Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;" +
        "CREATE TABLE IF NOT EXISTS memory_access (memory_id TEXT PRIMARY KEY, user_id TEXT NOT NULL," +
        " access_count INTEGER NOT NULL, last_access INTEGER NOT NULL);" +
        "CREATE INDEX IF NOT EXISTS memory_access_user ON memory_access (user_id);",
    );
  }

  /** One access to each memory (a memory named twice in one call counts once). */
  record(memoryIds: readonly string[], userId: string, at: number): void {
    const upsert = this.db.prepare(
      "INSERT INTO memory_access (memory_id, user_id, access_count, last_access) VALUES (?, ?, 1, ?) " +
        "ON CONFLICT (memory_id) DO UPDATE SET access_count = access_count + 1, last_access = max(last_access, excluded.last_access)",
    );
    this.db.transaction(() => {
      for (const id of new Set(memoryIds)) upsert.run(id, userId, at);
    })();
  }

  /** The records of these memories that belong to `userId`; another user's record is never returned. */
  lookup(memoryIds: readonly string[], userId: string): Map<string, AccessRecord> {
    const found = new Map<string, AccessRecord>();
    for (let start = 0; start < memoryIds.length; start += CHUNK) {
      const chunk = memoryIds.slice(start, start + CHUNK);
      const rows = this.db
        .prepare(
          `SELECT memory_id, user_id, access_count, last_access FROM memory_access WHERE user_id = ? AND memory_id IN (${chunk.map(() => "?").join(",")})`,
        )
        .all(userId, ...chunk) as { memory_id: string; user_id: string; access_count: number; last_access: number }[];
      for (const row of rows)
        found.set(row.memory_id, {
          memoryId: row.memory_id,
          userId: row.user_id,
          count: Number(row.access_count),
          lastAccess: Number(row.last_access),
        });
    }
    return found;
  }

  /** The user's memory ids that have a record: to drop the records of memories deleted meanwhile. */
  memoryIdsOf(userId: string): string[] {
    return (
      this.db.prepare("SELECT memory_id FROM memory_access WHERE user_id = ?").all(userId) as { memory_id: string }[]
    ).map((row) => row.memory_id);
  }

  /** Drops the user's records of these memories. */
  remove(memoryIds: readonly string[], userId: string): void {
    this.db.transaction(() => {
      for (let start = 0; start < memoryIds.length; start += CHUNK) {
        const chunk = memoryIds.slice(start, start + CHUNK);
        this.db
          .prepare(`DELETE FROM memory_access WHERE user_id = ? AND memory_id IN (${chunk.map(() => "?").join(",")})`)
          .run(userId, ...chunk);
      }
    })();
  }

  close(): void {
    this.db.close();
  }
}

const logs = new Map<string, AccessLog>();

/** The access log of a store, opened on first use and kept for the life of the process. */
export function accessLogIn(storeDirectory: string): AccessLog {
  let log = logs.get(storeDirectory);
  if (!log) {
    mkdirSync(storeDirectory, { recursive: true, mode: 0o700 });
    log = new AccessLog(join(storeDirectory, "access.db"));
    logs.set(storeDirectory, log);
  }
  return log;
}

/** Closes every open access log (at shutdown). */
export function closeAccessLogs(): void {
  for (const log of logs.values()) log.close();
  logs.clear();
}

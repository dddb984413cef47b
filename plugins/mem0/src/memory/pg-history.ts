/**
 * mem0ai's history and recent-message store in the pgvector database, beside
 * the collection it describes. mem0ai 3.3.1 only offers SQLite (or Supabase)
 * for history: with pgvector the memories were shared and durable while their
 * history sat in a file in the plugin's working directory, which another
 * replica does not see and a plugin upgrade starts afresh. Rows have the
 * SQLite manager's columns, so results.ts reads both alike.
 *
 * It issues its queries on the vector store's own pg.Client (one connection,
 * already watched for errors by MemoryHandle); every operation is a single
 * statement, because a BEGIN on a shared client would take in the vector
 * store's queries.
 */
import { randomUUID } from "node:crypto";

export interface QueryClient {
  query(sql: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface HistoryRecord {
  memoryId: string;
  previousValue: string | null;
  newValue: string | null;
  action: string;
  createdAt?: string;
  updatedAt?: string;
  isDeleted?: number;
}

interface Message {
  role: string;
  content: string;
  name?: string;
}

/** How many recent messages mem0ai keeps per session scope (as its SQLite manager does). */
const MESSAGES_KEPT = 10;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,100}$/;

export class PgHistoryStore {
  private readonly history: string;
  private readonly messages: string;

  private constructor(
    private readonly client: QueryClient,
    private readonly collectionName: string,
  ) {
    this.history = `"${collectionName}_history"`;
    this.messages = `"${collectionName}_messages"`;
  }

  /** Creates the tables when missing: `<collection>_history` and `<collection>_messages`. */
  static async open(client: QueryClient, collectionName: string): Promise<PgHistoryStore> {
    if (!IDENTIFIER.test(collectionName))
      throw new Error(
        `collectionName ${JSON.stringify(collectionName)} cannot name the history tables: use letters, digits and _`,
      );
    const store = new PgHistoryStore(client, collectionName);
    await store.create();
    return store;
  }

  private async create(): Promise<void> {
    await this.client.query(`CREATE TABLE IF NOT EXISTS ${this.history} (
      id BIGSERIAL PRIMARY KEY, memory_id TEXT NOT NULL, previous_value TEXT, new_value TEXT, action TEXT NOT NULL,
      created_at TEXT, updated_at TEXT, is_deleted INTEGER DEFAULT 0)`);
    await this.client.query(
      `CREATE INDEX IF NOT EXISTS "${this.collectionName}_history_memory_id_idx" ON ${this.history} (memory_id)`,
    );
    await this.client.query(`CREATE TABLE IF NOT EXISTS ${this.messages} (
      id TEXT PRIMARY KEY, session_scope TEXT, role TEXT, content TEXT, name TEXT, created_at TEXT)`);
  }

  async addHistory(
    memoryId: string,
    previousValue: string | null,
    newValue: string | null,
    action: string,
    createdAt?: string,
    updatedAt?: string,
    isDeleted = 0,
  ): Promise<void> {
    await this.batchAddHistory([{ memoryId, previousValue, newValue, action, createdAt, updatedAt, isDeleted }]);
  }

  async batchAddHistory(records: readonly HistoryRecord[]): Promise<void> {
    if (records.length === 0) return;
    const { sql, values } = valuesClause(
      records.map((record) => [
        record.memoryId,
        record.previousValue,
        record.newValue,
        record.action,
        record.createdAt ?? null,
        record.updatedAt ?? null,
        record.isDeleted ?? 0,
      ]),
    );
    await this.client.query(
      `INSERT INTO ${this.history} (memory_id, previous_value, new_value, action, created_at, updated_at, is_deleted) VALUES ${sql}`,
      values,
    );
  }

  /** Newest first, as SQLite's manager returns them; ids as numbers. */
  async getHistory(memoryId: string): Promise<Record<string, unknown>[]> {
    const { rows } = await this.client.query(`SELECT * FROM ${this.history} WHERE memory_id = $1 ORDER BY id DESC`, [
      memoryId,
    ]);
    return rows.map((row) => ({ ...row, id: Number(row.id) }));
  }

  async saveMessages(messages: readonly Message[], sessionScope: string): Promise<void> {
    if (messages.length === 0) return;
    const now = new Date().toISOString();
    const { sql, values } = valuesClause(
      messages.map((message) => [randomUUID(), sessionScope, message.role, message.content, message.name ?? null, now]),
    );
    await this.client.query(
      `INSERT INTO ${this.messages} (id, session_scope, role, content, name, created_at) VALUES ${sql}`,
      values,
    );
    await this.client.query(
      `DELETE FROM ${this.messages} WHERE session_scope = $1 AND id NOT IN (
        SELECT id FROM ${this.messages} WHERE session_scope = $1 ORDER BY created_at DESC LIMIT ${MESSAGES_KEPT})`,
      [sessionScope],
    );
  }

  /** The last `limit` messages of a scope, oldest first. */
  async getLastMessages(
    sessionScope: string,
    limit = MESSAGES_KEPT,
  ): Promise<{ role: string; content: string; name?: string; createdAt: string }[]> {
    const { rows } = await this.client.query(
      `SELECT role, content, name, created_at FROM (
        SELECT role, content, name, created_at FROM ${this.messages} WHERE session_scope = $1 ORDER BY created_at DESC LIMIT $2
      ) AS recent ORDER BY created_at ASC`,
      [sessionScope, limit],
    );
    return rows.map((row) => ({
      role: String(row.role),
      content: String(row.content),
      ...(row.name == null ? {} : { name: String(row.name) }),
      createdAt: String(row.created_at),
    }));
  }

  async reset(): Promise<void> {
    await this.client.query(`DROP TABLE IF EXISTS ${this.history}`);
    await this.client.query(`DROP TABLE IF EXISTS ${this.messages}`);
    await this.create();
  }

  /** The connection belongs to the vector store, which closes it. */
  close(): void {}
}

/** Rows of values as one multi-row VALUES list with numbered placeholders: "($1, $2), ($3, $4)". */
function valuesClause(rows: readonly (readonly unknown[])[]): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const sql = rows.map((row) => `(${row.map((value) => `$${values.push(value)}`).join(", ")})`).join(", ");
  return { sql, values };
}

/**
 * The part of better-sqlite3's API that mem0ai 3.3.1 uses (its SQLite vector
 * store and history manager: `new Database(path)`, `exec`, `prepare` with
 * `run`/`get`/`all`, `transaction`, `close`), on Node's built-in node:sqlite.
 * mem0ai require()s better-sqlite3 at load time, and a native addon cannot
 * ship in a plugin package; package.json's "dify.alias" puts this module in
 * its place. node:sqlite exists from Node 22.5 (the packaged plugin runs on
 * Node 24); it is loaded when a database is opened, so mem0ai still loads on
 * older Node when only server-backed stores are used.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";

type SqliteModule = typeof import("node:sqlite");
type Parameter = SQLInputValue | undefined | boolean;

/** better-sqlite3 waits up to 5 s on a locked database by default; so do we. */
const BUSY_TIMEOUT_MS = 5000;

function loadSqlite(): SqliteModule {
  const sqlite = process.getBuiltinModule?.("node:sqlite") as SqliteModule | undefined;
  if (!sqlite) {
    throw new Error(
      `the embedded SQLite store needs node:sqlite (Node >= 22.5); this is Node ${process.versions.node}. ` +
        `Run the plugin on the Node its launcher installs (24), or configure a server vector store in local_vector_db_json`,
    );
  }
  return sqlite;
}

/** better-sqlite3 refuses undefined and binds booleans as integers; node:sqlite accepts neither. */
function bindable(parameters: Parameter[]): SQLInputValue[] {
  return parameters.map((value) => (value === undefined ? null : typeof value === "boolean" ? Number(value) : value));
}

class Statement {
  constructor(private readonly statement: StatementSync) {}

  run(...parameters: Parameter[]): { changes: number | bigint; lastInsertRowid: number | bigint } {
    return this.statement.run(...bindable(parameters));
  }

  get(...parameters: Parameter[]): unknown {
    return this.statement.get(...bindable(parameters));
  }

  all(...parameters: Parameter[]): unknown[] {
    return this.statement.all(...bindable(parameters));
  }
}

export default class Database {
  private readonly db: DatabaseSync;
  private transactionDepth = 0;

  constructor(filename: string) {
    const { DatabaseSync } = loadSqlite();
    this.db = new DatabaseSync(filename, { timeout: BUSY_TIMEOUT_MS });
  }

  exec(sql: string): this {
    this.db.exec(sql);
    return this;
  }

  prepare(sql: string): Statement {
    return new Statement(this.db.prepare(sql));
  }

  /** Wraps `fn` so each call runs in a transaction (a savepoint when nested), rolled back if it throws. */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      const savepoint = `shim_${this.transactionDepth}`;
      this.db.exec(this.transactionDepth === 0 ? "BEGIN" : `SAVEPOINT ${savepoint}`);
      this.transactionDepth += 1;
      try {
        const result = fn(...args);
        this.transactionDepth -= 1;
        this.db.exec(this.transactionDepth === 0 ? "COMMIT" : `RELEASE ${savepoint}`);
        return result;
      } catch (error) {
        this.transactionDepth -= 1;
        this.db.exec(this.transactionDepth === 0 ? "ROLLBACK" : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
        throw error;
      }
    };
  }

  get open(): boolean {
    return this.db.isOpen;
  }

  close(): this {
    if (this.db.isOpen) this.db.close();
    return this;
  }
}

/** Exercises the better-sqlite3 shim the way mem0ai uses it; prints what it saw as JSON (run on Node >= 22.5). */
import Database from "../../src/shims/better-sqlite3.js";

const db = new Database(":memory:");
db.exec("CREATE TABLE vectors (id TEXT PRIMARY KEY, vector BLOB NOT NULL, payload TEXT NOT NULL, note TEXT)");
const insert = db.prepare("INSERT INTO vectors (id, vector, payload, note) VALUES (?, ?, ?, ?)");
const insertMany = db.transaction((rows: [string, number[]][]) => {
  for (const [id, vector] of rows)
    insert.run(id, Buffer.from(new Float32Array(vector).buffer), JSON.stringify({ id }), undefined);
});
insertMany([
  ["a", [1, 2]],
  ["b", [3, 4]],
]);
let rolledBack = false;
try {
  insertMany([
    ["c", [5, 6]],
    ["a", [7, 8]],
  ]); // duplicate id: the whole batch rolls back
} catch {
  rolledBack = true;
}
const nested = db.transaction(() => {
  insert.run("d", Buffer.from(new Float32Array([9]).buffer), "{}", null);
  try {
    db.transaction(() => {
      insert.run("e", Buffer.from(new Float32Array([10]).buffer), "{}", null);
      throw new Error("inner");
    })();
  } catch {
    // the inner savepoint rolled back; the outer transaction goes on
  }
});
nested();
const row = db.prepare("SELECT * FROM vectors WHERE id = ?").get("b") as { vector: Uint8Array; note: unknown };
const vector = Array.from(new Float32Array(row.vector.buffer, row.vector.byteOffset, row.vector.byteLength / 4));
const ids = (db.prepare("SELECT id FROM vectors ORDER BY id").all() as { id: string }[]).map((item) => item.id);
const changes = db.prepare("DELETE FROM vectors WHERE id = ?").run("d").changes;
const missing = db.prepare("SELECT * FROM vectors WHERE id = ?").get("zzz") ?? null;
db.close();
process.stdout.write(
  JSON.stringify({ vector, note: row.note, ids, rolledBack, changes: Number(changes), missing, open: db.open }),
);

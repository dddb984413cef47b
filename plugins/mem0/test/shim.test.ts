/** The better-sqlite3 substitute on node:sqlite, on the Node the package runs on (node:sqlite is not in the dev Node 20). */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { node24, unavailable } from "./support/plugin.js";

const script = fileURLToPath(new URL("./support/shim-check.ts", import.meta.url));
const tsx = createRequire(import.meta.url).resolve("tsx");

describe.skipIf(unavailable)(`better-sqlite3 shim${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  it("supports what mem0ai calls: blobs, undefined as NULL, transactions with rollback and savepoints, get/all/run, close", () => {
    const output = execFileSync(node24.path!, ["--import", tsx, script], { encoding: "utf8" });
    expect(JSON.parse(output)).toEqual({
      vector: [3, 4],
      note: null,
      ids: ["a", "b", "d"],
      rolledBack: true,
      changes: 1,
      missing: null,
      open: false,
    });
  });
});

const hasSqlite = Boolean(process.getBuiltinModule?.("node:sqlite"));

describe.skipIf(hasSqlite)(
  `better-sqlite3 shim without node:sqlite${hasSqlite ? " (skipped: this Node has node:sqlite)" : ""}`,
  () => {
    it("explains what is missing when node:sqlite is not available (Node 20)", async () => {
      const { default: Database } = await import("../src/shims/better-sqlite3.js");
      expect(() => new Database(":memory:")).toThrow(
        /the embedded SQLite store needs node:sqlite \(Node >= 22\.5\); this is Node 20\.\d+\.\d+\. Run the plugin on the Node its launcher installs \(24\), or configure a server vector store in local_vector_db_json/,
      );
    });
  },
);

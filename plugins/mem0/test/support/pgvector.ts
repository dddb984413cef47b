/**
 * A real Postgres with the vector extension for tests: PGlite (Postgres in
 * WebAssembly) with pgvector, served over TCP by pglite-socket and reached by
 * the plugin through `pg`. `restart` drops every connection, as a database
 * restart does, and serves the same data on the same port again.
 */
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface PgvectorServer {
  connectionString: string;
  host: string;
  port: number;
  db: PGlite;
  restart(downtimeMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startPgvector(): Promise<PgvectorServer> {
  const db = await PGlite.create({ extensions: { vector } });
  let server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 32 });
  await server.start();
  const port = Number(server.getServerConn().split(":")[1]);
  return {
    connectionString: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    host: "127.0.0.1",
    port,
    db,
    async restart(downtimeMs = 200) {
      await server.stop();
      await new Promise((resolve) => setTimeout(resolve, downtimeMs));
      server = new PGLiteSocketServer({ db, host: "127.0.0.1", port, maxConnections: 32 });
      await server.start();
    },
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

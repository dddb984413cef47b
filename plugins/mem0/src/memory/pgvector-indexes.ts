/**
 * Indexes mem0ai's pgvector tables lack. Every search also runs a keyword
 * query over to_tsvector(payload->>'textLemmatized'), and every call filters on
 * payload->>'user_id'; without indexes both scan the whole table (on 10,000
 * rows in PGlite the keyword query alone took 90 ms, 1.5 ms with the index).
 */

interface QueryClient {
  query(sql: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface PgvectorStore {
  client?: QueryClient;
  collectionName?: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Creates the indexes if missing; returns the problem instead of failing (a read-only role, for example). */
export async function ensurePgvectorIndexes(store: PgvectorStore): Promise<string | undefined> {
  const { client, collectionName } = store;
  if (!client || !collectionName || !IDENTIFIER.test(collectionName)) return undefined;
  try {
    for (const table of [collectionName, `${collectionName}_entities`]) {
      const exists = await client.query("SELECT to_regclass($1) IS NOT NULL AS present", [table]);
      if (!exists.rows[0]?.present) continue;
      await client.query(`CREATE INDEX IF NOT EXISTS "${table}_user_id_idx" ON "${table}" ((payload->>'user_id'))`);
      if (table === collectionName) {
        await client.query(
          `CREATE INDEX IF NOT EXISTS "${table}_keywords_idx" ON "${table}" USING gin (to_tsvector('simple', payload->>'textLemmatized'))`,
        );
      }
    }
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Mem0 plugin benchmark, end to end over stdio on the wheel's Node 24, with
 * pgvector in PGlite and the local OpenAI stand-in (instant answers, so the
 * figures are the plugin's and the store's, not a model's):
 *
 * - ACCEPT latency with 1,000 writes pending (journal fsync included), against
 *   the same round trip without a write (add_memory's SKIP path) as baseline;
 * - the journal alone (WorkQueue.submit in process) at the same depth;
 * - drain rate of the background queue, against sync-mode writes one by one;
 * - search latency over 10,000 memories of one user, against 100;
 * - conversation extraction throughput (extraction.ts).
 *
 *   node --import tsx bench/mem0/bench.ts            full run (prints a markdown table)
 *   node --import tsx bench/mem0/bench.ts --quick    a tiny run to see that it works
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import type { JsonObject } from "../../packages/protocol/src/index.js";
import { WorkQueue } from "@dify-ts/runtime/work-queue";
import { extractionThroughput } from "./extraction.js";
import { embed, startFakeOpenAI, type FakeOpenAI } from "../../plugins/mem0/test/support/fake-openai.js";
import { startPgvector, type PgvectorServer } from "../../plugins/mem0/test/support/pgvector.js";
import {
  credentials,
  invoke,
  node24,
  spawnMem0,
  temporaryDirectory,
  unavailable,
} from "../../plugins/mem0/test/support/plugin.js";

export interface BenchmarkOptions {
  /** Writes kept pending (the LLM stand-in holds them) while ACCEPT latency is measured. */
  pending: number;
  /** ACCEPTs timed, one after another, on top of the pending ones. */
  accepts: number;
  /** Writes in the drain measurement (spread over 100 users so the queue's concurrency applies). */
  drainWrites: number;
  /** Sync-mode writes timed one after another (the drain baseline). */
  syncWrites: number;
  /** Memories of one user in the large search collection (the baseline has 100). */
  searchMemories: number;
  /** Searches timed per collection. */
  searches: number;
  /** Users, and conversations of each, that extract_long_term_memory reads from the Dify stand-in. */
  extractionUsers: number;
  extractionConversationsPerUser: number;
  progress?: (line: string) => void;
}

export const FULL: BenchmarkOptions = {
  pending: 1000,
  accepts: 1000,
  drainWrites: 2000,
  syncWrites: 100,
  searchMemories: 10_000,
  searches: 200,
  extractionUsers: 100,
  extractionConversationsPerUser: 20,
};
export const QUICK: BenchmarkOptions = {
  pending: 50,
  accepts: 30,
  drainWrites: 40,
  syncWrites: 5,
  searchMemories: 300,
  searches: 10,
  extractionUsers: 5,
  extractionConversationsPerUser: 4,
};

export interface Row {
  metric: string;
  value: number;
  baseline?: { metric: string; value: number };
  unit: string;
}

export interface BenchmarkResult {
  rows: Row[];
  skipped?: string;
}

export async function runBenchmark(options: BenchmarkOptions): Promise<BenchmarkResult> {
  if (unavailable) return { rows: [], skipped: unavailable };
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const [fake, pg] = await Promise.all([startFakeOpenAI(), startPgvector()]);
  try {
    const rows: Row[] = [];
    progress("ACCEPT latency…");
    rows.push(...(await acceptLatency(fake, pg, options)));
    progress("journal alone…");
    rows.push(...(await journalLatency(options)));
    progress("drain rate…");
    rows.push(...(await drainRate(fake, pg, options)));
    progress("search latency…");
    rows.push(...(await searchLatency(fake, pg, options)));
    progress("extraction throughput…");
    const extraction = await extractionThroughput(fake, pg, {
      users: options.extractionUsers,
      conversationsPerUser: options.extractionConversationsPerUser,
    });
    const what = `${extraction.conversations} conversations of ${options.extractionUsers} users`;
    rows.push(
      {
        metric: `extraction, ${what}: accepted (read from the Dify stand-in, journaled, checkpointed)`,
        value: extraction.acceptedPerSecond,
        unit: "conversations/s",
      },
      {
        metric: `extraction, ${what}: stored (memories written), pgvector (PGlite)`,
        value: extraction.storedPerSecond,
        unit: "conversations/s",
      },
    );
    return { rows };
  } finally {
    await fake.close();
    await pg.close();
  }
}

const vector = (pg: PgvectorServer, collection: string): JsonObject => ({
  provider: "pgvector",
  config: { connectionString: pg.connectionString, collectionName: collection, embeddingModelDims: 64 },
});

async function acceptLatency(fake: FakeOpenAI, pg: PgvectorServer, options: BenchmarkOptions): Promise<Row[]> {
  const dataDirectory = temporaryDirectory("bench-accept");
  const plugin = spawnMem0({
    MEM0_DATA_DIR: dataDirectory,
    MEM0_MAX_PENDING_WRITES: String(options.pending + options.accepts + 10),
  });
  const creds = credentials({ llmUrl: fake.url, vector: vector(pg, "bench_accept") });
  try {
    let release!: () => void;
    fake.chatGate = new Promise((resolve) => (release = resolve));
    const add = (user: string, index: number) =>
      invoke(plugin, creds, "add_memory", { user: `pending fact ${index}`, user_id: user });
    for (let index = 0; index < options.pending; index += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, options.pending - index) }, (_, offset) =>
          add(`u${(index + offset) % 100}`, index + offset),
        ),
      );
    }
    const skip = await timed(options.accepts, () =>
      invoke(plugin, creds, "add_memory", { user: " ", user_id: "skip" }),
    );
    const accept = await timed(options.accepts, async (index) => {
      const answer = await add(`u${index % 100}`, options.pending + index);
      if ((answer.results as { event: string }[])[0]?.event !== "ACCEPT")
        throw new Error(`expected ACCEPT, got ${JSON.stringify(answer)}`);
    });
    release();
    fake.chatGate = undefined;
    const live = liveEntries(dataDirectory);
    if (live < options.pending) throw new Error(`only ${live} writes were pending during the measurement`);
    const floor = { metric: "same round trip without a write (SKIP)", value: 0 };
    return [
      {
        metric: `ACCEPT latency p50 with ${options.pending} writes pending, stdio round trip`,
        value: percentile(accept, 50),
        baseline: { ...floor, value: percentile(skip, 50) },
        unit: "ms",
      },
      {
        metric: `ACCEPT latency p99 with ${options.pending} writes pending, stdio round trip`,
        value: percentile(accept, 99),
        baseline: { ...floor, value: percentile(skip, 99) },
        unit: "ms",
      },
    ];
  } finally {
    plugin.kill();
  }
}

/** The journal's share: WorkQueue.submit (write + fsync) in process, at the same depth. */
async function journalLatency(options: BenchmarkOptions): Promise<Row[]> {
  const job = {
    credentials: JSON.parse(JSON.stringify(credentials({ llmUrl: "http://127.0.0.1:1/v1" }))) as JsonObject,
    operation: { op: "add", text: "x".repeat(40) },
  };
  const queue = await WorkQueue.open<typeof job>({
    concurrency: 8,
    maxPending: options.pending + options.accepts + 10,
    journalPath: join(temporaryDirectory("bench-journal"), "journal.jsonl"),
    run: () => new Promise<void>(() => undefined),
  });
  for (let index = 0; index < options.pending; index++) await queue.submit(job);
  const durable = await timed(options.accepts, async () => void (await queue.submit(job)));
  await queue.drain(0);
  return [
    { metric: "journal append + fsync p50 (WorkQueue.submit, in process)", value: percentile(durable, 50), unit: "ms" },
    { metric: "journal append + fsync p99 (WorkQueue.submit, in process)", value: percentile(durable, 99), unit: "ms" },
  ];
}

async function drainRate(fake: FakeOpenAI, pg: PgvectorServer, options: BenchmarkOptions): Promise<Row[]> {
  const dataDirectory = temporaryDirectory("bench-drain");
  const plugin = spawnMem0({ MEM0_DATA_DIR: dataDirectory, MEM0_MAX_PENDING_WRITES: String(options.drainWrites + 10) });
  try {
    const sync = credentials({ llmUrl: fake.url, asyncMode: false, vector: vector(pg, "bench_drain") });
    const creds = credentials({ llmUrl: fake.url, vector: vector(pg, "bench_drain") });
    await invoke(plugin, sync, "add_memory", { user: "warm up", user_id: "warm" });
    const syncTimes = await timed(options.syncWrites, (index) =>
      invoke(plugin, sync, "add_memory", { user: `sync fact ${index}`, user_id: `s${index % 100}` }),
    );
    const syncPerSecond = 1000 / mean(syncTimes);

    let release!: () => void;
    fake.chatGate = new Promise((resolve) => (release = resolve));
    for (let index = 0; index < options.drainWrites; index += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, options.drainWrites - index) }, (_, offset) =>
          invoke(plugin, creds, "add_memory", {
            user: `queued fact ${index + offset}`,
            user_id: `d${(index + offset) % 100}`,
          }),
        ),
      );
    }
    const started = performance.now();
    release();
    fake.chatGate = undefined;
    while (liveEntries(dataDirectory) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const perSecond = options.drainWrites / ((performance.now() - started) / 1000);
    return [
      {
        metric: `drain rate, ${options.drainWrites} queued writes, concurrency 8, pgvector (PGlite)`,
        value: perSecond,
        baseline: { metric: "sync-mode writes one after another", value: syncPerSecond },
        unit: "writes/s",
      },
    ];
  } finally {
    plugin.kill();
  }
}

async function searchLatency(fake: FakeOpenAI, pg: PgvectorServer, options: BenchmarkOptions): Promise<Row[]> {
  const plugin = spawnMem0({ MEM0_DATA_DIR: temporaryDirectory("bench-search") });
  try {
    const measure = async (collection: string, size: number) => {
      const creds = credentials({ llmUrl: fake.url, asyncMode: false, vector: vector(pg, collection) });
      // One write through the plugin creates the table; the rest are inserted directly, in mem0ai's row format.
      await invoke(plugin, creds, "add_memory", { user: "topic 0 is about gardening", user_id: "searcher" });
      await seed(pg, collection, size - 1);
      await invoke(plugin, creds, "search_memory", { query: "warm up", user_id: "searcher" });
      return timed(options.searches, async (index) => {
        const answer = await invoke(plugin, creds, "search_memory", {
          query: `what about topic ${(index * 7) % size} and hobby ${index % 13}`,
          user_id: "searcher",
          top_k: 5,
        });
        if ((answer.results as unknown[]).length !== 5)
          throw new Error(`search returned ${JSON.stringify(answer).slice(0, 300)}`);
      });
    };
    const small = await measure("bench_search_small", 100);
    const large = await measure("bench_search_large", options.searchMemories);
    const baseline = (value: number) => ({ metric: "same search over 100 memories", value });
    return [
      {
        metric: `search_memory p50 over ${options.searchMemories.toLocaleString("en")} memories of one user, pgvector (PGlite), exact scan`,
        value: percentile(large, 50),
        baseline: baseline(percentile(small, 50)),
        unit: "ms",
      },
      {
        metric: `search_memory p99 over ${options.searchMemories.toLocaleString("en")} memories of one user, pgvector (PGlite), exact scan`,
        value: percentile(large, 99),
        baseline: baseline(percentile(small, 99)),
        unit: "ms",
      },
    ];
  } finally {
    plugin.kill();
  }
}

/** Inserts memories as mem0ai 3.3.1 writes them (payload keys included), 500 per statement. */
async function seed(pg: PgvectorServer, collection: string, count: number): Promise<void> {
  const hobbies = [
    "chess",
    "running",
    "baking",
    "painting",
    "cycling",
    "reading",
    "climbing",
    "singing",
    "knitting",
    "sailing",
    "fishing",
    "coding",
    "dancing",
  ];
  for (let start = 1; start <= count; start += 500) {
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (let index = start; index < Math.min(start + 500, count + 1); index++) {
      const text = `topic ${index} is about ${hobbies[index % hobbies.length]} and memory number ${index}`;
      const now = new Date().toISOString();
      const payload = {
        data: text,
        hash: createHash("md5").update(text).digest("hex"),
        textLemmatized: text.toLowerCase(),
        createdAt: now,
        updatedAt: now,
        user_id: "searcher",
      };
      tuples.push(`(gen_random_uuid(), $${values.length + 1}::vector, $${values.length + 2}::jsonb)`);
      values.push(`[${embed(text).join(",")}]`, JSON.stringify(payload));
    }
    await pg.db.query(`INSERT INTO ${collection} (id, vector, payload) VALUES ${tuples.join(", ")}`, values);
  }
}

function liveEntries(dataDirectory: string): number {
  let text = "";
  try {
    text = readFileSync(join(dataDirectory, "write-journal.jsonl"), "utf8");
  } catch {
    return 0;
  }
  const accepted = new Set<number>();
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const record = JSON.parse(line) as { a?: number; d?: number };
      if (record.a !== undefined) accepted.add(record.a);
      else if (record.d !== undefined) accepted.delete(record.d);
    } catch {
      // a line being written right now
    }
  }
  return accepted.size;
}

async function timed(count: number, run: (index: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await run(index);
    times.push(performance.now() - started);
  }
  return times;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

export function describeMachine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? "unknown CPU"}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB RAM; driver on Node ${process.versions.node}, plugin on ${node24.path ? "the wheel's Node 24" : "(unavailable)"}; load average ${loadavg()
    .map((value) => value.toFixed(1))
    .join(" / ")}`;
}

export function formatTable(result: BenchmarkResult): string {
  const format = (value: number, unit: string) => (unit === "ms" ? value.toFixed(2) : value.toFixed(0));
  const lines = ["| metric | value | baseline (same run) | value ÷ baseline |", "|---|---|---|---|"];
  for (const row of result.rows) {
    const baseline = row.baseline
      ? `${format(row.baseline.value, row.unit)} ${row.unit} (${row.baseline.metric})`
      : "–";
    const ratio = row.baseline && row.baseline.value > 0 ? `${(row.value / row.baseline.value).toFixed(2)}×` : "–";
    lines.push(`| ${row.metric} | ${format(row.value, row.unit)} ${row.unit} | ${baseline} | ${ratio} |`);
  }
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const options = process.argv.includes("--quick") ? QUICK : FULL;
  const result = await runBenchmark(options);
  if (result.skipped) console.log(`not measured: ${result.skipped}`);
  console.log(`Measured ${new Date().toISOString()} on ${describeMachine()}\n`);
  console.log(formatTable(result));
}

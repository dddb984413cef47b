/**
 * Accepted versus present: SIGKILL at random points of a stream of writes,
 * over ten trials and one more on a disk that fills up; after each restart
 * every write that was answered ACCEPT is stored, once. The kill points come
 * from a seeded generator, printed, so a failure can be replayed.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { JsonObject } from "@dify-ts/runtime";
import type { PluginProcess } from "@dify-ts/host";
import { mountSmallDisk } from "@dify-ts/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { startPgvector, type PgvectorServer } from "./support/pgvector.js";
import { credentials, eventually, invoke, spawnMem0, temporaryDirectory, unavailable } from "./support/plugin.js";

let fake: FakeOpenAI;
let pg: PgvectorServer;
const processes: PluginProcess[] = [];
const disk = unavailable ? undefined : mountSmallDisk(256 * 1024);

beforeAll(async () => {
  if (unavailable) return;
  [fake, pg] = await Promise.all([startFakeOpenAI(), startPgvector()]);
});

afterAll(async () => {
  for (const plugin of processes) plugin.kill();
  await fake?.close();
  await pg?.close();
  disk?.unmount?.();
});

const SEED = Number(process.env.KILL_TRIALS_SEED ?? Date.now() % 100_000);
/** mulberry32: the same seed gives the same kill points. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function start(dataDirectory: string): PluginProcess {
  const plugin = spawnMem0({ MEM0_DATA_DIR: dataDirectory });
  processes.push(plugin);
  return plugin;
}

const memoriesOf = async (plugin: PluginProcess, creds: JsonObject, user_id: string) =>
  ((await invoke(plugin, creds, "get_all_memories", { user_id, limit: 1000 })).results as { memory: string }[]).map(
    (item) => item.memory,
  );

interface TrialResult {
  accepted: string[];
  refused: string[];
  present: string[];
  /** Accepted writes the restarted process found in the journal: the kill interrupted that many. */
  replayed: number;
}

/**
 * Sends `writes` adds, SIGKILLs the plugin when the `killAfter`-th answer
 * arrives (killOn "answer": while accepting) or when the writes being applied
 * have made `killAfter` LLM calls ("chat": while applying), restarts it and
 * waits for the accepted ones.
 */
async function trial(
  name: string,
  dataDirectory: string,
  writes: number,
  killAfter: number,
  /** sequential: one write at a time (concurrent writes share one journal write, which a full disk refuses whole). */
  options: {
    killOn?: "answer" | "chat";
    padding?: string;
    sequential?: boolean;
    afterWarmUp?: () => void;
    afterKill?: () => void;
  } = {},
): Promise<TrialResult> {
  const creds = credentials({
    llmUrl: fake.url,
    vector: {
      provider: "pgvector",
      config: { connectionString: pg.connectionString, collectionName: name, embeddingModelDims: 64 },
    },
  });
  const first = start(dataDirectory);
  await first.waitForHeartbeat();
  // The journal is open once a write has been answered; the disk trial fills the disk only then.
  expect((await invoke(first, creds, "add_memory", { user: `${name} warm-up`, user_id: name })).status).toBe("SUCCESS");
  options.afterWarmUp?.();
  const accepted: string[] = [`${name} warm-up`];
  const refused: string[] = [];
  let answered = 0;
  const chats = () => fake.requests.filter((request) => request.endpoint === "chat").length;
  const chatsBefore = chats();
  const killOnChat =
    options.killOn === "chat"
      ? eventually(
          async () => chats() - chatsBefore,
          (count) => count >= killAfter || first.child.exitCode !== null,
          120_000,
        ).then(() => first.kill("SIGKILL"))
      : Promise.resolve();
  const texts = Array.from({ length: writes }, (_, index) => `${name} fact ${index} ${options.padding ?? ""}`.trim());
  // A session the kill cut off never ends: its request counts as unanswered once the process is gone.
  const died = first.exited.then(() => Promise.reject(new Error("the plugin died before answering")));
  died.catch(() => undefined);
  const send = async (text: string) => {
    try {
      const answer = await Promise.race([invoke(first, creds, "add_memory", { user: text, user_id: name }), died]);
      if (answer.status === "SUCCESS" && (answer.results as { event: string }[])[0]?.event === "ACCEPT")
        accepted.push(text);
      else refused.push(`${answer.status}: ${String(answer.messages).slice(0, 200)}`);
    } catch {
      // Unanswered when the process died: not accepted.
    }
    answered += 1;
    if (answered === killAfter && options.killOn !== "chat") first.kill("SIGKILL");
  };
  if (options.sequential) for (const text of texts.slice(0, killAfter)) await send(text);
  else await Promise.all(texts.map(send));
  await killOnChat;
  first.kill("SIGKILL");
  await first.exited;
  options.afterKill?.();
  const second = start(dataDirectory);
  const present = await eventually(
    () => memoriesOf(second, creds, name),
    (memories) => accepted.every((text) => memories.includes(text)),
    120_000,
  );
  const replayLine = second.events
    .map((event) => JSON.stringify(event.data))
    .find((data) => data.includes("accepted write(s) left in the journal"));
  second.kill();
  await second.exited;
  return { accepted, refused, present, replayed: Number(/replaying (\d+)/.exec(replayLine ?? "")?.[1] ?? 0) };
}

describe.skipIf(unavailable)(
  `accepted versus present over SIGKILL trials (seed ${SEED})${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  { timeout: 900_000 },
  () => {
    it("ten trials killed at random points: every accepted write is present after the restart, once", async () => {
      const next = random(SEED);
      fake.delays.chat = 15;
      const totals = { accepted: 0, present: 0, replayed: 0 };
      for (let index = 0; index < 10; index++) {
        const writes = 20 + Math.floor(next() * 40);
        const killAfter = 1 + Math.floor(next() * writes);
        // Even trials die while writes are being accepted, odd ones while they are being applied.
        const killOn = index % 2 === 0 ? "answer" : "chat";
        const result = await trial(`trial_${index}`, temporaryDirectory(`kill-${index}`), writes, killAfter, {
          killOn,
        });
        const missing = result.accepted.filter((text) => !result.present.includes(text));
        const duplicates = result.present.length - new Set(result.present).size;
        expect({ trial: index, killOn, writes, killAfter, missing, duplicates }).toEqual({
          trial: index,
          killOn,
          writes,
          killAfter,
          missing: [],
          duplicates: 0,
        });
        totals.accepted += result.accepted.length;
        totals.present += result.accepted.filter((text) => result.present.includes(text)).length;
        totals.replayed += result.replayed;
      }
      fake.delays.chat = 0;
      console.info(
        `kill trials (seed ${SEED}): ${totals.present} of ${totals.accepted} accepted writes present after 10 SIGKILLs; ${totals.replayed} of them were replayed from the journal`,
      );
      expect(totals.present).toBe(totals.accepted);
      // The kills must have interrupted work for the trials to mean anything (each write waits 15 ms for its LLM call).
      expect(totals.replayed).toBeGreaterThan(0);
    });

    it.skipIf(disk?.reason)(
      `a disk that fills up: writes are refused with ERROR, never ACCEPTed and lost${disk?.reason ? ` (skipped: ${disk.reason})` : ""}`,
      async () => {
        const dataDirectory = join(disk!.path!, "data");
        const filler = join(disk!.path!, "filler");
        // 1.5 KiB per write, and the disk full after about a dozen of them.
        const sizes = Array.from({ length: 9 }, (_, index) => (256 * 1024) >> index);
        const result = await trial("full_disk", dataDirectory, 60, 40, {
          padding: "x".repeat(1500),
          sequential: true,
          afterWarmUp: () => {
            for (const size of sizes) {
              try {
                writeFileSync(filler + size, Buffer.alloc(size));
              } catch {
                // That much no longer fits (the partial file goes): try half.
                rmSync(filler + size, { force: true });
              }
            }
            // Leave room for a few records only.
            rmSync(filler + 65536, { force: true });
          },
          // The operator frees space; the next start replays what was accepted.
          afterKill: () => sizes.forEach((size) => rmSync(filler + size, { force: true })),
        });
        expect(result.refused.length).toBeGreaterThan(0);
        expect(result.accepted.length).toBeGreaterThan(2);
        expect(
          result.refused.every((problem) => problem.startsWith("ERROR: the write was not accepted: the disk holding")),
        ).toBe(true);
        const missing = result.accepted.filter((text) => !result.present.includes(text));
        console.info(
          `full disk: ${result.accepted.length} accepted, ${result.refused.length} refused, ${result.accepted.length - missing.length} of the accepted present, ${result.replayed} replayed`,
        );
        expect(missing).toEqual([]);
      },
    );
  },
);

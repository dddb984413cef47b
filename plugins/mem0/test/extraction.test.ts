/**
 * Conversation extraction end to end: the bundled plugin (app/main.mjs, as
 * packaged) on the wheel's Node, driven over stdio; Dify's Service API is the
 * test-support stand-in, the model the OpenAI stand-in; the embedded store and
 * pgvector (PGlite over TCP). 100 users x 20 conversations in one app, the
 * plugin SIGKILLed half-way and restarted: every conversation extracted
 * exactly once into its own (user, app) scope, nothing in another user's or
 * another app's, and the app's API key (a canary) on no stream and in no file.
 */
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { bundlePlugin } from "@dify-ts/cli";
import type { JsonObject } from "@dify-ts/runtime";
import { PluginProcess } from "@dify-ts/host";
import { startDifyServiceApi, type DifyServiceApiStandIn } from "@dify-ts/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { startPgvector, type PgvectorServer } from "./support/pgvector.js";
import {
  credentials,
  daemonStorage,
  eventually,
  invoke,
  node24,
  pluginDirectory,
  temporaryDirectory,
  unavailable,
} from "./support/plugin.js";

const USERS = 100;
const CONVERSATIONS = 20;
/** Users with conversations in the second app too (the same user ids). */
const USERS_IN_APP_B = 10;

let fake: FakeOpenAI;
let dify: DifyServiceApiStandIn;
let pg: PgvectorServer;
let bundle: string;
const processes: PluginProcess[] = [];
/** Everything each process wrote on stderr (PluginProcess keeps only the tail). */
const stderrOf = new Map<PluginProcess, string[]>();

const canaryKeyA = `app-A-canary-${randomUUID()}`;
const canaryKeyB = `app-B-canary-${randomUUID()}`;
const userIds = Array.from({ length: USERS }, (_, index) => `user-${String(index).padStart(3, "0")}`);
const marker = (app: string, user: string, conversation: number) => `${app} ${user} fact ${conversation}`;

beforeAll(async () => {
  if (unavailable) return;
  [fake, dify, pg] = await Promise.all([startFakeOpenAI(), startDifyServiceApi(), startPgvector()]);
  bundle = join(temporaryDirectory("extraction-bundle"), "main.mjs");
  await bundlePlugin(pluginDirectory, { outFile: bundle });
  const now = Math.floor(Date.now() / 1000);
  for (const user of userIds) {
    for (let conversation = 0; conversation < CONVERSATIONS; conversation++) {
      const at = now - 3600 * (conversation + 1);
      dify.addConversation(canaryKeyA, user, [
        { query: marker("alpha", user, conversation), answer: "Noted.", created_at: at - 60 },
      ]);
    }
  }
  for (const user of userIds.slice(0, USERS_IN_APP_B))
    for (let conversation = 0; conversation < 2; conversation++)
      dify.addConversation(canaryKeyB, user, [
        { query: marker("beta", user, conversation), answer: "Sure.", created_at: now - 600 * (conversation + 1) },
      ]);
  // Older than days_back: never read.
  dify.addConversation(canaryKeyA, userIds[0]!, [
    { query: "ancient history", answer: "", created_at: now - 40 * 86_400 },
  ]);
}, 300_000);

afterAll(async () => {
  for (const plugin of processes) plugin.kill();
  await Promise.all([fake?.close(), dify?.close(), pg?.close()]);
});

function start(dataDirectory: string): PluginProcess {
  const plugin = PluginProcess.spawn({
    command: node24.path!,
    args: [bundle],
    cwd: dataDirectory,
    env: { MEM0_DATA_DIR: dataDirectory, MEM0_EXTRACTION_CONCURRENCY: "8" },
    storage: daemonStorage,
  });
  const chunks: string[] = [];
  plugin.child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
  stderrOf.set(plugin, chunks);
  processes.push(plugin);
  return plugin;
}

interface TaskView {
  task_id: string;
  status: string;
  progress: { conversations_extracted: number; users_done: number; conversations_failed: number };
  users: Record<string, { status: string; extracted: number; already_extracted: number; errors: string[] }>;
}

const extractParameters = (appId: string, apiKey: string, users: string[]): JsonObject => ({
  user_ids: users.join(","),
  app_id: appId,
  dify_api_key: apiKey,
  dify_base_url: dify.url,
  days_back: 30,
  conversations_limit: 50,
  max_tokens_per_conversation: 2000,
});

async function status(plugin: PluginProcess, creds: JsonObject, taskId: string): Promise<TaskView> {
  const answer = await invoke(plugin, creds, "check_extraction_status", { task_id: taskId });
  expect(answer.status).toBe("SUCCESS");
  return answer.results as TaskView;
}

const finished = (task: TaskView) => !["RUNNING", "WAITING_FOR_KEY"].includes(task.status);

async function memoriesOf(plugin: PluginProcess, creds: JsonObject, user_id: string, app_id?: string) {
  const answer = await invoke(plugin, creds, "get_all_memories", {
    user_id,
    ...(app_id && { app_id }),
    limit: 1000,
  });
  expect(answer.status).toBe("SUCCESS");
  return (answer.results as { memory: string; metadata: { app_id?: string } }[]).map((item) => item.memory).sort();
}

/** Accepted writes the journal holds that are not yet done ({"a": id} lines without their {"d": id}). */
function pendingJournalEntries(journal: string): number {
  const pending = new Set<number>();
  for (const line of journal.split("\n")) {
    let record: { a?: number; d?: number };
    try {
      record = JSON.parse(line) as { a?: number; d?: number };
    } catch {
      continue; // empty, or being written right now
    }
    if (record.a !== undefined) pending.add(record.a);
    if (record.d !== undefined) pending.delete(record.d);
  }
  return pending.size;
}

function filesBelow(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: "utf8" })
    .map((name) => join(directory, name))
    .filter((path) => statSync(path).isFile());
}

/** Where a canary key was found: a process's events or stderr, or a file of the data directory. */
function leaks(dataDirectory: string): string[] {
  const places: [string, string][] = processes.flatMap((plugin, index): [string, string][] => [
    [`stdout of process ${index}`, JSON.stringify(plugin.events) + plugin.strayLines.join("\n")],
    [`stderr of process ${index}`, (stderrOf.get(plugin) ?? []).join("")],
  ]);
  for (const file of filesBelow(dataDirectory)) places.push([file, readFileSync(file).toString("latin1")]);
  return places.flatMap(([place, content]) =>
    [canaryKeyA, canaryKeyB].filter((key) => content.includes(key)).map((key) => `${key} in ${place}`),
  );
}

const stores: [string, () => JsonObject | undefined][] = [
  ["embedded store", () => undefined],
  [
    "pgvector",
    () => ({
      provider: "pgvector",
      config: { connectionString: pg.connectionString, collectionName: "extraction", embeddingModelDims: 64 },
    }),
  ],
];

describe.skipIf(unavailable)(`conversation extraction${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  describe.each(stores)("%s", (storeName, vector) => {
    it("extracts 100 users x 20 conversations exactly once across a SIGKILL, per user and per app, without leaking the key", async () => {
      const dataDirectory = temporaryDirectory("extraction");
      const creds = credentials({ llmUrl: fake.url, vector: vector() });
      const first = start(dataDirectory);
      await first.waitForHeartbeat();

      const started = await invoke(
        first,
        creds,
        "extract_long_term_memory",
        extractParameters("alpha", canaryKeyA, userIds),
      );
      expect(started.status).toBe("SUCCESS");
      const { task_id: taskId } = started.results as { task_id: string };
      expect(JSON.stringify(started)).not.toContain(canaryKeyA);

      // Half-way: half of the conversations checkpointed (ACCEPTed), then SIGKILL.
      const half = (USERS * CONVERSATIONS) / 2;
      await eventually(
        () => status(first, creds, taskId),
        (task) => task.progress.conversations_extracted >= half,
        600_000,
      );
      first.kill("SIGKILL");
      await first.exited;

      const second = start(dataDirectory);
      await second.waitForHeartbeat();
      const interrupted = await status(second, creds, taskId);
      expect(interrupted.status).toBe("WAITING_FOR_KEY");
      expect(interrupted.progress.conversations_extracted).toBeGreaterThanOrEqual(half);
      expect(interrupted.progress.conversations_extracted).toBeLessThan(USERS * CONVERSATIONS);
      const killedAt = interrupted.progress.conversations_extracted;

      // The same call again brings the key: the interrupted task continues under its id.
      const resumed = await invoke(
        second,
        creds,
        "extract_long_term_memory",
        extractParameters("alpha", canaryKeyA, userIds),
      );
      expect(resumed.results).toMatchObject({ task_id: taskId, continued: true });
      const done = await eventually(() => status(second, creds, taskId), finished, 600_000);
      expect(done.status).toBe("COMPLETED");
      expect(done.progress.conversations_extracted).toBe(USERS * CONVERSATIONS);
      expect(done.progress.conversations_failed).toBe(0);

      // Every accepted write applied: each user's app scope holds exactly its 20 memories, once each.
      for (const user of userIds) {
        const expected = Array.from({ length: CONVERSATIONS }, (_, index) => marker("alpha", user, index)).sort();
        const present = await eventually(
          () => memoriesOf(second, creds, user, "alpha"),
          (memories) => memories.length >= CONVERSATIONS,
          600_000,
        );
        expect(present).toEqual(expected);
        const checkpoint = await invoke(second, creds, "get_user_checkpoint", { user_id: user, app_id: "alpha" });
        expect(checkpoint.results).toMatchObject({ conversations_extracted: CONVERSATIONS });
      }

      // The second app, for the same user ids: its own scope, and the first app's scopes unchanged.
      const beta = await invoke(
        second,
        creds,
        "extract_long_term_memory",
        extractParameters("beta", canaryKeyB, userIds.slice(0, USERS_IN_APP_B)),
      );
      const betaDone = await eventually(
        () => status(second, creds, (beta.results as { task_id: string }).task_id),
        finished,
        600_000,
      );
      expect(betaDone.status).toBe("COMPLETED");
      for (const user of userIds.slice(0, USERS_IN_APP_B)) {
        const inBeta = await eventually(
          () => memoriesOf(second, creds, user, "beta"),
          (memories) => memories.length >= 2,
          600_000,
        );
        expect(inBeta).toEqual([marker("beta", user, 0), marker("beta", user, 1)]);
        expect((await memoriesOf(second, creds, user, "alpha")).filter((memory) => memory.startsWith("beta"))).toEqual(
          [],
        );
        // Without app_id the user's scope spans both apps, and still only this user's memories.
        const all = await memoriesOf(second, creds, user);
        expect(all).toHaveLength(CONVERSATIONS + 2);
        expect(all.every((memory) => memory.includes(` ${user} `))).toBe(true);
      }

      // Incremental: the same extraction again reads the conversations but extracts none and calls no model.
      const chats = fake.requests.filter((request) => request.endpoint === "chat").length;
      const again = await invoke(
        second,
        creds,
        "extract_long_term_memory",
        extractParameters("alpha", canaryKeyA, userIds),
      );
      expect(again.results).toMatchObject({ continued: false });
      const repeated = await eventually(
        () => status(second, creds, (again.results as { task_id: string }).task_id),
        finished,
        600_000,
      );
      expect(repeated.status).toBe("COMPLETED");
      expect(repeated.progress.conversations_extracted).toBe(0);
      expect(Object.values(repeated.users).every((user) => user.already_extracted === CONVERSATIONS)).toBe(true);
      expect(fake.requests.filter((request) => request.endpoint === "chat").length).toBe(chats);

      expect(leaks(dataDirectory)).toEqual([]);
      // The plugin logs through the daemon: log events on stdout.
      const replayed = /replaying (\d+) accepted write/.exec(JSON.stringify(second.events))?.[1] ?? "0";
      console.info(
        `[extraction, ${storeName}] SIGKILL after ${killedAt} conversations checkpointed; ${replayed} accepted writes replayed from the journal after the restart`,
      );
      expect(
        dify.requests.filter((request) => request.apiKey !== undefined && request.status === 200).length,
      ).toBeGreaterThan(0);
    }, 1_800_000);
  });

  it("skips a conversation accepted again after a crash lost its checkpoint: no second memory, no model call", async () => {
    const dataDirectory = temporaryDirectory("extraction-window");
    const creds = credentials({ llmUrl: fake.url });
    const user = "window-user";
    const now = Math.floor(Date.now() / 1000);
    for (let index = 0; index < 3; index++)
      dify.addConversation(canaryKeyA, user, [
        { query: marker("alpha", user, index), answer: "Noted.", created_at: now - 60 * (index + 1) },
      ]);
    const run = async (plugin: PluginProcess) => {
      const answer = await invoke(
        plugin,
        creds,
        "extract_long_term_memory",
        extractParameters("alpha", canaryKeyA, [user]),
      );
      const task = await eventually(
        () => status(plugin, creds, (answer.results as { task_id: string }).task_id),
        finished,
        120_000,
      );
      expect(task.status).toBe("COMPLETED");
      return task;
    };
    const first = start(dataDirectory);
    await first.waitForHeartbeat();
    await run(first);
    await eventually(
      () => memoriesOf(first, creds, user, "alpha"),
      (memories) => memories.length >= 3,
    );
    first.kill("SIGKILL");
    await first.exited;
    // As if the process had died after each ACCEPT and before its checkpoint.
    rmSync(join(dataDirectory, "extraction", "checkpoints"), { recursive: true });
    const chats = fake.requests.filter((request) => request.endpoint === "chat").length;
    const second = start(dataDirectory);
    await second.waitForHeartbeat();
    const again = await run(second);
    expect(again.users[user]!.extracted).toBe(3);
    // The three resubmitted adds are applied (skipped) once the queue is idle: then the scope is unchanged.
    await eventually(
      () => invoke(second, creds, "get_user_checkpoint", { user_id: user, app_id: "alpha" }),
      (answer) => (answer.results as { conversations_extracted: number }).conversations_extracted === 3,
    );
    await eventually(
      async () => readFileSync(join(dataDirectory, "write-journal.jsonl"), "utf8"),
      (journal) => pendingJournalEntries(journal) === 0,
    );
    expect(await memoriesOf(second, creds, user, "alpha")).toEqual(
      [0, 1, 2].map((index) => marker("alpha", user, index)).sort(),
    );
    expect(fake.requests.filter((request) => request.endpoint === "chat").length).toBe(chats);

    // Another Dify workspace (another tenant), even with the same credentials, sees neither the task nor the checkpoint.
    const foreignStatus = await invoke(
      second,
      creds,
      "check_extraction_status",
      { task_id: again.task_id },
      "other-tenant",
    );
    expect(foreignStatus.status).toBe("ERROR");
    const foreignCheckpoint = await invoke(
      second,
      creds,
      "get_user_checkpoint",
      { user_id: user, app_id: "alpha" },
      "other-tenant",
    );
    expect(foreignCheckpoint.results).toMatchObject({ conversations_extracted: 0 });
  }, 300_000);

  it("reports a rejected key per user, masked even when the API echoes it, and checkpoints nothing", async () => {
    const dataDirectory = temporaryDirectory("extraction-401");
    const creds = credentials({ llmUrl: fake.url });
    const plugin = start(dataDirectory);
    await plugin.waitForHeartbeat();
    const wrongKey = `wrong-key-canary-${randomUUID()}`;
    dify.faults.push({ status: 401, body: JSON.stringify({ message: `Access token ${wrongKey} is invalid` }) });
    const started = await invoke(plugin, creds, "extract_long_term_memory", {
      ...extractParameters("alpha", wrongKey, [userIds[0]!]),
    });
    const task = await eventually(
      () => status(plugin, creds, (started.results as { task_id: string }).task_id),
      finished,
      120_000,
    );
    expect(task.status).toBe("COMPLETED_WITH_ERRORS");
    const errors = task.users[userIds[0]!]!.errors.join("\n");
    expect(errors).toContain("HTTP 401");
    expect(errors).toContain("dify_api_key");
    expect(errors).not.toContain(wrongKey);
    const checkpoint = await invoke(plugin, creds, "get_user_checkpoint", { user_id: userIds[0]!, app_id: "alpha" });
    expect(checkpoint.results).toMatchObject({ conversations_extracted: 0 });
    const everything = [JSON.stringify(plugin.events), (stderrOf.get(plugin) ?? []).join("")];
    for (const file of filesBelow(dataDirectory)) everything.push(readFileSync(file, "latin1"));
    expect(everything.filter((text) => text.includes(wrongKey))).toEqual([]);
  }, 300_000);

  it("refuses bad parameters naming the field, before any task starts", async () => {
    const plugin = start(temporaryDirectory("extraction-bad"));
    await plugin.waitForHeartbeat();
    const creds = credentials({ llmUrl: fake.url });
    const cases: [JsonObject, string][] = [
      [{ user_ids: "*" }, 'user_ids[0] must not contain "*"'],
      [{ user_ids: " " }, "user_ids names no user"],
      [{ app_id: "app*" }, 'app_id must not contain "*"'],
      [{ dify_base_url: "ftp://x" }, "dify_base_url must start with http:// or https://"],
      [{ dify_base_url: "http://user:pw@host/v1" }, "dify_base_url must not hold a user name or password"],
    ];
    for (const [change, problem] of cases) {
      const answer = await invoke(plugin, creds, "extract_long_term_memory", {
        ...extractParameters("alpha", canaryKeyA, ["someone"]),
        ...change,
      });
      expect(answer.status).toBe("ERROR");
      expect(String(answer.messages)).toContain(problem);
    }
    const unknown = await invoke(plugin, creds, "check_extraction_status", { task_id: "no-such-task" });
    expect(unknown).toMatchObject({ status: "ERROR", messages: "Extraction task not found: no-such-task" });
    expect(dify.requests.filter((request) => request.user === "someone")).toEqual([]);
  }, 120_000);
});

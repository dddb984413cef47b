/**
 * Conversation extraction throughput: extract_long_term_memory over users'
 * conversations in the Dify Service API stand-in, one message pair each, into
 * pgvector (PGlite) with the instant model stand-in. Two figures from one run:
 * conversations accepted per second (read from Dify, journaled, checkpointed:
 * what the task's progress counts) and conversations stored per second (until
 * the last memory is written).
 */
import { randomUUID } from "node:crypto";
import type { JsonObject } from "../../packages/protocol/src/index.js";
import { startDifyServiceApi } from "../../packages/test-support/src/dify-service-api.js";
import type { FakeOpenAI } from "../../plugins/mem0/test/support/fake-openai.js";
import type { PgvectorServer } from "../../plugins/mem0/test/support/pgvector.js";
import { credentials, invoke, spawnMem0, temporaryDirectory } from "../../plugins/mem0/test/support/plugin.js";

export interface ExtractionBenchmarkOptions {
  users: number;
  conversationsPerUser: number;
}

export interface ExtractionFigures {
  conversations: number;
  acceptedPerSecond: number;
  storedPerSecond: number;
}

export async function extractionThroughput(
  fake: FakeOpenAI,
  pg: PgvectorServer,
  options: ExtractionBenchmarkOptions,
): Promise<ExtractionFigures> {
  const dify = await startDifyServiceApi();
  const conversations = options.users * options.conversationsPerUser;
  const plugin = spawnMem0({
    MEM0_DATA_DIR: temporaryDirectory("bench-extraction"),
    MEM0_MAX_PENDING_WRITES: String(conversations + 10),
  });
  try {
    const apiKey = `bench-${randomUUID()}`;
    const users = Array.from({ length: options.users }, (_, index) => `x${index}`);
    const now = Math.floor(Date.now() / 1000);
    for (const user of users)
      for (let index = 0; index < options.conversationsPerUser; index++)
        dify.addConversation(apiKey, user, [
          { query: `${user} remembers item ${index}`, answer: "Noted.", created_at: now - 60 * (index + 1) },
        ]);
    const creds = credentials({
      llmUrl: fake.url,
      vector: {
        provider: "pgvector",
        config: { connectionString: pg.connectionString, collectionName: "bench_extraction", embeddingModelDims: 64 },
      },
    });
    await invoke(plugin, creds, "add_memory", { user: "warm up", user_id: "warm" });
    const started = performance.now();
    const answer = await invoke(plugin, creds, "extract_long_term_memory", {
      user_ids: users.join(","),
      app_id: "bench",
      dify_api_key: apiKey,
      dify_base_url: dify.url,
      days_back: 7,
      conversations_limit: options.conversationsPerUser,
      max_tokens_per_conversation: 2000,
    } satisfies JsonObject);
    const taskId = (answer.results as { task_id: string }).task_id;
    let accepted = 0;
    for (;;) {
      const task = (await invoke(plugin, creds, "check_extraction_status", { task_id: taskId })).results as {
        status: string;
        progress: { conversations_extracted: number };
      };
      if (task.status !== "RUNNING") {
        if (task.progress.conversations_extracted !== conversations)
          throw new Error(
            `extraction ended ${task.status} with ${task.progress.conversations_extracted} conversations`,
          );
        accepted = performance.now();
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    let stored = 0;
    for (const user of users) {
      for (;;) {
        const listed = await invoke(plugin, creds, "get_all_memories", { user_id: user, app_id: "bench", limit: 1000 });
        if ((listed.results as unknown[]).length >= options.conversationsPerUser) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      stored = performance.now();
    }
    return {
      conversations,
      acceptedPerSecond: conversations / ((accepted - started) / 1000),
      storedPerSecond: conversations / ((stored - started) / 1000),
    };
  } finally {
    plugin.kill();
    await dify.close();
  }
}

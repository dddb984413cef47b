/**
 * This process's conversation extractor, built in onStart beside the
 * MemoryService (settings read from the environment once) and writing
 * through its write path; the tools reach it here.
 */
import type { Logger } from "@dify-ts/runtime";
import type { MemoryService } from "../service.js";
import { readInteger } from "../settings.js";
import { ConversationExtractor, type ExtractionSettings } from "./extractor.js";

export function readExtractionSettings(env: NodeJS.ProcessEnv = process.env): ExtractionSettings {
  return {
    timeBudgetMs: readInteger(env, "MEM0_EXTRACTION_TIME_BUDGET_SECONDS", 1800) * 1000,
    concurrency: readInteger(env, "MEM0_EXTRACTION_CONCURRENCY", 4),
    requestTimeoutMs: readInteger(env, "MEM0_EXTRACTION_REQUEST_TIMEOUT_SECONDS", 30) * 1000,
  };
}

let started: ConversationExtractor | undefined;

/** Builds the extractor and reads the tasks a previous process left; rejects on an invalid MEM0_EXTRACTION_* variable. */
export async function startExtractor(service: MemoryService, logger: Logger): Promise<void> {
  started = new ConversationExtractor({
    dataDirectory: service.settings.dataDirectory,
    settings: readExtractionSettings(),
    write: (credentials, setup, operation) => service.write(credentials, setup, operation),
  });
  await started.start(logger);
}

/** The started extractor; throws when onStart could not build it (its reason is in the plugin's log). */
export function extractor(): ConversationExtractor {
  if (!started)
    throw new Error(
      "conversation extraction did not start (see the plugin's log for why, e.g. an invalid MEM0_EXTRACTION_* environment variable)",
    );
  return started;
}

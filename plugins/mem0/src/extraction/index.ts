/** The plugin's one extractor, writing through the plugin's one write path. */
import { readInteger } from "../settings.js";
import { service } from "../service.js";
import { ConversationExtractor, type ExtractionSettings } from "./extractor.js";

export function readExtractionSettings(env: NodeJS.ProcessEnv = process.env): ExtractionSettings {
  return {
    timeBudgetMs: readInteger(env, "MEM0_EXTRACTION_TIME_BUDGET_SECONDS", 1800) * 1000,
    concurrency: readInteger(env, "MEM0_EXTRACTION_CONCURRENCY", 4),
    requestTimeoutMs: readInteger(env, "MEM0_EXTRACTION_REQUEST_TIMEOUT_SECONDS", 30) * 1000,
  };
}

export const extractor = new ConversationExtractor({
  dataDirectory: service.settings.dataDirectory,
  settings: readExtractionSettings(),
  write: (credentials, setup, operation) => service.write(credentials, setup, operation),
});

/**
 * Records recalls (search hits, get_memory reads) in the store's access log.
 * Best effort by design: a failed record is logged and the read still
 * answers, since losing one recall only makes a memory look a little older.
 */
import type { MemorySetup } from "../config/setup.js";
import { memoryService } from "../plugin-service.js";
import { accessLogIn } from "./access-log.js";

export function recordRecall(setup: MemorySetup, userId: string, memoryIds: readonly string[]): void {
  if (memoryIds.length === 0) return;
  try {
    accessLogIn(setup.storeDirectory).record(memoryIds, userId, memoryService().settings.now());
  } catch (error) {
    memoryService().warn(`could not record ${memoryIds.length} recall(s) in the access log`, error);
  }
}

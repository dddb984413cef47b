/**
 * This process's MemoryService. The plugin's onStart builds it (settings read from the environment once, logs
 * through the daemon); the provider and the tools reach it here, so importing the plugin builds nothing.
 */
import type { MemoryService } from "./service.js";

let started: MemoryService | undefined;

export function installMemoryService(service: MemoryService): void {
  started = service;
}

/** The started service; throws when onStart has not built it (it failed: its reason is in the plugin's log). */
export function memoryService(): MemoryService {
  if (!started)
    throw new Error(
      "the Mem0 service did not start (see the plugin's log for why, e.g. an invalid MEM0_* environment variable)",
    );
  return started;
}

/** At shutdown: applies queued writes until the deadline and closes the stores, if the service started. */
export async function stopMemoryService(): Promise<void> {
  await started?.shutdown();
}

/**
 * Which Dify workspace calls. The daemon never tells the plugin the tenant id, but its storage invocation is
 * tenant-scoped: the daemon keeps each value under (tenant, plugin, key), another workspace reading the same key gets
 * nothing, and the value survives plugin upgrades. So each workspace keeps a random id of its own there, created by
 * its first call, and the stores are keyed by it (MemorySetup.store). Needs the manifest's storage permission.
 */
import { randomUUID } from "node:crypto";
import type { DifyInvocations } from "@dify-ts/runtime";
import { explain } from "./memory/errors.js";

export const WORKSPACE_ID_KEY = "mem0/workspace-id";

export type WorkspaceStorage = Pick<DifyInvocations["storage"], "get" | "set" | "exist">;

const WORKSPACE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The calling workspace's id, or why tenant storage could not give one (no daemon, permission missing...). */
export async function readWorkspaceId(storage: WorkspaceStorage): Promise<{ id: string } | { problem: string }> {
  try {
    return { id: await storedOrNewId(storage) };
  } catch (error) {
    return { problem: explain(error) };
  }
}

/** One round trip once the id exists (get); the first call of a workspace makes four (get, exist, set, get). */
async function storedOrNewId(storage: WorkspaceStorage): Promise<string> {
  try {
    return parse(await storage.get(WORKSPACE_ID_KEY));
  } catch (error) {
    // The daemon answers a missing key with an error: only an absent key may be created, anything else is reported.
    if (await storage.exist(WORKSPACE_ID_KEY)) throw error;
  }
  // The daemon has no set-if-absent. Reading back after the set makes two concurrent first calls agree when both sets
  // land before either read; the race that remains is a call reading back its own id before the other call's set
  // overwrites it: that one call uses a store the workspace never uses again (its memories stay in that directory).
  await storage.set(WORKSPACE_ID_KEY, Buffer.from(randomUUID()));
  return parse(await storage.get(WORKSPACE_ID_KEY));
}

function parse(value: Buffer): string {
  const id = value.toString("utf8");
  if (!WORKSPACE_ID.test(id))
    throw new Error(
      `tenant storage key ${WORKSPACE_ID_KEY} holds ${value.length} bytes that are not a workspace id (a UUID); ` +
        "it was not written by this plugin",
    );
  return id;
}

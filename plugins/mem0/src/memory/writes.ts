/**
 * The four writes, as plain JSON so an accepted one can be journaled and
 * applied later (possibly after a restart), and the one function that applies
 * them to a Memory.
 */
import type { MemoryApi } from "./platform.js";
import type { JsonObject, JsonValue } from "@dify-ts/runtime";
import { checkScopeValue, ownedBy, SCOPE_KEYS, type OwnerScope, type Scope } from "../scope.js";
import { scopeFields } from "./filters.js";
import { failOnSwallowedInsertErrors } from "./handle.js";

export type WriteOperation =
  | {
      op: "add";
      messages: { role: "user" | "assistant"; content: string }[];
      scope: Scope;
      metadata?: JsonObject;
      /**
       * Set by conversation extraction: stored as metadata.conversation_id, and
       * the add is skipped when the scope already holds a memory from this
       * conversation (a resubmission after a crash between ACCEPT and the checkpoint).
       */
      conversation_id?: string;
    }
  | { op: "update"; memory_id: string; text: string; owner?: OwnerScope }
  | { op: "delete"; memory_id: string; owner?: OwnerScope }
  | { op: "delete_all"; scope: Scope };

/**
 * What the journal holds for an accepted write. Never the credentials: the
 * process that accepted the write keeps them in memory under `ref`; after a
 * restart the write waits for the next call that brings credentials for its
 * `store` (MemoryService).
 */
export interface WriteJob {
  /** The store the write goes to (MemorySetup.store: its settings and the credentials' secrets, digested). */
  store: string;
  /** Random: names this write's credentials in the memory of the process that accepted it. */
  ref: string;
  operation: WriteOperation;
  /** Writes with the same key are applied in order: one scope, or one memory. */
  key: string;
}

export function writeKey(credentialHash: string, operation: WriteOperation): string {
  const target =
    operation.op === "add" || operation.op === "delete_all"
      ? `scope:${JSON.stringify(scopeFields(operation.scope))}`
      : `memory:${operation.memory_id}`;
  return `${credentialHash.slice(0, 16)}:${target}`;
}

/** Applies a write and returns mem0's result in the plugin's output shape. */
export async function applyWrite(memory: MemoryApi, operation: WriteOperation): Promise<JsonValue> {
  // Again here, not only in the tools: a journal written by an older version may hold a wildcard scope.
  const scope = "scope" in operation ? operation.scope : operation.owner;
  for (const key of SCOPE_KEYS) if (scope?.[key] !== undefined) checkScopeValue(key, scope[key]);
  if ((operation.op === "update" || operation.op === "delete") && operation.owner)
    await checkOwner(memory, operation.memory_id, operation.owner);
  switch (operation.op) {
    case "add": {
      const { user_id, agent_id, run_id, app_id } = operation.scope;
      if (operation.conversation_id !== undefined && (await holdsConversation(memory, operation)))
        return [{ id: "", memory: "", event: "SKIP" }];
      // The scope's app_id wins over one in the caller's metadata, and a memory without one carries none.
      const { app_id: _ignored, ...metadata } = operation.metadata ?? {};
      const added = await failOnSwallowedInsertErrors(() =>
        memory.add(operation.messages, {
          userId: user_id,
          agentId: agent_id,
          runId: run_id,
          metadata: {
            ...metadata,
            ...(app_id !== undefined && { app_id }),
            ...(operation.conversation_id !== undefined && { conversation_id: operation.conversation_id }),
          },
          // mem0ai compares new memories with the nearest existing ones in these filters: the app's only.
          ...(app_id !== undefined && { filters: { app_id } }),
          infer: true,
        }),
      );
      return added.results.map((item) => ({
        id: item.id,
        memory: item.memory,
        event: String(item.metadata?.event ?? "ADD"),
      }));
    }
    case "update":
      return (await memory.update(operation.memory_id, { text: operation.text })) as JsonObject;
    case "delete":
      return (await memory.delete(operation.memory_id)) as JsonObject;
    case "delete_all": {
      const { user_id, agent_id, run_id, app_id } = operation.scope;
      if (app_id !== undefined) return deleteAppScope(memory, operation.scope);
      // deleteAll removes the scope's rows one by one; reset() would drop every user's memories.
      return (await memory.deleteAll({ userId: user_id, agentId: agent_id, runId: run_id })) as JsonObject;
    }
  }
}

/** Whether the add's scope already holds a memory extracted from its conversation. */
async function holdsConversation(memory: MemoryApi, operation: { scope: Scope; conversation_id?: string }) {
  const filters = { ...scopeFields(operation.scope), conversation_id: operation.conversation_id };
  return (await memory.getAll({ filters, topK: 1 })).results.length > 0;
}

/** mem0ai's deleteAll knows only user, agent and run: an app's memories are listed by metadata and deleted one by one. */
async function deleteAppScope(memory: MemoryApi, scope: Scope): Promise<JsonObject> {
  for (;;) {
    const batch = (await memory.getAll({ filters: scopeFields(scope), topK: 1000 })).results;
    if (batch.length === 0) return { message: "Memories deleted successfully!" };
    for (const item of batch) await memory.delete(item.id);
  }
}

/** A memory outside the owner scope fails exactly as a missing one does: nothing about it is revealed or changed. */
async function checkOwner(memory: MemoryApi, memoryId: string, owner: OwnerScope): Promise<void> {
  const item = await memory.get(memoryId);
  if (!item || !ownedBy(item, owner)) throw new Error(`Memory with ID ${memoryId} not found`);
}

/** mem0ai's message for a missing id, which the tools turn into "Memory not found". */
export function isNotFound(error: unknown): boolean {
  return error instanceof Error && /^Memory with ID .* not found$/.test(error.message);
}

export function describeWrite(operation: WriteOperation): string {
  switch (operation.op) {
    case "add":
    case "delete_all":
      return `${operation.op} for user ${operation.scope.user_id}`;
    default:
      return `${operation.op} of memory ${operation.memory_id}`;
  }
}

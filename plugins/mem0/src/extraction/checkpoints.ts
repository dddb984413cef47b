/**
 * What has been extracted, per (store, user, app), the store being the
 * workspace's (MemorySetup.store: its settings and secrets, so two Dify
 * workspaces never see each other's checkpoints): one file each under
 * <data>/extraction/checkpoints, naming every conversation extracted and when.
 * A conversation is recorded once its add was ACCEPTed (journaled) or, in
 * sync mode, applied; a recorded conversation is never extracted again.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { readJson, writeJsonAtomically } from "./files.js";

export interface ExtractedConversation {
  /** The conversation's updated_at (unix seconds) when it was extracted. */
  updated_at: number;
  extracted_at: string;
  task_id: string;
  /** Messages (query and answer turns) sent to extraction, after the token budget. */
  messages: number;
}

export interface UserCheckpoint {
  user_id: string;
  app_id: string;
  conversations: Record<string, ExtractedConversation>;
  last_extracted_at: string | null;
}

export class CheckpointStore {
  private readonly cache = new Map<string, Promise<UserCheckpoint>>();
  /** Writes of one file, one after another. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly directory: string) {}

  get(store: string, userId: string, appId: string): Promise<UserCheckpoint> {
    const path = this.pathOf(store, userId, appId);
    let checkpoint = this.cache.get(path);
    if (!checkpoint) {
      checkpoint = readJson<UserCheckpoint>(path).then(
        (stored) => stored ?? { user_id: userId, app_id: appId, conversations: {}, last_extracted_at: null },
      );
      checkpoint.catch(() => this.cache.delete(path));
      this.cache.set(path, checkpoint);
    }
    return checkpoint;
  }

  /** Records an extracted conversation durably before resolving. */
  async record(
    store: string,
    userId: string,
    appId: string,
    conversationId: string,
    entry: ExtractedConversation,
  ): Promise<void> {
    const path = this.pathOf(store, userId, appId);
    const checkpoint = await this.get(store, userId, appId);
    checkpoint.conversations[conversationId] = entry;
    checkpoint.last_extracted_at = entry.extracted_at;
    const previous = this.writes.get(path) ?? Promise.resolve();
    const write = previous.catch(() => undefined).then(() => writeJsonAtomically(path, checkpoint));
    this.writes.set(path, write);
    await write;
  }

  /** Hashed: ids may hold any character, file names may not. */
  private pathOf(store: string, userId: string, appId: string): string {
    const name = createHash("sha256")
      .update(JSON.stringify([store, userId, appId]))
      .digest("hex")
      .slice(0, 40);
    return join(this.directory, `${name}.json`);
  }
}

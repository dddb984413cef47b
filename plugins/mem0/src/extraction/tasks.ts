/**
 * Extraction tasks as check_extraction_status shows them, kept one file each
 * under <data>/extraction/tasks so a task outlives the process. A task file
 * holds the request and the progress, never the app's API key: a task a
 * restart interrupted waits (WAITING_FOR_KEY) until extract_long_term_memory
 * is called again for its app, which brings the key and resumes it.
 */
import { join } from "node:path";
import type { JsonObject } from "@dify-ts/runtime";
import { jsonFilesIn, readJson, writeJsonAtomically } from "./files.js";

export interface ExtractionRequest extends JsonObject {
  app_id: string;
  /** Normalized: ends with /v1. */
  base_url: string;
  user_ids: string[];
  days_back: number;
  conversations_limit: number;
  max_tokens_per_conversation: number;
}

export type TaskStatus = "RUNNING" | "WAITING_FOR_KEY" | "COMPLETED" | "COMPLETED_WITH_ERRORS" | "TIME_BUDGET_EXCEEDED";

/** STOPPED: the time budget ran out before the user was done (the next call continues from the checkpoint). */
export type UserStatus = "PENDING" | "RUNNING" | "DONE" | "ERROR" | "STOPPED";

export interface UserProgress extends JsonObject {
  status: UserStatus;
  /** Conversations within days_back seen in this run. */
  conversations_found: number;
  /** Conversations this task extracted (ACCEPTed or applied), over all its runs. */
  extracted: number;
  /** Conversations skipped because an earlier task had extracted them. */
  already_extracted: number;
  /** Conversations whose write failed; they are not checkpointed, so a later call tries them again. */
  failed: number;
  errors: string[];
}

export interface ExtractionTask extends ExtractionRequest {
  task_id: string;
  /** The workspace's store (MemorySetup.store): only calls with its credentials see, resume or write for the task. */
  store: string;
  status: TaskStatus;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  /** How many times the task was started: 1, plus one per resumption after a restart. */
  runs: number;
  users: Record<string, UserProgress>;
}

/** Errors kept per user: the first ones say what went wrong; the count is in `failed`. */
export const MAX_ERRORS_PER_USER = 10;

/** How stale a task file's progress counters may be while it runs. */
const PROGRESS_SAVE_MS = 1000;

export const FINISHED: readonly TaskStatus[] = ["COMPLETED", "COMPLETED_WITH_ERRORS", "TIME_BUDGET_EXCEEDED"];

export function newTask(taskId: string, store: string, request: ExtractionRequest, now: Date): ExtractionTask {
  return {
    task_id: taskId,
    store,
    ...request,
    status: "RUNNING",
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    finished_at: null,
    runs: 0,
    users: Object.fromEntries(
      request.user_ids.map((user) => [
        user,
        { status: "PENDING", conversations_found: 0, extracted: 0, already_extracted: 0, failed: 0, errors: [] },
      ]),
    ),
  };
}

/** Same app, users and limits: calling again with them continues the task instead of starting another. */
export function sameRequest(task: ExtractionRequest, request: ExtractionRequest): boolean {
  const users = (ids: string[]) => JSON.stringify([...ids].sort());
  return (
    task.app_id === request.app_id &&
    task.base_url === request.base_url &&
    task.days_back === request.days_back &&
    task.conversations_limit === request.conversations_limit &&
    task.max_tokens_per_conversation === request.max_tokens_per_conversation &&
    users(task.user_ids) === users(request.user_ids)
  );
}

export class TaskStore {
  private readonly tasks = new Map<string, ExtractionTask>();
  /** Saves of one task, one after another. */
  private readonly saves = new Map<string, Promise<void>>();
  /** Tasks with a save scheduled by saveSoon. */
  private readonly scheduled = new Set<string>();

  constructor(private readonly directory: string) {}

  /** Reads the tasks a previous process left; those it was running now wait for their key. */
  async load(): Promise<ExtractionTask[]> {
    const interrupted: ExtractionTask[] = [];
    for (const path of await jsonFilesIn(this.directory)) {
      const task = await readJson<ExtractionTask>(path).catch(() => undefined);
      if (!task?.task_id || this.tasks.has(task.task_id)) continue;
      if (task.status === "RUNNING") {
        task.status = "WAITING_FOR_KEY";
        interrupted.push(task);
      }
      this.tasks.set(task.task_id, task);
    }
    await Promise.all(interrupted.map((task) => this.save(task)));
    return interrupted;
  }

  get(taskId: string): ExtractionTask | undefined {
    return this.tasks.get(taskId);
  }

  all(): ExtractionTask[] {
    return [...this.tasks.values()];
  }

  async add(task: ExtractionTask): Promise<void> {
    this.tasks.set(task.task_id, task);
    await this.save(task);
  }

  /**
   * Saves the task within a second, once however often it is called meanwhile:
   * progress counters only (the checkpoints are what extraction relies on, and
   * a resumed task recounts from them).
   */
  saveSoon(task: ExtractionTask): void {
    if (this.scheduled.has(task.task_id)) return;
    this.scheduled.add(task.task_id);
    setTimeout(() => {
      this.scheduled.delete(task.task_id);
      this.save(task).catch(() => undefined);
    }, PROGRESS_SAVE_MS).unref();
  }

  /** Writes the task's current state; saves of one task never overtake each other. */
  save(task: ExtractionTask): Promise<void> {
    task.updated_at = new Date().toISOString();
    const path = join(this.directory, `${task.task_id}.json`);
    const previous = this.saves.get(task.task_id) ?? Promise.resolve();
    const saved = previous.catch(() => undefined).then(() => writeJsonAtomically(path, task));
    this.saves.set(task.task_id, saved);
    return saved;
  }
}

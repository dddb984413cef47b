/**
 * Conversation extraction: for each user of a task, the conversations of the
 * Dify app updated within days_back, newest first, that no checkpoint names
 * yet, at most conversations_limit per task, each cut to the newest messages
 * within the token budget and submitted through the plugin's write path (in
 * async mode journaled and ACCEPTed, so nothing accepted is lost); the
 * checkpoint records a conversation once its write was accepted. A task runs
 * in the background under a time budget; users run a few at a time, and one
 * (user, app) pair is extracted by one task at a time.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Logger } from "@dify-ts/runtime";
import type { MemorySetup, RawCredentials } from "../config/setup.js";
import { messageOf } from "../memory/errors.js";
import type { WriteOperation } from "../memory/writes.js";
import type { WriteOutcome } from "../service.js";
import { CheckpointStore, type UserCheckpoint } from "./checkpoints.js";
import { DifyServiceApi, type DifyMessage } from "./dify-api.js";
import {
  FINISHED,
  MAX_ERRORS_PER_USER,
  newTask,
  sameRequest,
  TaskStore,
  type ExtractionRequest,
  type ExtractionTask,
  type UserProgress,
} from "./tasks.js";
import { estimateTokens, fitTokenBudget, type Turn } from "./tokens.js";

export interface ExtractionSettings {
  /** How long one run of a task may take; what is left stays for the next call (checkpoints make it incremental). */
  timeBudgetMs: number;
  /** Users extracted at once within a task. */
  concurrency: number;
  /** One request to Dify's Service API. */
  requestTimeoutMs: number;
}

export interface ExtractionDependencies {
  dataDirectory: string;
  settings: ExtractionSettings;
  /** The plugin's write path (MemoryService.write). */
  write(credentials: RawCredentials, setup: MemorySetup, operation: WriteOperation): Promise<WriteOutcome>;
}

/** What a run needs besides the task: never stored. */
interface RunInputs {
  apiKey: string;
  credentials: RawCredentials;
  setup: MemorySetup;
}

export interface ExtractStarted {
  task: ExtractionTask;
  /** The task was already running or waiting, with the same request: no new one was made. */
  continued: boolean;
  /** Tasks of the same app a restart had interrupted, resumed with this call's key. */
  resumed: string[];
}

export class ConversationExtractor {
  readonly checkpoints: CheckpointStore;
  private readonly tasks: TaskStore;
  private logger?: Logger;
  private loaded?: Promise<void>;
  /** Tasks running in this process. */
  private readonly running = new Map<string, Promise<void>>();
  /** Per (user, app): the end of the extraction holding it. */
  private readonly userLocks = new Map<string, Promise<void>>();

  constructor(private readonly dependencies: ExtractionDependencies) {
    this.checkpoints = new CheckpointStore(join(dependencies.dataDirectory, "extraction", "checkpoints"));
    this.tasks = new TaskStore(join(dependencies.dataDirectory, "extraction", "tasks"));
  }

  /** Reads the tasks a previous process left: those it was running wait for the next call that brings their key. */
  start(logger: Logger): Promise<void> {
    this.logger = logger;
    return this.ready();
  }

  /** Resolves once the tasks on disk are known. */
  ready(): Promise<void> {
    this.loaded ??= this.tasks.load().then(async (interrupted) => {
      for (const task of interrupted) await this.recount(task);
      if (interrupted.length > 0)
        this.logger?.info(
          `${interrupted.length} extraction task(s) were interrupted by a restart; each resumes at the next extract_long_term_memory call for its app (the API key is never stored)`,
        );
    });
    return this.loaded;
  }

  /**
   * An interrupted task's counters from the checkpoints: its file is saved
   * at most once a second, the checkpoints after every conversation.
   */
  private async recount(task: ExtractionTask): Promise<void> {
    for (const user of task.user_ids) {
      const progress = task.users[user]!;
      const checkpoint = await this.checkpoints.get(task.store, user, task.app_id);
      progress.extracted = extractedBy(checkpoint, task.task_id);
      if (progress.status === "RUNNING") progress.status = "PENDING";
    }
    await this.tasks.save(task);
  }

  /** Starts (or continues) the extraction and returns at once; the work goes on in the background. */
  async extract(request: ExtractionRequest, inputs: RunInputs): Promise<ExtractStarted> {
    await this.ready();
    const store = inputs.setup.store;
    const unfinished = this.tasks.all().filter((task) => task.store === store && !FINISHED.includes(task.status));
    const same = unfinished.find((task) => sameRequest(task, request));
    const resumed: string[] = [];
    for (const task of unfinished) {
      if (task.status !== "WAITING_FOR_KEY" || task.app_id !== request.app_id || task.base_url !== request.base_url)
        continue;
      this.launch(task, inputs);
      resumed.push(task.task_id);
    }
    if (same) return { task: same, continued: true, resumed: resumed.filter((id) => id !== same.task_id) };
    const task = newTask(randomUUID(), store, request, new Date());
    await this.tasks.add(task);
    this.launch(task, inputs);
    return { task, continued: false, resumed };
  }

  /** The task, if it exists and belongs to the caller's store (workspace). */
  status(taskId: string, store: string): ExtractionTask | undefined {
    const task = this.tasks.get(taskId);
    return task?.store === store ? task : undefined;
  }

  /** The (user, app) checkpoint of the caller's store as it stands. */
  checkpoint(store: string, userId: string, appId: string): Promise<UserCheckpoint> {
    return this.checkpoints.get(store, userId, appId);
  }

  /** Resolves when every task running in this process has ended (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  private launch(task: ExtractionTask, inputs: RunInputs): void {
    if (this.running.has(task.task_id) || task.store !== inputs.setup.store) return;
    const run = this.run(task, inputs)
      .catch((error: unknown) => this.logger?.error(`extraction task ${task.task_id} failed`, error))
      .finally(() => this.running.delete(task.task_id));
    this.running.set(task.task_id, run);
  }

  private async run(task: ExtractionTask, inputs: RunInputs): Promise<void> {
    task.status = "RUNNING";
    task.finished_at = null;
    task.runs += 1;
    await this.tasks.save(task);
    this.logger?.info(
      `extraction task ${task.task_id} started (run ${task.runs}): ${task.user_ids.length} user(s) of app ${task.app_id}`,
    );
    const deadline = Date.now() + this.dependencies.settings.timeBudgetMs;
    const api = new DifyServiceApi(task.base_url, inputs.apiKey, this.dependencies.settings.requestTimeoutMs);
    const users = task.user_ids.filter((user) => task.users[user]!.status !== "DONE");
    let next = 0;
    const worker = async () => {
      while (next < users.length) {
        const user = users[next++]!;
        await this.exclusively(JSON.stringify([user, task.app_id]), () =>
          this.extractUser(task, user, api, inputs, deadline),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.dependencies.settings.concurrency, users.length) }, worker));
    const statuses = Object.values(task.users).map((progress) => progress.status);
    task.status = statuses.includes("STOPPED")
      ? "TIME_BUDGET_EXCEEDED"
      : statuses.includes("ERROR")
        ? "COMPLETED_WITH_ERRORS"
        : "COMPLETED";
    task.finished_at = new Date().toISOString();
    await this.tasks.save(task);
    const extracted = Object.values(task.users).reduce((sum, progress) => sum + progress.extracted, 0);
    this.logger?.info(`extraction task ${task.task_id} ended ${task.status}: ${extracted} conversation(s) extracted`);
  }

  private async extractUser(
    task: ExtractionTask,
    user: string,
    api: DifyServiceApi,
    inputs: RunInputs,
    deadline: number,
  ): Promise<void> {
    const progress = task.users[user]!;
    const checkpoint = await this.checkpoints.get(task.store, user, task.app_id);
    Object.assign(progress, {
      status: "RUNNING",
      conversations_found: 0,
      extracted: extractedBy(checkpoint, task.task_id),
      already_extracted: 0,
    });
    this.tasks.saveSoon(task);
    const since = Math.floor(Date.now() / 1000) - task.days_back * 86_400;
    try {
      for await (const conversation of api.conversationsSince(user, since)) {
        progress.conversations_found += 1;
        const entry = checkpoint.conversations[conversation.id];
        if (entry) {
          if (entry.task_id !== task.task_id) progress.already_extracted += 1;
          continue;
        }
        if (progress.extracted >= task.conversations_limit) break;
        if (Date.now() >= deadline) {
          progress.status = "STOPPED";
          return;
        }
        const turns = fitTokenBudget(
          await this.newestTurns(api, user, conversation.id, task.max_tokens_per_conversation),
          task.max_tokens_per_conversation,
        );
        const outcome =
          turns.length === 0
            ? ({ status: "APPLIED", result: [] } as const)
            : await this.submit(inputs, deadline, {
                op: "add",
                messages: turns,
                scope: { user_id: user, app_id: task.app_id },
                metadata: { source: "dify_conversation" },
                conversation_id: conversation.id,
              });
        if (outcome.status === "ACCEPTED" || outcome.status === "APPLIED") {
          await this.checkpoints.record(task.store, user, task.app_id, conversation.id, {
            updated_at: conversation.updated_at,
            extracted_at: new Date().toISOString(),
            task_id: task.task_id,
            messages: turns.length,
          });
          progress.extracted += 1;
        } else if (outcome.status === "OVERLOAD") {
          // The queue stayed full until the deadline.
          progress.status = "STOPPED";
          return;
        } else {
          progress.failed += 1;
          addError(progress, `conversation ${conversation.id}: ${outcome.problem}`);
        }
        this.tasks.saveSoon(task);
      }
      progress.status = progress.failed > 0 ? "ERROR" : "DONE";
    } catch (error) {
      progress.status = "ERROR";
      addError(progress, messageOf(error));
      this.logger?.warn(`extraction of user ${user} (task ${task.task_id}) stopped: ${messageOf(error)}`);
    } finally {
      this.tasks.saveSoon(task);
    }
  }

  /** The newest messages of a conversation, enough to fill the token budget, oldest first. */
  private async newestTurns(api: DifyServiceApi, user: string, conversationId: string, budget: number) {
    const pages: DifyMessage[][] = [];
    let tokens = 0;
    for await (const page of api.messagePages(user, conversationId)) {
      pages.unshift(page);
      for (const message of page) tokens += estimateTokens(message.query) + estimateTokens(message.answer);
      if (tokens >= budget) break;
    }
    return pages
      .flat()
      .flatMap((message): Turn[] => [
        ...(message.query.trim() ? [{ role: "user" as const, content: message.query }] : []),
        ...(message.answer.trim() ? [{ role: "assistant" as const, content: message.answer }] : []),
      ]);
  }

  /** Submits a write; while the queue is full, tries again with backoff until the deadline. */
  private async submit(inputs: RunInputs, deadline: number, operation: WriteOperation): Promise<WriteOutcome> {
    for (let waitMs = 250; ; waitMs = Math.min(waitMs * 2, 5000)) {
      const outcome = await this.dependencies.write(inputs.credentials, inputs.setup, operation);
      if (outcome.status !== "OVERLOAD" || Date.now() + waitMs >= deadline) return outcome;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  /** Runs `work` once every earlier holder of `key` has finished. */
  private async exclusively(key: string, work: () => Promise<void>): Promise<void> {
    const previous = this.userLocks.get(key) ?? Promise.resolve();
    const current = previous.then(work, work);
    const held = current.catch(() => undefined);
    this.userLocks.set(key, held);
    try {
      await current;
    } finally {
      if (this.userLocks.get(key) === held) this.userLocks.delete(key);
    }
  }
}

/** The conversations of a checkpoint that this task extracted (in any of its runs). */
function extractedBy(checkpoint: UserCheckpoint, taskId: string): number {
  return Object.values(checkpoint.conversations).filter((entry) => entry.task_id === taskId).length;
}

function addError(progress: UserProgress, error: string): void {
  if (progress.errors.length < MAX_ERRORS_PER_USER) progress.errors.push(error);
}

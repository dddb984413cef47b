/**
 * The process-wide part of the plugin: the Memory cache, the one background
 * write queue with its journal, and the read/write/validate paths the tools
 * share. Reads never go through the queue, so queued writes cannot delay them.
 * Built by createMemoryService in the plugin's onStart (plugin-service.ts).
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  CredentialValidationError,
  Redactor,
  withDeadline,
  type JsonValue,
  type Logger,
  type SecretRegistry,
} from "@dify-ts/runtime";
import { WorkQueue, type JobOutcome } from "@dify-ts/runtime/work-queue";
import type { MemoryApi } from "./memory/platform.js";
import { closeAccessLogs } from "./lifecycle/access-log.js";
import { readSetup, type MemorySetup, type RawCredentials } from "./config/setup.js";
import { ConfigError } from "./config/translate.js";
import { MemoryCache } from "./memory/cache.js";
import { claimFormerStores } from "./memory/legacy-store.js";
import { classifyWriteFailure, explain, messageOf } from "./memory/errors.js";
import { loadMem0 } from "./memory/loader.js";
import { applyWrite, describeWrite, writeKey, type WriteJob, type WriteOperation } from "./memory/writes.js";
import { LeveledLogger } from "./log-level.js";
import type { ServiceSettings } from "./settings.js";
import { readWorkspaceId, type WorkspaceStorage } from "./workspace.js";

export type ReadOutcome<T> =
  { status: "SUCCESS"; value: T } | { status: "TIMEOUT" | "ERROR"; value: T; problem: string };

export type WriteOutcome =
  | { status: "ACCEPTED" }
  | { status: "APPLIED"; result: JsonValue }
  | { status: "OVERLOAD"; problem: string }
  | { status: "ERROR"; problem: string; error: unknown };

/** What a write runs with: the credentials and the workspace id of the store they were given for. */
interface StoreUser {
  credentials: RawCredentials;
  workspace: string | undefined;
}

/** Stores whose latest credentials are remembered for replayed writes; an older one waits for its next call. */
const MAX_STORES = 256;

/** Scopes the validation search to a user no workflow uses. */
const VALIDATION_USER = "dify-ts-credential-check";

/** The service for one plugin process: `settings` from readSettings(), `logger` the one onStart receives. */
export function createMemoryService(settings: ServiceSettings, logger: Logger): MemoryService {
  return new MemoryService(settings, logger);
}

export class MemoryService {
  readonly settings: ServiceSettings;
  readonly cache: MemoryCache;
  /** The logger onStart received, filtered by the latest call's log_level. */
  private readonly logger: LeveledLogger;
  private queue?: Promise<WorkQueue<WriteJob>>;
  /** Parsed credentials by their JSON text: every call carries them, and parsing is most of an ACCEPT's work. */
  private readonly setups = new Map<string, MemorySetup>();
  /** Credentials of the writes this process accepted, by WriteJob.ref, until each write ends: never journaled. */
  private readonly writeCredentials = new Map<string, StoreUser>();
  /** The latest credentials seen for each store: a write replayed from the journal runs with them. */
  private readonly storeCredentials = new Map<string, StoreUser>();
  /** The former keys (MemorySetup.formerStores) whose stores became each store. */
  private readonly formerClaims = new Map<string, string[]>();
  /** Whether the fallback to secret-keyed stores was logged: once per process. */
  private warnedWithoutWorkspace = false;

  constructor(settings: ServiceSettings, logger: Logger) {
    this.settings = settings;
    this.logger = new LeveledLogger(logger);
    this.cache = new MemoryCache(
      () => loadMem0(settings.dataDirectory),
      (message) => this.logger.warn(message),
    );
  }

  /** Opens the journal and replays the writes a previous process accepted but did not apply. */
  start(): Promise<WorkQueue<WriteJob>> {
    if (!this.queue) {
      // Loading mem0ai takes seconds; start now rather than in the first call.
      loadMem0(this.settings.dataDirectory).catch((error: unknown) =>
        this.logger.error("mem0ai could not be loaded", error),
      );
      this.queue = this.openQueue().catch((error: unknown) => {
        // Not cached: the next write tries again (the directory may become writable).
        this.queue = undefined;
        throw error;
      });
    }
    return this.queue;
  }

  /**
   * Reads the credentials and the calling workspace's id (one tenant-storage round trip); throws ConfigError naming
   * the field. Every call passes here, so replayed writes waiting for their store's credentials are woken by the first
   * call that brings them.
   */
  async setup(credentials: RawCredentials, secrets: SecretRegistry, storage: WorkspaceStorage): Promise<MemorySetup> {
    const workspace = await this.workspaceOf(storage);
    const setup = this.parse(credentials, workspace, secrets);
    this.logger.level = setup.logLevel;
    let known = true;
    for (const store of this.storesServedBy(setup)) {
      known = this.storeCredentials.delete(store) && known;
      this.storeCredentials.set(store, { credentials, workspace });
    }
    while (this.storeCredentials.size > MAX_STORES)
      this.storeCredentials.delete(this.storeCredentials.keys().next().value!);
    if (!known)
      void this.queue?.then(
        (queue) => queue.wake(),
        () => undefined,
      );
    return setup;
  }

  /** The workspace id from tenant storage; undefined (stores keyed by the secrets, one WARNING) when unavailable. */
  private async workspaceOf(storage: WorkspaceStorage): Promise<string | undefined> {
    const marker = await readWorkspaceId(storage);
    if ("id" in marker) return marker.id;
    if (!this.warnedWithoutWorkspace) {
      this.warnedWithoutWorkspace = true;
      this.logger.warn(
        `the workspace could not be told from Dify's tenant storage (${marker.problem}): stores are keyed by the ` +
          "credentials' secrets instead, so rotating a secret starts a new store and workspaces with identical " +
          "credentials share one (see the README's 'Several Dify workspaces')",
      );
    }
    return undefined;
  }

  /** The store's key, and the former keys whose stores it owns (their journaled writes). */
  private storesServedBy(setup: MemorySetup): string[] {
    let served = this.formerClaims.get(setup.store);
    if (served === undefined) {
      served = this.claimFormer(setup);
      this.formerClaims.set(setup.store, served);
      if (this.formerClaims.size > MAX_STORES) this.formerClaims.delete(this.formerClaims.keys().next().value!);
    }
    return [setup.store, ...served];
  }

  private claimFormer(setup: MemorySetup): string[] {
    const existed = existsSync(setup.storeDirectory);
    try {
      const claim = claimFormerStores(setup);
      if (claim.adopted)
        this.logger.warn(
          `store ${claim.adopted}, written under an older key, is now store ${setup.store}: ` +
            "it belongs to the first workspace that used it (see the README's 'Several Dify workspaces')",
        );
      else if (!existed)
        this.logger.info(
          setup.workspace === undefined
            ? `new store ${setup.store}: no store holds these credentials' secrets yet`
            : `new store ${setup.store}: the first for these settings in this workspace`,
        );
      return claim.served;
    } catch (error) {
      this.logger.error(`an older store could not be moved to ${setup.store}`, error);
      return [];
    }
  }

  /**
   * The runtime masks whole credential values; the keys and passwords inside
   * these JSON credentials join its redactor here, before any work can print them.
   */
  private parse(credentials: RawCredentials, workspace: string | undefined, secrets?: SecretRegistry): MemorySetup {
    const key = JSON.stringify([credentials, workspace ?? null]);
    let setup = this.setups.get(key);
    if (!setup) {
      setup = readSetup(credentials, this.settings.dataDirectory, workspace);
      if (this.setups.size >= 32) this.setups.delete(this.setups.keys().next().value!);
      this.setups.set(key, setup);
    }
    if (secrets) for (const secret of setup.secrets) secrets.add(secret);
    return setup;
  }

  /** A read: in async mode bounded by `timeoutMs` and degraded to `fallback`; in sync mode it blocks. */
  async read<T>(
    setup: MemorySetup,
    what: string,
    options: { timeoutMs: number; fallback: T; signal?: AbortSignal },
    work: (memory: MemoryApi) => Promise<T>,
  ): Promise<ReadOutcome<T>> {
    const started = performance.now();
    const run = () =>
      this.cache
        .use(setup, work, { retryOnConnectionError: true })
        .finally(() => this.logger.debug(`${what} took ${Math.round(performance.now() - started)} ms`));
    if (!setup.asyncMode) {
      try {
        return { status: "SUCCESS", value: await run() };
      } catch (error) {
        return { status: "ERROR", value: options.fallback, problem: this.report(setup, `${what} failed`, error) };
      }
    }
    const outcome = await withDeadline(run, {
      milliseconds: options.timeoutMs,
      fallback: options.fallback,
      signal: options.signal,
    });
    if (outcome.status === "ok") return { status: "SUCCESS", value: outcome.value };
    if (outcome.status === "timeout") {
      const problem = `${what} timed out after ${options.timeoutMs / 1000} s`;
      this.logger.warn(`${problem}; returned the empty result instead`);
      return { status: "TIMEOUT", value: options.fallback, problem };
    }
    return { status: "ERROR", value: options.fallback, problem: this.report(setup, `${what} failed`, outcome.error) };
  }

  /** A write: in async mode journaled and accepted at once (or refused when the queue is full); in sync mode applied now. */
  async write(credentials: RawCredentials, setup: MemorySetup, operation: WriteOperation): Promise<WriteOutcome> {
    if (!setup.asyncMode) {
      try {
        return { status: "APPLIED", result: await this.cache.use(setup, (memory) => applyWrite(memory, operation)) };
      } catch (error) {
        return { status: "ERROR", problem: this.report(setup, `${describeWrite(operation)} failed`, error), error };
      }
    }
    try {
      const queue = await this.start();
      queue.setConcurrency(setup.concurrency);
      const ref = randomUUID();
      this.writeCredentials.set(ref, { credentials, workspace: setup.workspace });
      const submitted = await queue
        .submit({ store: setup.store, ref, operation, key: writeKey(setup.hash, operation) })
        .catch((error: unknown) => {
          this.writeCredentials.delete(ref);
          throw error;
        });
      if (submitted.status === "accepted") {
        this.logger.debug(`${describeWrite(operation)} accepted (journal id ${submitted.id})`);
        return { status: "ACCEPTED" };
      }
      this.writeCredentials.delete(ref);
      const problem =
        submitted.status === "overload"
          ? `the write queue is full (${submitted.pending} of ${submitted.limit} writes pending); try again later`
          : "the plugin is shutting down and accepts no more writes";
      this.logger.warn(`${describeWrite(operation)} refused: ${problem}`);
      return { status: "OVERLOAD", problem };
    } catch (error) {
      const what =
        (error as NodeJS.ErrnoException).code === "ENOSPC"
          ? `the write was not accepted: the disk holding ${this.settings.dataDirectory} is full; free space and try again`
          : "the write could not be journaled";
      return { status: "ERROR", problem: this.report(setup, what, error), error };
    }
  }

  /** Builds the client and makes one cheap round trip to the embedder and the vector store, under a deadline. */
  async validate(credentials: RawCredentials, secrets: SecretRegistry, storage: WorkspaceStorage): Promise<void> {
    let setup: MemorySetup;
    try {
      // parse, not setup: credentials being tried out must not become those replayed writes run with.
      setup = this.parse(credentials, await this.workspaceOf(storage), secrets);
      this.logger.level = setup.logLevel;
    } catch (error) {
      if (error instanceof ConfigError) throw new CredentialValidationError(error.message);
      throw error;
    }
    // The check opens the store: an older store must be adopted first, or the new empty directory would block that.
    this.storesServedBy(setup);
    const seconds = this.settings.validationTimeoutMs / 1000;
    const outcome = await withDeadline(
      () =>
        this.cache.use(setup, (memory) =>
          memory.search("credential check", { filters: { user_id: VALIDATION_USER }, topK: 1, threshold: 0 }),
        ),
      { milliseconds: this.settings.validationTimeoutMs, fallback: undefined },
    );
    if (outcome.status === "timeout") {
      throw new CredentialValidationError(
        setup.platform
          ? `hosted mode (mem0_api_key): the Mem0 Platform at ${setup.platform.host} did not answer within ${seconds} s; check mem0_host`
          : `self-hosted mode (local_*_json): the embedder or the vector store did not answer within ${seconds} s: check their URLs, hosts and ports`,
      );
    }
    if (outcome.status === "error") {
      throw new CredentialValidationError(
        setup.platform
          ? `hosted mode (mem0_api_key): ${mask(setup, explain(outcome.error))}`
          : `self-hosted mode (local_*_json): the embedder or the vector store failed: ${mask(setup, explain(outcome.error))}`,
      );
    }
  }

  /** A warning from outside the service (access log, forgetting); `cause` holds no secrets. */
  warn(message: string, cause?: unknown): void {
    this.logger.warn(cause === undefined ? message : `${message}: ${messageOf(cause)}`);
  }

  /** SIGTERM/SIGINT: stop accepting, apply queued writes until the deadline, keep the rest journaled. */
  async shutdown(): Promise<void> {
    if (this.queue) {
      const queue = await this.queue.catch(() => undefined);
      const result = await queue?.drain(this.settings.drainTimeoutMs);
      if (result && !result.drained)
        this.logger.warn(
          `${result.left} accepted write(s) did not finish before shutdown; they stay in the journal and run at the next start`,
        );
    }
    await this.cache.closeAll();
    closeAccessLogs();
  }

  private async openQueue(): Promise<WorkQueue<WriteJob>> {
    const queue = await WorkQueue.open<WriteJob>({
      concurrency: 8,
      maxPending: this.settings.maxPendingWrites,
      journalPath: join(this.settings.dataDirectory, "write-journal.jsonl"),
      keyOf: (job) => job.key,
      canRun: (job) => this.credentialsOf(job) !== undefined,
      run: (job) => this.apply(job),
      retry: { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000, classify: classifyWriteFailure },
      deadLetterPath: this.deadLetterPath,
      describeFailure: (error, job) => this.describeFailure(error, job),
      onOutcome: (outcome) => this.reportOutcome(outcome),
    });
    if (queue.replayed > 0) {
      this.logger.info(
        `replaying ${queue.replayed} accepted write(s) left in the journal by the previous process; the journal holds no credentials, ` +
          "so each runs at the first call that brings credentials for its store",
      );
    }
    if (queue.unreadableLines > 0)
      this.logger.warn(`${queue.unreadableLines} unreadable journal line(s) skipped (a write interrupted by a crash)`);
    return queue;
  }

  private credentialsOf(job: WriteJob): StoreUser | undefined {
    return this.writeCredentials.get(job.ref) ?? this.storeCredentials.get(job.store);
  }

  private async apply(job: WriteJob): Promise<void> {
    const user = this.credentialsOf(job)!;
    const setup = this.parse(user.credentials, user.workspace);
    const outcome = await withDeadline(() => this.cache.use(setup, (memory) => applyWrite(memory, job.operation)), {
      milliseconds: this.settings.writeTimeoutMs,
      fallback: undefined,
    });
    if (outcome.status !== "ok") throw outcome.error;
  }

  /** Failed writes that left the queue, one JSON line each: {failed_at, id, attempts, reason, job}; the job holds no credentials. */
  get deadLetterPath(): string {
    return join(this.settings.dataDirectory, "dead-letter.jsonl");
  }

  /** Why a write failed, with its store's secrets (and any URL userinfo) masked: it is written to the dead-letter file. */
  private describeFailure(error: unknown, job: WriteJob): string {
    const user = this.credentialsOf(job);
    const setup = user && this.safeParse(user);
    return setup ? mask(setup, explain(error)) : new Redactor().redact(explain(error));
  }

  private reportOutcome(outcome: JobOutcome<WriteJob>): void {
    const what = describeWrite(outcome.job.operation);
    if (outcome.status !== "done") {
      const cause = this.describeFailure(outcome.error, outcome.job);
      if (outcome.status === "kept") {
        this.logger.warn(
          `background ${what} failed ${outcome.attempts} time(s) (${cause}); it stays in the journal and is tried again in 30 s (writes to the same scope or memory wait for it)`,
        );
      } else if (outcome.deadLettered) {
        this.logger.error(
          `background ${what} failed for good after ${outcome.attempts} attempt(s): ${cause}; written to ${this.deadLetterPath} (journal id ${outcome.id}) to inspect and replay`,
        );
      } else {
        this.logger.error(
          `background ${what} failed for good after ${outcome.attempts} attempt(s): ${cause}; the dead-letter file could not be written, so it stays in the journal and runs again at the next start`,
        );
      }
    }
    this.writeCredentials.delete(outcome.job.ref);
  }

  private safeParse(user: StoreUser): MemorySetup | undefined {
    try {
      return this.parse(user.credentials, user.workspace);
    } catch {
      return undefined;
    }
  }

  /** Logs a failure with its cause and returns the message for the tool result; secrets masked in both. */
  private report(setup: MemorySetup, what: string, error: unknown): string {
    const problem = `${what}: ${mask(setup, explain(error))}`;
    this.logger.error(problem);
    return problem;
  }
}

function mask(setup: MemorySetup, text: string): string {
  const redactor = new Redactor();
  redactor.addCredentials(Object.fromEntries(setup.secrets.map((secret, index) => [String(index), secret])));
  return redactor.redact(text);
}

/**
 * One Memory per credential set, built on first use and shared by every call
 * with the same credentials. A Memory whose database connection failed is
 * dropped and rebuilt by the next call; the least recently used are closed
 * past a small capacity (credentials change rarely, but old sets must not pile up).
 */
import type { MemoryApi } from "./platform.js";
import type { MemorySetup } from "../config/setup.js";
import { isStoreConnectionError, messageOf } from "./errors.js";
import { MemoryHandle } from "./handle.js";
import type { Mem0Module } from "./loader.js";

export interface UseOptions {
  /** Reads: after a lost connection, rebuild the Memory and run the work once more. */
  retryOnConnectionError?: boolean;
}

export class MemoryCache {
  private readonly entries = new Map<string, Promise<MemoryHandle>>();
  private readonly keys = new Map<MemoryHandle, string>();
  private readonly users = new Map<MemoryHandle, number>();
  private readonly retired = new Set<MemoryHandle>();

  constructor(
    private readonly load: () => Promise<Mem0Module>,
    private readonly warn: (message: string) => void,
    private readonly capacity = 16,
  ) {}

  async use<T>(setup: MemorySetup, work: (memory: MemoryApi) => Promise<T>, options: UseOptions = {}): Promise<T> {
    const handle = await this.acquire(setup);
    try {
      return await work(handle.memory);
    } catch (error) {
      if (!isStoreConnectionError(error)) throw error;
      handle.markBroken(error instanceof Error ? error : undefined);
      if (!options.retryOnConnectionError) throw error;
    } finally {
      handle.watch();
      this.release(handle);
    }
    return this.use(setup, work, { retryOnConnectionError: false });
  }

  /** Closes every Memory (at shutdown). */
  async closeAll(): Promise<void> {
    const handles = await Promise.allSettled([...this.entries.values()]);
    this.entries.clear();
    await Promise.all(handles.map((settled) => (settled.status === "fulfilled" ? settled.value.close() : undefined)));
  }

  private async acquire(setup: MemorySetup): Promise<MemoryHandle> {
    for (;;) {
      let entry = this.entries.get(setup.hash);
      if (entry) {
        // Most recently used last: eviction takes from the front.
        this.entries.delete(setup.hash);
        this.entries.set(setup.hash, entry);
      } else {
        entry = this.build(setup);
        this.entries.set(setup.hash, entry);
        this.evict();
      }
      const handle = await entry;
      if (handle.broken) {
        if (this.entries.get(setup.hash) === entry) this.entries.delete(setup.hash);
        continue;
      }
      this.users.set(handle, (this.users.get(handle) ?? 0) + 1);
      return handle;
    }
  }

  private build(setup: MemorySetup): Promise<MemoryHandle> {
    const entry = this.load().then((mem0) =>
      MemoryHandle.build(mem0, setup, (handle, cause) => this.onBroken(handle, cause), this.warn),
    );
    entry.then(
      (handle) => this.keys.set(handle, setup.hash),
      () => {
        // A failed build is not cached: the next call tries again.
        if (this.entries.get(setup.hash) === entry) this.entries.delete(setup.hash);
      },
    );
    return entry;
  }

  private onBroken(handle: MemoryHandle, cause: Error | undefined): void {
    this.warn(
      `a database connection was lost (${cause ? messageOf(cause) : "closed by the server"}); the next call reconnects`,
    );
    const key = this.keys.get(handle);
    const entry = key === undefined ? undefined : this.entries.get(key);
    void entry?.then((current) => current === handle && this.entries.get(key!) === entry && this.entries.delete(key!));
    this.retire(handle);
  }

  private evict(): void {
    while (this.entries.size > this.capacity) {
      const [oldest, entry] = this.entries.entries().next().value as [string, Promise<MemoryHandle>];
      this.entries.delete(oldest);
      entry.then(
        (handle) => this.retire(handle),
        () => undefined,
      );
    }
  }

  /** Closes a handle once no call is using it. */
  private retire(handle: MemoryHandle): void {
    this.keys.delete(handle);
    if ((this.users.get(handle) ?? 0) === 0) void handle.close();
    else this.retired.add(handle);
  }

  private release(handle: MemoryHandle): void {
    const remaining = (this.users.get(handle) ?? 1) - 1;
    if (remaining > 0) {
      this.users.set(handle, remaining);
      return;
    }
    this.users.delete(handle);
    if (this.retired.delete(handle)) void handle.close();
  }
}

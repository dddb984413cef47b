/** Bounded parallelism for the tools that do many things at once (batch uploads, copy parts). */

/**
 * Runs task(0) .. task(count - 1), at most `limit` at a time, started in index
 * order. After a failure no further task starts; it rejects with the first
 * failure once the running ones have settled, so cleanup (aborting a multipart
 * copy) never races with a request still in flight.
 */
export async function forEachLimited(
  count: number,
  limit: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  if (failure) throw failure.error;
}

/** A counting semaphore: take() resolves with a release function once a slot is free. */
export class Slots {
  private readonly waiting: (() => void)[] = [];

  constructor(private free: number) {}

  async take(): Promise<() => void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    return () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    };
  }
}

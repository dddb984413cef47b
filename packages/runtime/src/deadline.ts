/**
 * "Run with a deadline, then degrade to a default": the Mem0 plugin's reads
 * wait a bounded time and return an empty result instead of failing the
 * workflow. The work itself is not cancelled (JavaScript cannot stop a
 * promise); the caller's signal, if any, is aborted so cooperative work stops.
 */
import pTimeout, { TimeoutError } from "p-timeout";

export type DeadlineOutcome<T> =
  | { status: "ok"; value: T }
  | { status: "timeout"; value: T; error: TimeoutError }
  | { status: "error"; value: T; error: unknown };

export async function withDeadline<T>(
  work: (signal: AbortSignal) => Promise<T>,
  options: { milliseconds: number; fallback: T; signal?: AbortSignal },
): Promise<DeadlineOutcome<T>> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const value = await pTimeout(work(controller.signal), {
      milliseconds: options.milliseconds,
      signal: options.signal,
    });
    return { status: "ok", value };
  } catch (error) {
    controller.abort(error);
    if (error instanceof TimeoutError) return { status: "timeout", value: options.fallback, error };
    return { status: "error", value: options.fallback, error };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
}

export { TimeoutError };

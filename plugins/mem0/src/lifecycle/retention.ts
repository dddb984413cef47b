/**
 * Whether a memory is kept, by an Ebbinghaus forgetting curve: retention
 * R = exp(-t / S), where t is the time since the memory was last recalled (or
 * written, if never) and the stability S grows with each recall,
 * S = stability_days x (1 + recalls). A memory goes when R falls below the
 * threshold, or, with a hard TTL, once it is older than the TTL whatever its
 * recalls. With the defaults (7 days, 0.1) a memory never recalled goes after
 * 16 days; one recalled 5 times, 97 days after its last recall.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionPolicy {
  /** S for a memory never recalled, in days. */
  stabilityDays: number;
  /** Memories whose retention is below this (0..1) go. */
  threshold: number;
  /** Memories created longer ago than this go, recalled or not. */
  ttlDays?: number;
}

export const DEFAULT_POLICY: RetentionPolicy = { stabilityDays: 7, threshold: 0.1 };

export interface MemoryLife {
  /** When the memory was written (ms since the epoch); undefined if the store did not say. */
  createdAt: number | undefined;
  recalls: number;
  /** The last recall, if any. */
  lastRecall: number | undefined;
}

export type Verdict = { keep: true; retention: number } | { keep: false; retention: number; reason: "decayed" | "ttl" };

export function judge(life: MemoryLife, policy: RetentionPolicy, now: number): Verdict {
  // A memory of unknown age counts as written now: it is never forgotten by guesswork.
  const created = life.createdAt ?? now;
  if (policy.ttlDays !== undefined && now - created > policy.ttlDays * DAY_MS)
    return { keep: false, retention: retentionOf(life, policy, now), reason: "ttl" };
  const retention = retentionOf(life, policy, now);
  return retention < policy.threshold ? { keep: false, retention, reason: "decayed" } : { keep: true, retention };
}

function retentionOf(life: MemoryLife, policy: RetentionPolicy, now: number): number {
  const since = Math.max(life.createdAt ?? now, life.lastRecall ?? 0);
  const elapsedDays = Math.max(0, now - since) / DAY_MS;
  const stability = policy.stabilityDays * (1 + life.recalls);
  return Math.exp(-elapsedDays / stability);
}

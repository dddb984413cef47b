/**
 * V8 frees network buffers lazily: streaming 1 GiB leaves up to ~100 MB of
 * dead 64 KiB chunks waiting for a collection on Node 24, which alone would
 * break the plugin's 150 MB budget. A minor collection every few MiB of
 * transferred data (about 1 ms each) keeps that backlog small. The collector
 * is reached through --expose-gc in a fresh context, the documented way to
 * get `gc` without a command-line flag; if that fails, nothing is collected early.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

type Collector = (options: { type: "minor" | "major" }) => void;

const COLLECT_EVERY_BYTES = 4 * 1024 * 1024;
let collector: Collector | null | undefined;
let sinceLast = 0;

/** Counts transferred bytes; every COLLECT_EVERY_BYTES it runs a minor collection. */
export function noteTransferred(bytes: number): void {
  sinceLast += bytes;
  if (sinceLast < COLLECT_EVERY_BYTES) return;
  sinceLast = 0;
  collector ??= loadCollector();
  collector?.({ type: "minor" });
}

function loadCollector(): Collector | null {
  try {
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("gc");
    return typeof gc === "function" ? (gc as Collector) : null;
  } catch {
    return null;
  }
}

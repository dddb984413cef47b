/**
 * One figure each: cold start, request throughput and latency, resident memory
 * (of the plugin process itself, from /proc: the SDK's Python process, our
 * Node process), a 30 MiB blob round trip. Every request is written the way
 * the daemon writes it and counts when its `end` arrives. The Go driver
 * (driver.ts) times everything latency-bound; the blob goes through the Node
 * harness, which checks it byte for byte.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { invoke, stopPlugin, type PluginProcess } from "../../conformance/harness/src/index.js";
import type { Contender } from "./contenders.js";
import { drive, type DriverLoad } from "./driver.js";

/** A "<name>: <n> kB" line of a /proc file (status, smaps_rollup), in bytes; NaN when absent. */
function kilobyteField(text: string, name: string): number {
  return Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? Number.NaN) * 1024;
}

/** VmRSS, VmHWM (peak) and RssAnon (private anonymous memory: heap, not the mapped binary) of a process, in bytes. */
export function memoryOf(pid: number): { rss: number; peak: number; anonymous: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return {
    rss: kilobyteField(status, "VmRSS"),
    peak: kilobyteField(status, "VmHWM"),
    anonymous: kilobyteField(status, "RssAnon"),
  };
}

/** Proportional and unique set sizes of a process (smaps_rollup), in bytes: PSS splits each shared page among its sharers, USS counts the pages only it maps. */
export function sharedMemoryOf(pid: number): { rss: number; pss: number; uss: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const field = (name: string) => kilobyteField(rollup, name);
  return { rss: field("Rss"), pss: field("Pss"), uss: field("Private_Clean") + field("Private_Dirty") };
}

export interface SideBySide {
  processes: number;
  /** Means over the processes, in bytes. */
  rss: number;
  pss: number;
  uss: number;
}

/**
 * `processes` idle copies of a plugin at once, as a daemon runs several
 * plugins: the interpreter's or Node's binary and libraries are mapped by all
 * of them (the same files), so what each adds is its PSS, not its RSS.
 */
export async function sideBySide(contender: Contender, processes: number, settleMs: number): Promise<SideBySide> {
  const plugins = Array.from({ length: processes }, () => contender.start());
  try {
    await Promise.all(plugins.map((plugin) => plugin.waitForHeartbeat(60_000)));
    await delay(settleMs);
    const readings = plugins.map((plugin) => sharedMemoryOf(plugin.child.pid!));
    const mean = (pick: (reading: (typeof readings)[number]) => number) =>
      readings.reduce((sum, reading) => sum + pick(reading), 0) / readings.length;
    return {
      processes,
      rss: mean((reading) => reading.rss),
      pss: mean((reading) => reading.pss),
      uss: mean((reading) => reading.uss),
    };
  } finally {
    await Promise.all(plugins.map(stopPlugin));
  }
}

/** CPU time (user + system) a process has used, in seconds; /proc counts in USER_HZ ticks, 100 per second on Linux. */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function started(contender: Contender): Promise<PluginProcess> {
  const plugin = contender.start();
  await plugin.waitForHeartbeat(60_000);
  return plugin;
}

/**
 * Times from spawn to the first heartbeat (read by the Go driver) over `runs`
 * fresh processes per contender, the contenders taking turns so that other
 * load on the machine falls on all of them alike.
 */
export async function coldStarts(contenders: readonly Contender[], runs: number): Promise<number[][]> {
  const times: number[][] = contenders.map(() => []);
  for (let run = 0; run < runs; run++) {
    for (const [index, contender] of contenders.entries())
      times[index]!.push((await drive(contender.spec)).coldStartMs);
  }
  return times;
}

export type Load = DriverLoad;

/** The median RSS sample taken between `from` and `to` completed requests: one sample catches a GC's phase, many do not. */
export function rssBetween(samples: Load["rssSamples"], from: number, to: number): number {
  return median(
    samples.filter((sample) => sample.completed >= from && sample.completed <= to).map((sample) => sample.rss),
  );
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const median = (values: readonly number[]) => percentile(values, 50);

export interface BlobRun {
  milliseconds: number;
  pluginCpuSeconds: number;
  /** VmHWM of the plugin process after the blob: its peak resident memory. */
  peakRss: number;
  idleRss: number;
}

/** A fresh process returns a `bytes`-byte blob; the figure is the time to its `end`, checked byte for byte. */
export async function blobRoundTrip(
  contender: Contender,
  bytes: number,
  expectedSha256: string,
  settleMs: number,
): Promise<BlobRun> {
  const plugin = await started(contender);
  try {
    await delay(settleMs);
    const idleRss = memoryOf(plugin.child.pid!).rss;
    const id = "blob";
    const cpuBefore = cpuSecondsOf(plugin.child.pid!);
    const begin = performance.now();
    const done = plugin.expectSession(id);
    plugin.writeLine(JSON.stringify(invoke(id, "blob", { bytes })));
    const result = await done;
    const milliseconds = performance.now() - begin;
    const pluginCpuSeconds = cpuSecondsOf(plugin.child.pid!) - cpuBefore;
    const peakRss = memoryOf(plugin.child.pid!).peak;
    const hash = createHash("sha256");
    let received = 0;
    for (const message of result.stream) {
      const chunk = message.message as { blob: string; end: boolean };
      const data = Buffer.from(chunk.blob, "base64");
      received += data.length;
      hash.update(data);
    }
    if (result.error || received !== bytes || hash.digest("hex") !== expectedSha256) {
      throw new Error(
        `the ${bytes}-byte blob came back wrong: ${received} bytes, error ${JSON.stringify(result.error)}`,
      );
    }
    return { milliseconds, pluginCpuSeconds, peakRss, idleRss };
  } finally {
    await stopPlugin(plugin);
  }
}

export interface HeapRun {
  idle?: { rss: number; anonymous: number };
  warm?: number;
  final?: number;
  perSecond?: number;
  /** Why the load did not complete (the plugin died, e.g. out of heap). */
  failure?: string;
}

/** RSS of a fresh process idle, warm (from `warmAfter` to twice that) and over the last tenth of `concurrent` invocations. */
export async function memoryUnderLoad(
  contender: Contender,
  {
    concurrent,
    concurrency,
    warmAfter,
    settleMs,
  }: { concurrent: number; concurrency: number; warmAfter: number; settleMs: number },
): Promise<HeapRun> {
  try {
    const run = await drive(contender.spec, {
      concurrent,
      concurrency,
      rssEvery: rssSampleInterval(concurrent),
      settleMs,
    });
    return { idle: run.idle, ...steadyRss(run.concurrent!, warmAfter), perSecond: run.concurrent!.perSecond };
  } catch (error) {
    // The driver names what happened first (the plugin died, e.g. out of heap); the stderr tail follows.
    return { failure: (error as Error).message.split(";")[0] };
  }
}

/** About 100 RSS samples over a run. */
export const rssSampleInterval = (count: number) => Math.max(1, Math.floor(count / 100));

/** Warm RSS (samples from `warmAfter` to twice that) and final RSS (samples over the last tenth of the run). */
export function steadyRss(run: Load, warmAfter: number): { warm: number; final: number } {
  return {
    warm: rssBetween(run.rssSamples, warmAfter, 2 * warmAfter),
    final: rssBetween(run.rssSamples, Math.floor(run.requests * 0.9), run.requests),
  };
}

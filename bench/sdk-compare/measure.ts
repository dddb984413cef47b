/**
 * One figure each: cold start, request throughput and latency, resident memory
 * (of the plugin process itself, from /proc: the SDK's Python process, our
 * Node process), a 30 MiB blob round trip. Every request is written the way
 * the daemon writes it and counts when its `end` arrives.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { invoke, stopPlugin, type PluginProcess } from "../../conformance/harness/src/index.js";
import type { Contender } from "./contenders.js";

/** VmRSS, VmHWM (peak) and RssAnon (private anonymous memory: heap, not the mapped binary) of a process, in bytes. */
export function memoryOf(pid: number): { rss: number; peak: number; anonymous: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: field("VmRSS"), peak: field("VmHWM"), anonymous: field("RssAnon") };
}

/** CPU time (user + system) a process has used, in seconds; /proc counts in USER_HZ ticks, 100 per second on Linux. */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function started(contender: Contender): Promise<{ plugin: PluginProcess; milliseconds: number }> {
  const begin = performance.now();
  const plugin = contender.start();
  await plugin.waitForHeartbeat(60_000);
  return { plugin, milliseconds: performance.now() - begin };
}

/**
 * Times from spawn to the first heartbeat over `runs` fresh processes per
 * contender, the contenders taking turns so that other load on the machine
 * falls on all of them alike.
 */
export async function coldStarts(contenders: readonly Contender[], runs: number): Promise<number[][]> {
  const times: number[][] = contenders.map(() => []);
  for (let run = 0; run < runs; run++) {
    for (const [index, contender] of contenders.entries()) {
      const { plugin, milliseconds } = await started(contender);
      times[index]!.push(milliseconds);
      await stopPlugin(plugin);
    }
  }
  return times;
}

export interface Load {
  requests: number;
  seconds: number;
  perSecond: number;
  /** CPU the plugin process used meanwhile: its cost apart from the driver's. */
  pluginCpuSeconds: number;
  latencies: number[];
  /** RSS of the plugin sampled every `rssEvery` completed requests. */
  rssSamples: { completed: number; rss: number }[];
}

/** The median RSS sample taken between `from` and `to` completed requests: one sample catches a GC's phase, many do not. */
export function rssBetween(samples: Load["rssSamples"], from: number, to: number): number {
  return median(samples.filter((sample) => sample.completed >= from && sample.completed <= to).map((sample) => sample.rss));
}

let sequence = 0;

/** `count` trivial (echo) invocations with `concurrency` in flight. */
export async function load(plugin: PluginProcess, count: number, concurrency: number, rssEvery = 0): Promise<Load> {
  const latencies: number[] = new Array(count);
  const rssSamples: Load["rssSamples"] = [];
  let issued = 0;
  let completed = 0;
  const cpuBefore = cpuSecondsOf(plugin.child.pid!);
  const begin = performance.now();
  const exited = plugin.exited.then(({ code, signal }) => {
    throw new Error(`the plugin exited (${code ?? signal}) after ${completed} of ${count} requests; stderr: ${plugin.stderr.slice(-1000)}`);
  });
  exited.catch(() => {});
  const worker = async () => {
    while (issued < count) {
      const index = issued++;
      const id = `bench-${sequence++}`;
      const sent = performance.now();
      const done = plugin.expectSession(id);
      plugin.writeLine(JSON.stringify(invoke(id, "echo", { text: "ping" })));
      const result = await Promise.race([done, exited]);
      if (result.error || result.stream.length !== 1) throw new Error(`request ${id} failed: ${JSON.stringify(result.error ?? result.stream)}`);
      latencies[index] = performance.now() - sent;
      completed++;
      if (rssEvery > 0 && completed % rssEvery === 0) rssSamples.push({ completed, rss: memoryOf(plugin.child.pid!).rss });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - begin) / 1000;
  return { requests: count, seconds, perSecond: count / seconds, pluginCpuSeconds: cpuSecondsOf(plugin.child.pid!) - cpuBefore, latencies, rssSamples };
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
export async function blobRoundTrip(contender: Contender, bytes: number, expectedSha256: string, settleMs: number): Promise<BlobRun> {
  const { plugin } = await started(contender);
  try {
    await delay(settleMs);
    const idleRss = memoryOf(plugin.child.pid!).rss;
    const id = `blob-${sequence++}`;
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
      throw new Error(`the ${bytes}-byte blob came back wrong: ${received} bytes, error ${JSON.stringify(result.error)}`);
    }
    return { milliseconds, pluginCpuSeconds, peakRss, idleRss };
  } finally {
    await stopPlugin(plugin);
  }
}

export interface HeapRun {
  idle: { rss: number; anonymous: number };
  warm?: number;
  final?: number;
  perSecond?: number;
  /** Why the load did not complete (the plugin died, e.g. out of heap). */
  failure?: string;
}

/** RSS of a fresh process idle, warm (from `warmAfter` to twice that) and over the last tenth of `concurrent` invocations. */
export async function memoryUnderLoad(
  contender: Contender,
  { concurrent, concurrency, warmAfter, settleMs }: { concurrent: number; concurrency: number; warmAfter: number; settleMs: number },
): Promise<HeapRun> {
  const { plugin } = await started(contender);
  try {
    await delay(settleMs);
    const idle = memoryOf(plugin.child.pid!);
    try {
      const run = await load(plugin, concurrent, concurrency, rssSampleInterval(concurrent));
      return { idle, ...steadyRss(run, warmAfter), perSecond: run.perSecond };
    } catch (error) {
      return { idle, failure: (error as Error).message.split(";")[0] };
    }
  } finally {
    await stopPlugin(plugin);
  }
}

/** About 100 RSS samples over a run. */
export const rssSampleInterval = (count: number) => Math.max(1, Math.floor(count / 100));

/** Warm RSS (samples from `warmAfter` to twice that) and final RSS (samples over the last tenth of the run). */
export function steadyRss(run: Load, warmAfter: number): { warm: number; final: number } {
  return { warm: rssBetween(run.rssSamples, warmAfter, 2 * warmAfter), final: rssBetween(run.rssSamples, Math.floor(run.requests * 0.9), run.requests) };
}

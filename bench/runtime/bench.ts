/**
 * Runtime benchmark: the fixture plugin bundled with esbuild (as shipped),
 * on this machine's Node and on the wheel's Node 24, against the Python SDK
 * (dify_plugin) reference plugin as the baseline measured in the same run.
 *
 *   node --import tsx bench/runtime/bench.ts            full run (prints a markdown table)
 *   node --import tsx bench/runtime/bench.ts --quick    a tiny run to see that it works
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleEntry } from "../../packages/cli/src/bundle.js";
import { difySdkPython, repositoryRoot, wheelNode } from "../../packages/test-support/src/environment.js";
import { PluginProcess } from "../../packages/host/src/index.js";
import type { JsonObject } from "../../packages/protocol/src/index.js";
import { SDK_VERSION } from "../../conformance/harness/src/paths.js";

export interface BenchmarkOptions {
  /** Cold starts measured per target (the median is reported). */
  spawns: number;
  /** Invocations one after another (concurrency 1). */
  sequential: number;
  /** Invocations with 64 in flight. */
  concurrent: number;
  /** Invocations before the second RSS reading. */
  memoryInvocations: number;
  /** Where the bundle is written. */
  workDir: string;
  /** Progress lines go here (stderr by default). */
  progress?: (line: string) => void;
}

export const FULL: Omit<BenchmarkOptions, "workDir"> = {
  spawns: 11,
  sequential: 3000,
  concurrent: 20_000,
  memoryInvocations: 100_000,
};
export const QUICK: Omit<BenchmarkOptions, "workDir"> = {
  spawns: 2,
  sequential: 30,
  concurrent: 200,
  memoryInvocations: 300,
};

interface Target {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  request: JsonObject;
  baseline?: boolean;
}

export interface TargetResult {
  name: string;
  baseline: boolean;
  coldStartMs: number;
  sequentialPerSecond: number;
  sequentialP50Ms: number;
  sequentialP99Ms: number;
  concurrentPerSecond: number;
  concurrentP50Ms: number;
  concurrentP99Ms: number;
  idleRssMb: number;
  afterRssMb: number;
  afterInvocations: number;
}

export interface BenchmarkResult {
  targets: TargetResult[];
  skipped: string[];
}

const fixtureDir = join(repositoryRoot, "packages/runtime/src/__fixtures__");
const pythonReferenceDir = join(repositoryRoot, "conformance/python/reference");
const echo = (provider: string): JsonObject => ({
  type: "tool",
  action: "invoke_tool",
  provider,
  tool: "echo",
  credentials: { api_key: "bench-key" },
  tool_parameters: { text: "ping" },
  user_id: "bench",
});

export async function runBenchmark(options: BenchmarkOptions): Promise<BenchmarkResult> {
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  mkdirSync(options.workDir, { recursive: true });
  const bundle = join(options.workDir, "fixture-plugin.mjs");
  await bundleEntry(join(fixtureDir, "main.ts"), bundle, { dir: fixtureDir, alias: {} });

  const targets: Target[] = [
    {
      name: `ours, Node ${process.versions.node} (bundle)`,
      command: process.execPath,
      args: [bundle],
      cwd: fixtureDir,
      request: echo("fixture"),
    },
  ];
  const skipped: string[] = [];
  const node24 = wheelNode();
  if (node24.path)
    targets.push({
      name: "ours, Node 24.19.0 from the wheel (bundle)",
      command: node24.path,
      args: [bundle],
      cwd: fixtureDir,
      request: echo("fixture"),
    });
  else skipped.push(`the wheel's Node 24: ${node24.reason}`);
  const python = difySdkPython();
  if (python.path)
    targets.push({
      name: `Python SDK ${SDK_VERSION.replace("==", " ")} (baseline)`,
      command: python.path,
      args: ["-m", "main"],
      cwd: pythonReferenceDir,
      request: echo("conformance"),
      baseline: true,
    });
  else skipped.push(`the Python SDK baseline: ${python.reason}`);

  const results: TargetResult[] = [];
  for (const target of targets) {
    progress(`${target.name}: cold start x${options.spawns}`);
    const starts: number[] = [];
    for (let i = 0; i < options.spawns; i++) starts.push(await coldStart(target));
    const plugin = spawn(target);
    try {
      await plugin.waitForHeartbeat(120_000);
      await settle(1000);
      const idleRssMb = rssMb(plugin);
      progress(`${target.name}: ${options.sequential} sequential invocations`);
      const sequential = await invokeMany(plugin, target.request, options.sequential, 1);
      progress(`${target.name}: ${options.concurrent} invocations at concurrency 64`);
      const concurrent = await invokeMany(plugin, target.request, options.concurrent, 64);
      const remaining = Math.max(0, options.memoryInvocations - options.sequential - options.concurrent);
      progress(`${target.name}: ${remaining} more invocations before the RSS reading`);
      await invokeMany(plugin, target.request, remaining, 64);
      await settle(1000);
      results.push({
        name: target.name,
        baseline: Boolean(target.baseline),
        coldStartMs: median(starts),
        sequentialPerSecond: sequential.perSecond,
        sequentialP50Ms: sequential.p50,
        sequentialP99Ms: sequential.p99,
        concurrentPerSecond: concurrent.perSecond,
        concurrentP50Ms: concurrent.p50,
        concurrentP99Ms: concurrent.p99,
        idleRssMb,
        afterRssMb: rssMb(plugin),
        afterInvocations: options.sequential + options.concurrent + remaining,
      });
    } finally {
      plugin.kill();
      await plugin.exited;
    }
  }
  return { targets: results, skipped };
}

function spawn(target: Target): PluginProcess {
  return PluginProcess.spawn({ command: target.command, args: target.args, cwd: target.cwd, recordEvents: false });
}

async function coldStart(target: Target): Promise<number> {
  const started = performance.now();
  const plugin = spawn(target);
  try {
    await plugin.waitForHeartbeat(120_000);
    return performance.now() - started;
  } finally {
    plugin.kill();
    await plugin.exited;
  }
}

/** `total` invocations with `concurrency` in flight; each must end without an error. */
async function invokeMany(plugin: PluginProcess, request: JsonObject, total: number, concurrency: number) {
  const latencies: number[] = [];
  let issued = 0;
  const started = performance.now();
  const worker = async () => {
    while (issued < total) {
      issued++;
      const begun = performance.now();
      const result = await plugin.request(request);
      latencies.push(performance.now() - begun);
      if (result.error || result.stream.length !== 1)
        throw new Error(`benchmark invocation failed: ${JSON.stringify(result.error ?? result.stream)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(total, 1)) }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: total / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

function rssMb(plugin: PluginProcess): number {
  const status = readFileSync(`/proc/${plugin.child.pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

/** A markdown table: one column per target, and each of ours as a ratio to the baseline. */
export function formatTable(result: BenchmarkResult): string {
  const { targets } = result;
  const baseline = targets.find((target) => target.baseline);
  const ours = targets.filter((target) => !target.baseline);
  const rows: [string, (target: TargetResult) => number, number][] = [
    ["cold start to first heartbeat, ms (median)", (t) => t.coldStartMs, 0],
    ["invocations/s, concurrency 1", (t) => t.sequentialPerSecond, 0],
    ["latency p50, ms, concurrency 1", (t) => t.sequentialP50Ms, 2],
    ["latency p99, ms, concurrency 1", (t) => t.sequentialP99Ms, 2],
    ["invocations/s, concurrency 64", (t) => t.concurrentPerSecond, 0],
    ["latency p50, ms, concurrency 64", (t) => t.concurrentP50Ms, 2],
    ["latency p99, ms, concurrency 64", (t) => t.concurrentP99Ms, 2],
    ["RSS idle, MB", (t) => t.idleRssMb, 1],
    [`RSS after ${targets[0]?.afterInvocations.toLocaleString("en-US")} invocations, MB`, (t) => t.afterRssMb, 1],
  ];
  const header = [
    "metric",
    ...targets.map((t) => t.name),
    ...(baseline ? ours.map((t) => `${t.name} ÷ baseline`) : []),
  ];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const [label, value, digits] of rows) {
    const cells = targets.map((target) => value(target).toFixed(digits));
    const ratios = baseline ? ours.map((target) => `${(value(target) / value(baseline)).toFixed(2)}×`) : [];
    lines.push(`| ${[label, ...cells, ...ratios].join(" | ")} |`);
  }
  for (const reason of result.skipped) lines.push("", `Not measured: ${reason}`);
  return lines.join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes("--quick");
  const result = await runBenchmark({
    ...(quick ? QUICK : FULL),
    workDir: join(repositoryRoot, ".cache/bench-runtime"),
  });
  process.stdout.write(`${formatTable(result)}\n`);
}

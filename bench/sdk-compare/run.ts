/**
 * bench/sdk-compare: drives the Python SDK's reference plugin and ours in one
 * run, one after the other on the same machine, and prints a table with each
 * figure and the ratio.
 *
 *   node --conditions=source --import tsx bench/sdk-compare/run.ts [--write]
 *
 * --write also writes bench/sdk-compare/RESULTS.md. The test beside this file
 * runs the same harness with tiny counts (SMOKE) to check it works.
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  hostileInput,
  runHostileInput,
  stopPlugin,
  type RobustnessOutcome,
} from "../../conformance/harness/src/index.js";
import { patternBytes } from "../../conformance/reference/src/tools/blob.js";
import { prepareContenders, roundTripFloor, type Contender, type Contenders } from "./contenders.js";
import { drive } from "./driver.js";
import {
  blobRoundTrip,
  coldStarts,
  median,
  memoryUnderLoad,
  percentile,
  rssSampleInterval,
  sideBySide,
  steadyRss,
  type BlobRun,
  type Load,
  type SideBySide,
} from "./measure.js";
import { loadAverage, machine, mib, ms, perSecond, renderTable, times, type Row } from "./report.js";

export interface Profile {
  coldStartRuns: number;
  sequential: number;
  concurrent: number;
  concurrency: number;
  /** RSS is sampled after this many of the concurrent requests (warm) and at the end. */
  warmAfter: number;
  blobBytes: number;
  blobRuns: number;
  hostileLines: number;
  oversized: { over5MiB: number; over20MiB: number };
  /** How long a fresh process sits idle before its idle RSS is read. */
  settleMs: number;
  /** Invocations before the timed ones (not counted), so a JIT has compiled the hot path. */
  warmup: number;
  /** Fresh processes per contender for the concurrency-1 figure, the contenders taking turns; the median round counts. */
  sequentialRounds: number;
  /** Idle processes of one plugin running at once for the PSS/USS figures. */
  sideBySide: number;
}

export const FULL: Profile = {
  coldStartRuns: 9,
  sequential: 10_000,
  concurrent: 100_000,
  concurrency: 64,
  warmAfter: 10_000,
  blobBytes: 30 * 1024 * 1024,
  blobRuns: 3,
  hostileLines: 10_000,
  oversized: { over5MiB: 3, over20MiB: 2 },
  settleMs: 1000,
  warmup: 2000,
  sequentialRounds: 3,
  sideBySide: 3,
};

export const SMOKE: Profile = {
  coldStartRuns: 1,
  sequential: 20,
  concurrent: 200,
  concurrency: 64,
  warmAfter: 100,
  blobBytes: 100 * 1024,
  blobRuns: 1,
  hostileLines: 200,
  oversized: { over5MiB: 1, over20MiB: 0 },
  settleMs: 50,
  warmup: 10,
  sequentialRounds: 1,
  sideBySide: 2,
};

export interface Figures {
  coldStart: number[];
  idleRss: number;
  idleAnonymous: number;
  sideBySide: SideBySide;
  sequential: Load;
  concurrent: Load;
  warmRss: number;
  finalRss: number;
  blob: BlobRun[];
  robustness: RobustnessOutcome;
}

/**
 * Every figure of every contender. Cold starts and the concurrency-1 rounds
 * take turns, so that other load on the machine (it comes and goes on a shared
 * host) falls on all contenders alike; the rest runs one contender after the
 * other. `sequential` passes rounds already measured (with the floor's).
 */
export async function measureAll(
  contenders: readonly Contender[],
  profile: Profile,
  log: (line: string) => void = () => {},
  sequential?: readonly Load[],
): Promise<Figures[]> {
  log(
    `cold start x${profile.coldStartRuns}, ${contenders.map((contender) => contender.name).join(" and ")} taking turns`,
  );
  const cold = await coldStarts(contenders, profile.coldStartRuns);
  const rounds = sequential ?? (await sequentialRounds(contenders, profile, log));
  const figures: Figures[] = [];
  for (const [index, contender] of contenders.entries())
    figures.push(await measure(contender, profile, cold[index]!, rounds[index]!, log));
  return figures;
}

/** The concurrency-1 figure of each contender: the median of `sequentialRounds` fresh processes, taking turns. */
export async function sequentialRounds(
  contenders: readonly Contender[],
  profile: Profile,
  log: (line: string) => void = () => {},
): Promise<Load[]> {
  const rounds: Load[][] = contenders.map(() => []);
  for (let round = 0; round < profile.sequentialRounds; round++) {
    log(
      `concurrency 1, round ${round + 1} of ${profile.sequentialRounds}: ${profile.sequential} requests each to ${contenders.map((contender) => contender.name).join(", ")}`,
    );
    for (const [index, contender] of contenders.entries()) {
      const run = await drive(contender.spec, {
        sequential: profile.sequential,
        warmup: profile.warmup,
        settleMs: profile.settleMs,
      });
      rounds[index]!.push(run.sequential!);
    }
  }
  return rounds.map(
    (loads) => [...loads].sort((a, b) => a.perSecond - b.perSecond)[Math.floor((loads.length - 1) / 2)]!,
  );
}

async function measure(
  contender: Contender,
  profile: Profile,
  cold: number[],
  sequential: Load,
  log: (line: string) => void,
): Promise<Figures> {
  log(`${contender.name}: ${profile.concurrent} requests at concurrency ${profile.concurrency}`);
  const run = await drive(contender.spec, {
    concurrent: profile.concurrent,
    concurrency: profile.concurrency,
    rssEvery: rssSampleInterval(profile.concurrent),
    settleMs: profile.settleMs,
    warmup: profile.warmup,
  });
  const concurrent = run.concurrent!;
  const { warm: warmRss, final: finalRss } = steadyRss(concurrent, profile.warmAfter);
  const blobSha = createHash("sha256").update(patternBytes(profile.blobBytes)).digest("hex");
  const blob: BlobRun[] = [];
  for (let index = 0; index < profile.blobRuns; index++) {
    log(`${contender.name}: ${profile.blobBytes}-byte blob, run ${index + 1}`);
    blob.push(await blobRoundTrip(contender, profile.blobBytes, blobSha, profile.settleMs));
  }
  log(`${contender.name}: ${profile.sideBySide} idle processes side by side`);
  const together = await sideBySide(contender, profile.sideBySide, profile.settleMs);
  log(`${contender.name}: robustness, ${profile.hostileLines} hostile lines`);
  const hostile = contender.start(true);
  let robustness: RobustnessOutcome;
  try {
    robustness = await runHostileInput(
      hostile,
      hostileInput({ count: profile.hostileLines, oversized: profile.oversized }),
    );
  } finally {
    await stopPlugin(hostile);
  }
  return {
    coldStart: cold,
    idleRss: run.idle.rss,
    idleAnonymous: run.idle.anonymous,
    sideBySide: together,
    sequential,
    concurrent,
    warmRss,
    finalRss,
    blob,
    robustness,
  };
}

const range = (from: number, to: number) => `${from.toLocaleString("en-US")}–${to.toLocaleString("en-US")}`;

const robustnessSummary = (outcome: RobustnessOutcome) =>
  `${outcome.answeredCorrectly}/${outcome.validRequests} answered, ${outcome.crashed ? `CRASHED (${outcome.exit})` : "no crash"}, ` +
  `${outcome.strayLines} stray stdout lines, ${outcome.errorEvents} top-level error events, ${outcome.logEvents} log events, ` +
  `${outcome.otherSessionsAnswered} hostile lines answered as sessions, ${(outcome.stderrBytes / 1024).toFixed(0)} KiB stderr, ${outcome.seconds.toFixed(1)} s`;

export function rows(python: Figures | undefined, ours: Figures, profile: Profile): Row[] {
  const p = python;
  // A figure of 0 (CPU time below /proc's 10 ms tick in a short run) has no meaningful ratio.
  const ratioRow = (
    measure: string,
    better: number | undefined,
    worse: number | undefined,
    python: number | undefined,
    value: number,
    format: (v: number) => string,
    target?: { factor: number; text: string },
  ): Row => {
    const ratio = better && worse ? worse / better : undefined;
    return {
      measure,
      python: python === undefined ? undefined : format(python),
      ours: format(value),
      ratio: ratio === undefined ? undefined : times(better!, worse!),
      target: target?.text,
      met: target && ratio !== undefined ? ratio >= target.factor : undefined,
    };
  };
  const lower = (
    measure: string,
    get: (f: Figures) => number,
    format: (v: number) => string,
    target?: { factor: number; text: string },
  ): Row => ratioRow(measure, get(ours), p && get(p), p && get(p), get(ours), format, target);
  const higher = (
    measure: string,
    get: (f: Figures) => number,
    format: (v: number) => string,
    target?: { factor: number; text: string },
  ): Row => ratioRow(measure, p && get(p), get(ours), p && get(p), get(ours), format, target);
  const idleFraction = p ? ours.idleRss / p.idleRss : undefined;
  const fraction = (measure: string, get: (f: Figures) => number): Row => ({
    measure,
    python: p && mib(get(p)),
    ours: mib(get(ours)),
    ratio: p && (get(ours) / get(p)).toFixed(2),
  });
  const growth = (f: Figures) => f.finalRss - f.warmRss;
  const c = profile.concurrency;
  return [
    lower(`Cold start to first heartbeat (median of ${profile.coldStartRuns})`, (f) => median(f.coldStart), ms, {
      factor: 5,
      text: "≥ 5× faster",
    }),
    higher(
      `Trivial invocations, concurrency 1 (${profile.sequential.toLocaleString("en-US")})`,
      (f) => f.sequential.perSecond,
      perSecond,
      { factor: 10, text: "≥ 10×" },
    ),
    higher(
      `Trivial invocations, concurrency ${c} (${profile.concurrent.toLocaleString("en-US")})`,
      (f) => f.concurrent.perSecond,
      perSecond,
      { factor: 10, text: "≥ 10×" },
    ),
    lower(
      `Plugin CPU per invocation, concurrency ${c}`,
      (f) => (f.concurrent.pluginCpuSeconds / f.concurrent.requests) * 1e6,
      (v) => `${v.toFixed(0)} µs`,
    ),
    lower("Latency p50, concurrency 1", (f) => percentile(f.sequential.latencies, 50), ms),
    lower("Latency p99, concurrency 1", (f) => percentile(f.sequential.latencies, 99), ms),
    lower(`Latency p50, concurrency ${c}`, (f) => percentile(f.concurrent.latencies, 50), ms),
    lower(`Latency p99, concurrency ${c}`, (f) => percentile(f.concurrent.latencies, 99), ms),
    {
      measure: "RSS idle (after start-up, before any request)",
      python: p && mib(p.idleRss),
      ours: mib(ours.idleRss),
      ratio: idleFraction === undefined ? undefined : `${idleFraction.toFixed(2)} (1/${(1 / idleFraction).toFixed(1)})`,
      target: "≤ 1/3 of the SDK's",
      met: idleFraction === undefined ? undefined : idleFraction <= 1 / 3,
    },
    {
      measure: "Private anonymous memory idle (RssAnon: heap, without the mapped binary)",
      python: p && mib(p.idleAnonymous),
      ours: mib(ours.idleAnonymous),
      ratio: p && `${(ours.idleAnonymous / p.idleAnonymous).toFixed(2)}`,
    },
    fraction(
      `Idle PSS per process, ${profile.sideBySide} running side by side (shared binary and library pages split among them)`,
      (f) => f.sideBySide.pss,
    ),
    fraction(
      `Idle USS per process, ${profile.sideBySide} running side by side (pages no other process maps)`,
      (f) => f.sideBySide.uss,
    ),
    {
      measure: `RSS warm: concurrent invocations ${range(profile.warmAfter, 2 * profile.warmAfter)} (median of samples)`,
      python: p && mib(p.warmRss),
      ours: mib(ours.warmRss),
    },
    {
      measure: `RSS at the end: concurrent invocations ${range(Math.floor(profile.concurrent * 0.9), profile.concurrent)} (median of samples)`,
      python: p && mib(p.finalRss),
      ours: mib(ours.finalRss),
    },
    {
      measure: `RSS growth from warm to the end (over ~${(profile.concurrent - 2 * profile.warmAfter).toLocaleString("en-US")} invocations)`,
      python: p && mib(growth(p)),
      ours: mib(growth(ours)),
      target: "ours: none (≤ 5 MiB)",
      met: growth(ours) <= 5 * 1024 * 1024,
    },
    lower(
      `Blob of ${mib(profile.blobBytes)} round trip (median of ${profile.blobRuns})`,
      (f) => median(f.blob.map((run) => run.milliseconds)),
      ms,
    ),
    lower("Plugin CPU for the blob (median)", (f) => median(f.blob.map((run) => run.pluginCpuSeconds * 1000)), ms),
    lower(
      `Peak RSS of the plugin during the blob (max of ${profile.blobRuns})`,
      (f) => Math.max(...f.blob.map((run) => run.peakRss)),
      mib,
    ),
    {
      measure: `Robustness: ${profile.hostileLines.toLocaleString("en-US")} hostile lines + valid requests`,
      python: p && robustnessSummary(p.robustness),
      ours: robustnessSummary(ours.robustness),
      target: "ours: no crash, every valid request answered",
      met: !ours.robustness.crashed && ours.robustness.answeredCorrectly === ours.robustness.validRequests,
    },
  ];
}

/**
 * Where our RSS growth comes from: the same load on the same bundle with other
 * V8 heap settings. A heap capped far below the growth, surviving the load
 * without running out, shows the growth is V8 sizing its heap, not a leak.
 */
export async function heapSettingsTable(
  contenders: Contenders,
  profile: Profile,
  log: (line: string) => void = () => {},
): Promise<string> {
  const settings = [
    {
      name: `as shipped (app/launch.json: ${contenders.shippedNodeOptions.join(" ") || "no flags"})`,
      flags: contenders.shippedNodeOptions,
    },
    {
      name: "V8's default young generation (shipped flags without --max-semi-space-size)",
      flags: contenders.shippedNodeOptions.filter((flag) => !flag.startsWith("--max-semi-space-size")),
    },
    {
      name: "leak check: old space capped at 32 MiB (--max-old-space-size=32): a leak would run out of heap",
      flags: ["--max-old-space-size=32"],
    },
  ];
  const lines = [
    `| Our Node flags (${profile.concurrent.toLocaleString("en-US")} invocations, concurrency ${profile.concurrency}) | RSS idle | RSS warm (${range(profile.warmAfter, 2 * profile.warmAfter)}) | RSS at the end (last tenth) | Growth | Throughput | Completed |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const setting of settings) {
    log(`heap settings: ${setting.name}`);
    const run = await memoryUnderLoad(contenders.oursWithNodeFlags(setting.flags), profile);
    const figure = (value: number | undefined, format: (v: number) => string) =>
      value === undefined ? "—" : format(value);
    const growth = run.final !== undefined && run.warm !== undefined ? run.final - run.warm : undefined;
    lines.push(
      `| ${setting.name} | ${figure(run.idle?.rss, mib)} | ${figure(run.warm, mib)} | ${figure(run.final, mib)} | ${figure(growth, mib)} | ${figure(run.perSecond, perSecond)} | ${run.failure ?? "yes"} |`,
    );
  }
  return lines.join("\n");
}

/**
 * What the driver and the pipes cost by themselves (the ceiling any plugin's
 * figures meet, and so the best ratio any runtime could reach against the
 * SDK's `python` figures), and our start-up without the Python launcher.
 */
export async function baselines(
  contenders: Contenders,
  profile: Profile,
  python?: Figures,
  floorSequential?: Load,
): Promise<string> {
  const floor = roundTripFloor(contenders.nodeBinary);
  const sequential = floorSequential ?? (await sequentialRounds([floor], profile))[0]!;
  const { idle, concurrent } = await drive(floor.spec, {
    settleMs: profile.settleMs,
    warmup: profile.warmup,
    concurrent: profile.concurrent,
    concurrency: profile.concurrency,
  });
  const [direct] = await coldStarts(
    [contenders.oursWithNodeFlags(contenders.shippedNodeOptions)],
    profile.coldStartRuns,
  );
  const ceiling = python
    ? ` Against the SDK in this run that is at most ${times(python.sequential.perSecond, sequential.perSecond)} at concurrency 1.`
    : "";
  return [
    `- Round-trip floor (${floor.description}, same driver, its concurrency-1 rounds taking turns with the plugins'): ${perSecond(sequential.perSecond)} at concurrency 1 (p50 ${ms(percentile(sequential.latencies, 50))}), ` +
      `${perSecond(concurrent!.perSecond)} at concurrency ${profile.concurrency}. No Node plugin can beat these figures on this machine.${ceiling}`,
    `- Memory floor: ${floor.description} idles at ${mib(idle.rss)} RSS, of which ${mib(idle.anonymous)} is private (RssAnon) and the rest file-backed pages (the Node binary and its shared libraries); ` +
      "no Node plugin can idle below it, so the idle-RSS target (a third of the SDK's) is out of reach for any Node runtime; the RssAnon row compares private memory.",
    "- RSS growth under load is V8 sizing its young generation and old space to the allocation rate (the SDK's CPython frees by reference counting). " +
      "The main table's run starts with the warm-up invocations; the table below starts each setting without them. The leak check completing with a 32 MiB old space rules out a leak.",
    `- Our cold start without the Python launcher (the wheel's Node on app/main.mjs directly): ${ms(median(direct!))} (median of ${profile.coldStartRuns}); the launcher (Python start-up and exec) accounts for the rest.`,
  ].join("\n");
}

async function main(): Promise<void> {
  const write = process.argv.includes("--write");
  const startLoad = loadAverage();
  const contenders = await prepareContenders();
  try {
    const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
    if (!contenders.python) log(`the Python SDK is unavailable (${contenders.pythonMissing}): measuring ours alone`);
    const measured = contenders.python ? [contenders.python, contenders.ours] : [contenders.ours];
    const floor = roundTripFloor(contenders.nodeBinary);
    const sequential = await sequentialRounds([...measured, floor], FULL, log);
    const figures = await measureAll(measured, FULL, log, sequential);
    const ours = figures.at(-1)!;
    const python = contenders.python ? figures[0] : undefined;
    const heap = await heapSettingsTable(contenders, FULL, log);
    log("baselines: round-trip floor, cold start without the launcher");
    const notes = await baselines(contenders, FULL, python, sequential.at(-1));
    const input = hostileInput({ count: FULL.hostileLines, oversized: FULL.oversized });
    const table = renderTable(rows(python, ours, FULL), "Python SDK", "ours");
    const report = [
      "# SDK comparison: Dify's Python SDK against @dify-ts/runtime",
      "",
      `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()} (load average ${startLoad} at the start, ${loadAverage()} at the end: other work on the machine shows up in wall-clock figures; the plugin CPU rows are less sensitive to it).`,
      "",
      `- **Python SDK**: ${contenders.python?.description ?? `unavailable (${contenders.pythonMissing})`}, conformance/python/reference started as the daemon starts it (\`python -m main\`).`,
      `- **ours**: ${contenders.ours.description}.`,
      "- Driver: bench/sdk-compare/driver, a Go program playing the daemon over stdio (JSON lines) as the daemon (also Go) does, on the same machine; it times cold start, throughput, latency and RSS. The blob and the robustness input go through the Node harness, which checks every byte. The plugins ran one after the other, never together.",
      `- A trivial invocation is the \`echo\` tool (one text message, then \`end\`); latency is from writing the request line to reading its \`end\`. Each process first answers ${FULL.warmup.toLocaleString("en-US")} invocations that are not counted (after its idle RSS is read), so V8 has compiled the hot path; cold start is measured separately.`,
      "- RSS is the plugin process's own (VmRSS/VmHWM from /proc): the SDK's Python process, our Node process (the launcher exec's Node in the same PID).",
      `- Robustness input: ${input.lines.length.toLocaleString("en-US")} lines (${Object.entries(input.kinds)
        .map(([kind, n]) => `${n} ${kind}`)
        .join(", ")}), seed 20260101, sha256 ${input.digest.slice(0, 16)}…`,
      "",
      table,
      "",
      "Ratios say how many times better ours is (higher is better); the RSS ratio is ours divided by the SDK's.",
      "",
      notes,
      "",
      "## Our memory under other V8 heap settings",
      "",
      heap,
      "",
      "Reproduce: `node --conditions=source --import tsx bench/sdk-compare/run.ts --write` (after `bash scripts/setup/python.sh`).",
      "",
    ].join("\n");
    console.log(report);
    if (write) writeFileSync(new URL("./RESULTS.md", import.meta.url), report);
  } finally {
    await contenders.dispose();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();

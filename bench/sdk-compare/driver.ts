/**
 * The Go load driver (driver/main.go): built on first use with the machine's
 * Go (no modules to download), then run once per plugin start. It owns the
 * plugin's pipes while it times cold start and the trivial invocations; the
 * daemon is written in Go too, and a Node driver's own round trip hid most of
 * the difference between the plugins at concurrency 1.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  daemonEnvironment,
  invoke,
  repositoryRoot,
  type Lookup,
  type SpawnSpec,
} from "../../conformance/harness/src/index.js";

const run = promisify(execFile);
const SOURCE = join(repositoryRoot, "bench/sdk-compare/driver");
const BINARY = join(repositoryRoot, ".cache/bench/sdk-compare-driver");

export interface DriverLoad {
  requests: number;
  seconds: number;
  perSecond: number;
  /** CPU the plugin process used meanwhile: its cost apart from the driver's. */
  pluginCpuSeconds: number;
  /** Milliseconds from writing each request line to reading its `end`. */
  latencies: number[];
  /** RSS of the plugin sampled every `rssEvery` completed requests. */
  rssSamples: { completed: number; rss: number }[];
}

export interface DriverRun {
  /** From spawning the plugin to reading its first heartbeat. */
  coldStartMs: number;
  /** VmRSS, VmHWM and RssAnon after `settleMs` idle, in bytes. */
  idle: { rss: number; peak: number; anonymous: number };
  sequential?: DriverLoad;
  concurrent?: DriverLoad;
}

export interface DriverSettings {
  sequential?: number;
  concurrent?: number;
  concurrency?: number;
  rssEvery?: number;
  settleMs?: number;
  /** Invocations at concurrency 1 after the idle reading, not counted. */
  warmup?: number;
}

let built: Lookup | undefined;

/** Builds the driver once per process; the reason when Go is missing or the build fails. */
export function loadDriver(): Lookup {
  if (built) return built;
  try {
    mkdirSync(join(BINARY, ".."), { recursive: true });
    execFileSync("go", ["build", "-o", BINARY, "."], {
      cwd: SOURCE,
      env: { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" },
      stdio: "pipe",
    });
    built = { path: BINARY };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: Buffer };
    built = {
      reason:
        failure.code === "ENOENT"
          ? "Go is not installed (the load driver is a Go program)"
          : `go build of bench/sdk-compare/driver failed: ${failure.stderr?.toString().trim() ?? failure.message}`,
    };
  }
  return built;
}

/** The echo request the driver sends, its session id left for the driver to fill in. */
const ECHO_REQUEST = JSON.stringify(invoke("@SESSION@", "echo", { text: "ping" }));

/** Starts the plugin under the driver, measures, stops it. */
export async function drive(spec: SpawnSpec, settings: DriverSettings = {}): Promise<DriverRun> {
  const driver = loadDriver();
  if (!driver.path) throw new Error(driver.reason);
  const flags = [
    "-request",
    ECHO_REQUEST,
    "-dir",
    spec.cwd,
    "-sequential",
    String(settings.sequential ?? 0),
    "-concurrent",
    String(settings.concurrent ?? 0),
    "-concurrency",
    String(settings.concurrency ?? 64),
    "-rss-every",
    String(settings.rssEvery ?? 0),
    "-settle-ms",
    String(settings.settleMs ?? 0),
    "-warmup",
    String(settings.warmup ?? 0),
  ];
  try {
    const { stdout } = await run(driver.path, [...flags, "--", spec.command, ...spec.args], {
      env: daemonEnvironment(),
      maxBuffer: 256 * 1024 * 1024,
    });
    return JSON.parse(stdout) as DriverRun;
  } catch (error) {
    const failure = error as Error & { stderr?: string };
    throw new Error(
      `the load driver failed on ${spec.command} ${spec.args.join(" ")}: ${failure.stderr?.trim() || failure.message}`,
    );
  }
}

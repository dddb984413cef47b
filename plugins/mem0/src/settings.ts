/**
 * Process-wide settings from the environment (the daemon passes its own
 * environment to plugins, so operators set these on the plugin daemon), and
 * where the plugin keeps its data.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";

export interface ServiceSettings {
  /** Holds the write journal and one directory per store (embedded vectors, history). */
  dataDirectory: string;
  /** Queued plus running writes before new ones are refused with OVERLOAD. */
  maxPendingWrites: number;
  /** A write attempt taking longer counts as failed (and is retried). */
  writeTimeoutMs: number;
  /** How long SIGTERM/SIGINT waits for queued writes before leaving them in the journal. */
  drainTimeoutMs: number;
  /** The deadline of credential validation's round trip. */
  validationTimeoutMs: number;
  /** The clock of access records and forgetting (ms since the epoch); tests move it with MEM0_TEST_CLOCK_FILE. */
  now: () => number;
}

export const PLUGIN_NAME = "mem0";

export function readSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ServiceSettings {
  return {
    dataDirectory: env.MEM0_DATA_DIR?.trim() || defaultDataDirectory(cwd),
    maxPendingWrites: readInteger(env, "MEM0_MAX_PENDING_WRITES", 1000),
    writeTimeoutMs: readInteger(env, "MEM0_WRITE_TIMEOUT_SECONDS", 120) * 1000,
    drainTimeoutMs: readInteger(env, "MEM0_DRAIN_TIMEOUT_SECONDS", 10) * 1000,
    validationTimeoutMs: readInteger(env, "MEM0_VALIDATION_TIMEOUT_SECONDS", 20) * 1000,
    now: clockOf(env.MEM0_TEST_CLOCK_FILE?.trim()),
  };
}

/**
 * Date.now, or, for tests that must see months pass without waiting, the
 * time written in a file (ms since the epoch), read at each use.
 */
function clockOf(file: string | undefined): () => number {
  if (!file) return Date.now;
  return () => {
    const value = Number(readFileSync(file, "utf8").trim());
    if (!Number.isFinite(value)) throw new Error(`MEM0_TEST_CLOCK_FILE must hold milliseconds since the epoch`);
    return value;
  };
}

/**
 * The daemon installs a plugin in PLUGIN_WORKING_PATH/<author>/<name>-<version>@<checksum>,
 * a directory that changes with every upgrade; its parent survives upgrades and
 * lives on the daemon's storage volume. Anywhere else (remote debugging, a
 * developer's shell) the data goes under the home directory.
 */
export function defaultDataDirectory(cwd: string): string {
  if (/^[a-z0-9_-]+-\d+\.\d+\.\d+[^@/]*@[0-9a-f]{16,}$/.test(basename(cwd))) {
    return join(dirname(cwd), `${PLUGIN_NAME}.data`);
  }
  return join(homedir(), ".dify-ts", PLUGIN_NAME);
}

export function readInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer; got ${JSON.stringify(raw)}`);
  return value;
}

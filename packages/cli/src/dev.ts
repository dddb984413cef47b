/**
 * `dify-ts dev`: the remote-debug loop. Reads the plugin's .env (Dify's
 * "debugging" settings), runs src/main.ts with tsx in INSTALL_METHOD=remote
 * so it dials the daemon, and restarts it when a source file changes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, watch, type FSWatcher } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, sep } from "node:path";
import { parseDotenv } from "@dify-ts/runtime";
import type { CommandIo } from "./commands/command.js";
import { readProject, UsageError } from "./project.js";

export interface DevOptions {
  io: CommandIo;
  /** Overrides for the .env values (tests). */
  env?: Record<string, string>;
  debounceMs?: number;
}

export interface DevLoop {
  /** How many times the plugin was (re)started. */
  readonly starts: number;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
const IGNORED = new Set(["node_modules", "build", "dist", ".git", ".turbo", ".venv"]);

export function remoteSettings(dir: string, overrides: Record<string, string> = {}): Record<string, string> {
  const file = join(dir, ".env");
  const env = { ...(existsSync(file) ? parseDotenv(readFileSync(file, "utf8")) : {}), ...overrides };
  const method = (env.INSTALL_METHOD ?? "remote").toLowerCase();
  if (method !== "remote")
    throw new UsageError(`${file}: INSTALL_METHOD is "${env.INSTALL_METHOD}"; dev needs remote (or leave it out)`);
  if (!env.REMOTE_INSTALL_URL && !env.REMOTE_INSTALL_HOST) {
    throw new UsageError(
      `${file}: set REMOTE_INSTALL_URL=<host>:<port> (or REMOTE_INSTALL_HOST and REMOTE_INSTALL_PORT) from Dify's Plugins page, "Debugging"`,
    );
  }
  if (!env.REMOTE_INSTALL_KEY)
    throw new UsageError(`${file}: set REMOTE_INSTALL_KEY to the debugging key from Dify's Plugins page`);
  return { ...env, INSTALL_METHOD: "remote" };
}

export async function startDevLoop(pluginDir: string, options: DevOptions): Promise<DevLoop> {
  const project = readProject(pluginDir);
  const settings = remoteSettings(project.dir, options.env);
  const target =
    settings.REMOTE_INSTALL_URL ?? `${settings.REMOTE_INSTALL_HOST}:${settings.REMOTE_INSTALL_PORT ?? 5003}`;
  let child: ChildProcess | undefined;
  let starts = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const changed = new Set<string>();

  const start = () => {
    starts++;
    options.io.err(
      `dev: starting ${relative(process.cwd(), project.mainEntry) || project.mainEntry}, connecting to ${target}`,
    );
    const current = spawn(
      process.execPath,
      ["--conditions=source", "--import", require.resolve("tsx"), project.mainEntry],
      {
        cwd: project.dir,
        env: { ...process.env, ...settings },
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    current.on("exit", (code, signal) => {
      if (child === current && !stopped)
        options.io.err(`dev: the plugin exited (${signal ?? `code ${code}`}); waiting for a change to restart`);
    });
    child = current;
  };

  const halt = async () => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once("exit", resolve));
    current.kill("SIGTERM");
    const killer = setTimeout(() => current.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(killer);
  };

  const restart = async () => {
    const files = [...changed].slice(0, 3).join(", ") + (changed.size > 3 ? ", …" : "");
    changed.clear();
    options.io.err(`dev: ${files} changed, restarting`);
    await halt();
    if (!stopped) start();
  };

  const watcher: FSWatcher = watch(project.dir, { recursive: true }, (_event, name) => {
    if (!name || stopped) return;
    const path = name.toString();
    if (path.split(sep).some((part) => IGNORED.has(part)) || path === ".env" || path.endsWith("~")) return;
    changed.add(path);
    clearTimeout(timer);
    timer = setTimeout(() => void restart(), options.debounceMs ?? 200);
  });

  start();
  return {
    get starts() {
      return starts;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      watcher.close();
      await halt();
    },
  };
}

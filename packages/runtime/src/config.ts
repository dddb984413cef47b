/**
 * Runtime settings, read as the Python SDK's DifyPluginEnv reads them: from the
 * environment, plus a `.env` file in the working directory (the real
 * environment wins).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export type InstallMethod = "local" | "remote" | "serverless";

export interface RuntimeConfig {
  installMethod: InstallMethod;
  maxRequestTimeout: number;
  maxInvocationTimeout: number;
  heartbeatInterval: number;
  remoteInstallHost: string;
  remoteInstallPort: number;
  remoteInstallKey?: string;
  serverlessHost: string;
  serverlessPort: number;
  difyPluginDaemonUrl: string;
  /** Seconds SIGTERM waits for running sessions before shutdown hooks run. */
  shutdownTimeout: number;
}

/** Parses the dotenv subset the SDK's pydantic-settings accepts: KEY=value, quotes, comments, `export`. */
export function parseDotenv(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, "\n").replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, "");
    }
    result[match[1]!] = value;
  }
  return result;
}

export function loadEnvironment(
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  let fromFile: Record<string, string> = {};
  try {
    fromFile = parseDotenv(readFileSync(join(cwd, ".env"), "utf8"));
  } catch {
    // No .env file: the environment alone decides.
  }
  return { ...fromFile, ...env };
}

export function readConfig(env: Record<string, string | undefined>): RuntimeConfig {
  const installMethod = (env.INSTALL_METHOD ?? "local").toLowerCase();
  if (installMethod !== "local" && installMethod !== "remote" && installMethod !== "serverless") {
    throw new Error(`INSTALL_METHOD must be local, remote or serverless; got ${JSON.stringify(env.INSTALL_METHOD)}`);
  }
  let remoteInstallHost = env.REMOTE_INSTALL_HOST ?? "localhost";
  let remoteInstallPort = readPort(env, "REMOTE_INSTALL_PORT", 5003);
  if (env.REMOTE_INSTALL_URL)
    ({ host: remoteInstallHost, port: remoteInstallPort } = parseInstallUrl(env.REMOTE_INSTALL_URL));
  return {
    installMethod,
    maxRequestTimeout: readNumber(env, "MAX_REQUEST_TIMEOUT", 300),
    maxInvocationTimeout: readNumber(env, "MAX_INVOCATION_TIMEOUT", 250),
    heartbeatInterval: readNumber(env, "HEARTBEAT_INTERVAL", 10),
    remoteInstallHost,
    remoteInstallPort,
    remoteInstallKey: env.REMOTE_INSTALL_KEY || undefined,
    serverlessHost: env.SERVERLESS_HOST ?? "0.0.0.0",
    serverlessPort: readPort(env, "SERVERLESS_PORT", 8080),
    difyPluginDaemonUrl: env.DIFY_PLUGIN_DAEMON_URL ?? "http://localhost:5002",
    shutdownTimeout: readNumber(env, "SHUTDOWN_TIMEOUT", 30),
  };
}

/** "host:port" or "scheme://host:port", as the SDK accepts REMOTE_INSTALL_URL. */
function parseInstallUrl(value: string): { host: string; port: number } {
  if (value.includes("://")) {
    const url = new URL(value);
    if (url.hostname && url.port) return { host: url.hostname, port: Number(url.port) };
  }
  const [host, port] = value.split(":");
  if (host && port && /^\d+$/.test(port)) return { host, port: Number(port) };
  throw new Error(
    `REMOTE_INSTALL_URL must be "host:port" (for example debug.dify.ai:5003); got ${JSON.stringify(value)}`,
  );
}

function readNumber(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number; got ${JSON.stringify(raw)}`);
  return value;
}

/** A TCP port; 0 lets the system choose (tests). */
function readPort(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new Error(`${name} must be a port number (0-65535); got ${JSON.stringify(raw)}`);
  return value;
}

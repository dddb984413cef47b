/**
 * Starts a plugin on the transport INSTALL_METHOD names, keeps the daemon's
 * heartbeat, and shuts down gracefully: on SIGTERM/SIGINT (or stdin closing in
 * local mode) it takes no new sessions, lets running ones finish up to
 * SHUTDOWN_TIMEOUT, runs the plugin's shutdown hook, and exits 0.
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { loadEnvironment, readConfig, type RuntimeConfig } from "./config.js";
import { endpointDeclaration, manifestDeclaration, toolDeclaration } from "./declarations.js";
import type { PluginDefinition } from "./definitions.js";
import { Dispatcher } from "./dispatcher.js";
import { describeError } from "./logger.js";
import { claimStdout, redactOutput } from "./stdout-guard.js";
import { HttpTransport } from "./transport/http.js";
import { StdioTransport } from "./transport/stdio.js";
import { TcpTransport, registrationLines } from "./transport/tcp.js";
import type { Transport } from "./transport/transport.js";
import { heartbeatEvent, type JsonObject } from "@dify-ts/protocol";

export interface RunOptions {
  /** Working directory: where `.env` and `_assets/` are read. Defaults to process.cwd(). */
  cwd?: string;
  /** Called instead of process.exit, for tests. */
  exit?: (code: number) => void;
}

export interface RunningPlugin {
  config: RuntimeConfig;
  dispatcher: Dispatcher;
  transport: Transport;
  shutdown(reason: string): Promise<void>;
}

export async function runPlugin(plugin: PluginDefinition, options: RunOptions = {}): Promise<RunningPlugin> {
  const cwd = options.cwd ?? process.cwd();
  const config = readConfig(loadEnvironment(cwd));
  const { transport, server } = await createTransport(plugin, config, cwd);
  const lifetime = new AbortController();
  const dispatcher = new Dispatcher(plugin, transport, {
    maxRequestTimeout: config.maxRequestTimeout,
    maxInvocationTimeout: config.maxInvocationTimeout,
    backwardsHttpUrl: config.installMethod === "serverless" ? config.difyPluginDaemonUrl : undefined,
    // The debugging daemon drops log events, so a developer sees them on stderr.
    logSink:
      config.installMethod === "remote"
        ? (event) => process.stderr.write(`${formatLog(event.data as JsonObject)}\n`)
        : undefined,
  });
  dispatcher.connect();
  // The daemon logs the plugin's stderr: dependencies' own output gets the same redaction as log events.
  redactOutput(dispatcher.redactor);

  // A dependency's stray error must not take the plugin down (mem0ai's pg client
  // has no error listener): report it through the protocol, redacted, and keep serving.
  process.on("uncaughtException", (error) => dispatcher.logger.error("uncaught exception", error));
  process.on("unhandledRejection", (reason) => dispatcher.logger.error("unhandled rejection", reason));

  let heartbeat: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(heartbeat);
      lifetime.abort(new Error(`the plugin is shutting down (${reason})`));
      dispatcher.logger.info(`shutting down (${reason}); ${dispatcher.runningSessions} session(s) running`);
      await dispatcher.drain(config.shutdownTimeout * 1000);
      try {
        await plugin.onShutdown?.();
      } catch (error) {
        dispatcher.logger.error("shutdown hook failed", error);
      }
      await transport.close();
      await server?.close();
      (options.exit ?? process.exit)(0);
    })();
    return stopping;
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
  if (config.installMethod === "local") transport.onclose = () => void shutdown("stdin closed");

  await transport.start();
  await server?.listen();
  if (config.installMethod !== "serverless") {
    const beat = () => void dispatcher.write(heartbeatEvent());
    beat();
    heartbeat = setInterval(beat, config.heartbeatInterval * 1000);
    heartbeat.unref();
  }
  if (plugin.onStart) {
    // Services start in the background: a slow start must not hold the daemon's first request or heartbeat.
    Promise.resolve()
      .then(() => plugin.onStart!({ logger: dispatcher.logger, signal: lifetime.signal }))
      .catch((error: unknown) => dispatcher.logger.error("the plugin's start hook failed", error));
  }
  return { config, dispatcher, transport, shutdown };
}

/** A server the runtime runs for its transport (serverless HTTP), listening once the transport started. */
interface TransportServer {
  listen(): Promise<void>;
  close(): Promise<void>;
}

/** The transport INSTALL_METHOD names and, for HTTP, the server that serves it. */
async function createTransport(
  plugin: PluginDefinition,
  config: RuntimeConfig,
  cwd: string,
): Promise<{ transport: Transport; server?: TransportServer }> {
  switch (config.installMethod) {
    case "local": {
      const transport = new StdioTransport(process.stdin, process.stdout, claimStdout());
      // The SDK's first line in local mode is the plugin configuration; the daemon ignores it.
      await transport.send(JSON.stringify(manifestDeclaration(plugin)) + "\n\n");
      return { transport };
    }
    case "remote": {
      if (!config.remoteInstallKey)
        throw new Error(
          "REMOTE_INSTALL_KEY is required for INSTALL_METHOD=remote: copy the debugging key from Dify's plugin page",
        );
      const assets = await readAssets(plugin, cwd);
      const transport = new TcpTransport({
        host: config.remoteInstallHost,
        port: config.remoteInstallPort,
        key: config.remoteInstallKey,
        register: async (send) => {
          for (const line of registrationLines({
            manifest: manifestDeclaration(plugin),
            tools: plugin.provider ? [toolDeclaration(plugin)] : [],
            endpoints: plugin.endpoints ? [endpointDeclaration(plugin.endpoints)] : [],
            assets,
          }))
            await send(line);
        },
      });
      return { transport };
    }
    case "serverless": {
      const transport = new HttpTransport({ log: (line) => process.stderr.write(line) });
      return { transport, server: httpServer(transport, config) };
    }
  }
}

/** Serverless: the runtime's own HTTP server for the transport; listening prints the banner the marketplace check waits for. */
function httpServer(transport: HttpTransport, config: RuntimeConfig): TransportServer {
  const server = createServer(transport.handleRequest);
  return {
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.serverlessPort, config.serverlessHost, () => resolve());
      });
      // Flask's banner on stdout, with the bound port (SERVERLESS_PORT=0 picks a free one).
      const { port } = server.address() as AddressInfo;
      const write = claimStdout();
      write(`* Serving Flask app 'dify-ts serverless runtime' (compatible banner; served by @dify-ts/runtime)\n`);
      write(`* Running on http://${config.serverlessHost}:${port}\n`);
    },
    async close() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections would hold close() open.
      server.closeAllConnections();
      await closed;
    },
  };
}

/** The icons the manifest and provider name, read from `_assets/`. */
async function readAssets(plugin: PluginDefinition, cwd: string): Promise<{ filename: string; data: Buffer }[]> {
  const names = new Set([
    plugin.manifest.icon,
    plugin.manifest.icon_dark,
    plugin.provider?.identity.icon,
    plugin.provider?.identity.icon_dark,
  ]);
  const assets: { filename: string; data: Buffer }[] = [];
  for (const name of names) {
    if (!name) continue;
    let data: Buffer;
    try {
      data = await readFile(join(cwd, "_assets", name));
    } catch (error) {
      throw new Error(`icon "${name}" could not be read from ${join(cwd, "_assets")}: ${describeError(error)}`);
    }
    if (data.length === 0)
      throw new Error(`icon "${name}" in ${join(cwd, "_assets")} is empty: the daemon needs the icon's bytes`);
    assets.push({ filename: name, data });
  }
  return assets;
}

function formatLog(data: JsonObject): string {
  return `[${String(data.level ?? "INFO")}] ${String(data.message ?? "")}`;
}

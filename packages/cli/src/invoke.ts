/**
 * `dify-ts invoke`: runs a plugin as the daemon would and calls one tool, a
 * credential validation or an endpoint (an HTTP request, sent as the daemon
 * forwards one), printing every message, or the HTTP response, readably and
 * saving blobs. The values of secret-input credentials and settings (and of
 * fields the plugin does not declare) are masked in everything printed;
 * public ones (an endpoint, a bucket) stay readable, as the plugin shows them.
 */
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import {
  endpointResponseOf,
  invokeEndpointRequest,
  rawHttpRequestHex,
  type EndpointResponseChunk,
} from "@dify-ts/protocol";
import { Redactor, type JsonObject } from "@dify-ts/runtime";
import { PluginProcess } from "@dify-ts/host";
import type { CommandIo } from "./commands/command.js";
import { resolveTarget, type TargetOptions } from "./target.js";

export interface InvokeOptions extends TargetOptions {
  /** The tool to call; without it (and without `endpoint`), the credentials are validated. */
  tool?: string;
  /** An HTTP request for the plugin's endpoints, instead of a tool. */
  endpoint?: { method: string; target: string; headers: Record<string, string>; body?: string };
  /** The endpoint's settings. */
  settings?: JsonObject;
  parameters?: JsonObject;
  credentials?: JsonObject;
  /** Directory to save blobs to. */
  saveBlobs?: string;
  timeoutMs?: number;
  userId?: string;
}

export async function invokePlugin(target: string, options: InvokeOptions, io: CommandIo): Promise<number> {
  const resolved = await resolveTarget(target, options);
  const redactor = new Redactor();
  for (const [field, value] of Object.entries(options.credentials ?? {})) {
    if (typeof value === "string" && !resolved.publicCredentials.has(field)) redactor.addSecret(value);
  }
  for (const [field, value] of Object.entries(options.settings ?? {})) {
    if (typeof value === "string" && !resolved.publicSettings.has(field)) redactor.addSecret(value);
  }
  const say = (line: string) => io.out(redactor.redact(line));
  io.err(redactor.redact(resolved.description));
  const plugin = PluginProcess.spawn(resolved.spawn);
  try {
    await plugin.waitForHeartbeat(options.timeoutMs ?? 120_000).catch(() => {
      throw new Error(`the plugin sent no heartbeat; its stderr:\n${redactor.redact(plugin.stderr.slice(-4000))}`);
    });
    const request: JsonObject = options.endpoint
      ? invokeEndpointRequest({
          settings: options.settings ?? {},
          raw_http_request: rawHttpRequestHex({ ...options.endpoint, host: "localhost" }),
        })
      : options.tool
        ? {
            type: "tool",
            action: "invoke_tool",
            provider: resolved.provider,
            tool: options.tool,
            credentials: options.credentials ?? {},
            credential_type: "api-key",
            tool_parameters: options.parameters ?? {},
            user_id: options.userId ?? "dify-ts-invoke",
          }
        : {
            type: "tool",
            action: "validate_tool_credentials",
            provider: resolved.provider,
            credentials: options.credentials ?? {},
          };
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`no answer within ${(options.timeoutMs ?? 300_000) / 1000} s`)),
        options.timeoutMs ?? 300_000,
      ).unref(),
    );
    // No daemon answers backwards invocations here: fail them at once (the plugin reports or works around it)
    // rather than let the plugin wait for MAX_INVOCATION_TIMEOUT.
    const sessionId = randomUUID();
    const onInvoke = (payload: JsonObject) =>
      plugin.respondBackwards(
        sessionId,
        String(payload.backwards_request_id),
        "error",
        {},
        `dify-ts invoke runs without a Dify daemon and cannot answer ${String(payload.type)} invocations`,
      );
    const session = await Promise.race([plugin.request(request, { sessionId, onInvoke }), timeout]);
    for (const event of plugin.events)
      if (event.event === "log") io.err(redactor.redact(`[plugin log] ${JSON.stringify(event.data)}`));
    if (options.endpoint && !session.error) {
      const response = endpointResponseOf(session.stream as EndpointResponseChunk[]);
      say(`HTTP ${response.status}`);
      for (const [name, value] of Object.entries(response.headers)) say(`${name}: ${value}`);
      say("");
      say(response.body.toString("utf8"));
    }
    const blobs = new Map<string, { chunks: Buffer[]; meta: JsonObject }>();
    let saved = 0;
    for (const item of options.endpoint ? [] : session.stream) {
      const message = (item.message ?? {}) as JsonObject;
      switch (item.type) {
        case "text":
          say(`text: ${String(message.text)}`);
          break;
        case "json":
          say(`json: ${JSON.stringify(message.json_object, null, 2)}`);
          break;
        case "link":
          say(`link: ${String(message.text)}`);
          break;
        case "image":
          say(`image: ${String(message.text)}`);
          break;
        case "variable":
          say(
            `variable ${String(message.variable_name)}${message.stream ? " (streamed)" : ""} = ${JSON.stringify(message.variable_value)}`,
          );
          break;
        case "log":
          say(`log [${String(message.status)}] ${String(message.label)} ${JSON.stringify(message.data ?? {})}`);
          break;
        case "blob_chunk": {
          const id = String(message.id);
          const blob = blobs.get(id) ?? { chunks: [], meta: (item.meta ?? {}) as JsonObject };
          blobs.set(id, blob);
          blob.chunks.push(Buffer.from(String(message.blob), "base64"));
          if (message.end) {
            const data = Buffer.concat(blob.chunks);
            const name = String(blob.meta.filename ?? `blob-${saved + 1}.bin`);
            let where = "";
            if (options.saveBlobs) where = `, saved to ${await saveBlob(options.saveBlobs, name, data)}`;
            saved++;
            say(
              `blob: ${name} (${String(blob.meta.mime_type ?? "application/octet-stream")}, ${data.length} bytes${where})`,
            );
          }
          break;
        }
        default:
          if ("result" in item) say(`result: ${JSON.stringify(item.result)}`);
          else say(`${String(item.type)}: ${JSON.stringify(item)}`);
      }
    }
    if (session.error) {
      io.err(redactor.redact(`error: ${session.error.error_type}: ${session.error.message}`));
      return 1;
    }
    return 0;
  } finally {
    plugin.kill("SIGTERM");
    await Promise.race([plugin.exited, new Promise((done) => setTimeout(done, 3000).unref())]);
    plugin.kill("SIGKILL");
    await resolved.cleanup();
  }
}

/** Saves under the blob's own file name (never a path outside the directory), numbered when taken. */
async function saveBlob(directory: string, name: string, data: Buffer): Promise<string> {
  await mkdir(directory, { recursive: true });
  const safe = basename(name).replace(/[^\w.-]+/g, "_") || "blob.bin";
  for (let attempt = 0; ; attempt++) {
    const file = join(directory, attempt === 0 ? safe : safe.replace(/(\.[^.]*)?$/, `-${attempt}$1`));
    try {
      await writeFile(file, data, { flag: "wx" });
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

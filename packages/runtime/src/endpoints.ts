/**
 * Serving `invoke_endpoint` (the SDK's PluginExecutor.invoke_endpoint): the daemon's raw HTTP request becomes a Web
 * `Request`, the group's routes are matched as werkzeug matches the SDK's (a path that matches with another method,
 * or nothing, answers 404 with werkzeug's text), and the handler's `Response` streams back: status, headers and the
 * body the handler has ready in one message, then one message per later chunk.
 */
import { parseRawHttpRequest, unhexRawRequest, type JsonObject } from "@dify-ts/protocol";
import type {
  CredentialFields,
  Credentials,
  EndpointContext,
  EndpointGroupDefinition,
  EndpointRoute,
} from "./definitions.js";
import type { ReadableStreamDefaultReader, ReadableStreamReadResult } from "node:stream/web";
import { PluginError } from "./errors.js";
import type { EmitStream, PluginContext } from "./requests.js";

/** Body bytes per stream message: 2 MiB of hex, well under the daemon's 5 MiB line. */
const CHUNK_BYTES = 1024 * 1024;

// werkzeug's texts, so a caller sees what a Python plugin answers.
const NOT_FOUND =
  "Failed to dispatch endpoint request: 404 Not Found: The requested URL was not found on the server. " +
  "If you entered the URL manually please check your spelling and try again.";
const METHOD_NOT_ALLOWED =
  "Failed to dispatch endpoint request: 405 Method Not Allowed: The method is not allowed for the requested URL.";

const CONVERTERS: Record<string, string> = {
  default: "[^/]+",
  string: "[^/]+",
  int: "\\d+",
  float: "\\d+\\.\\d+",
  uuid: "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
  path: "[^/].*?",
};

interface CompiledRoute {
  route: EndpointRoute;
  pattern: RegExp;
  parameterCount: number;
}

/** The route pattern of a werkzeug rule; throws naming the route when a converter is unknown. */
export function compileRoute(route: EndpointRoute): CompiledRoute {
  let source = "";
  let parameterCount = 0;
  let rest = route.path;
  for (let match = /<(?:(\w+):)?(\w+)>/.exec(rest); match; match = /<(?:(\w+):)?(\w+)>/.exec(rest)) {
    const converter = CONVERTERS[match[1] ?? "default"];
    if (!converter)
      throw new Error(
        `endpoint route "${route.name}": unknown converter "${match[1]}" in ${route.path}; use one of ${Object.keys(CONVERTERS).join(", ")}`,
      );
    source += escapeRegExp(rest.slice(0, match.index)) + `(?<${match[2]}>${converter})`;
    parameterCount++;
    rest = rest.slice(match.index + match[0].length);
  }
  return { route, pattern: new RegExp(`^${source}${escapeRegExp(rest)}$`), parameterCount };
}

/** Routes with fewer parameters win, as werkzeug prefers static rules; then declaration order. */
export function compileRoutes(group: EndpointGroupDefinition): CompiledRoute[] {
  return group.routes.map(compileRoute).sort((a, b) => a.parameterCount - b.parameterCount);
}

type Match = { route: EndpointRoute; params: Record<string, string> } | { status: 404; message: string };

export function matchRoute(routes: readonly CompiledRoute[], method: string, path: string): Match {
  let pathMatched = false;
  for (const { route, pattern } of routes) {
    const match = pattern.exec(path);
    if (!match) continue;
    // werkzeug serves HEAD with a GET rule.
    if (route.method === method || (method === "HEAD" && route.method === "GET"))
      return { route, params: { ...match.groups } };
    pathMatched = true;
  }
  return { status: 404, message: pathMatched ? METHOD_NOT_ALLOWED : NOT_FOUND };
}

/** The daemon's raw request as a Web Request; a request that does not parse fails the session with ValueError, as in the SDK. */
export function toWebRequest(rawHex: string): { request: Request; path: string } {
  try {
    const raw = parseRawHttpRequest(unhexRawRequest(rawHex));
    const headers = new Headers();
    for (const [name, value] of raw.headers) headers.append(name, value);
    const url = /^https?:\/\//i.test(raw.target)
      ? new URL(raw.target)
      : new URL(raw.target, `http://${headers.get("host") ?? "localhost"}`);
    // A Web Request has no body for GET and HEAD; the daemon sends none there.
    const body = raw.method === "GET" || raw.method === "HEAD" || raw.body.length === 0 ? undefined : raw.body;
    const request = new Request(url, { method: raw.method, headers, body });
    return { request, path: decodeURIComponent(url.pathname) };
  } catch (error) {
    throw new PluginError("ValueError", `invalid raw_http_request: ${(error as Error).message}`);
  }
}

export async function invokeEndpoint(
  routes: readonly CompiledRoute[],
  rawHex: string,
  settings: Credentials<CredentialFields>,
  context: PluginContext,
  emit: EmitStream,
): Promise<void> {
  const { request, path } = toWebRequest(rawHex);
  const match = matchRoute(routes, request.method, path);
  let response: Response;
  if ("status" in match) {
    response = plainText(match.message, match.status);
  } else {
    try {
      response = await match.route.handler(request, endpointContext(context, settings, match.params));
      if (!(response instanceof Response))
        throw new TypeError(`endpoint route "${match.route.name}" must return a Response, got ${typeof response}`);
    } catch (error) {
      // The SDK puts the error's text in the body; a public URL gets no internals, the plugin's log gets the error (redacted).
      context.logger.error(`endpoint route "${match.route.name}" failed`, error);
      response = plainText("Internal Server Error", 500);
    }
  }
  await streamResponse(response, emit, context.signal);
}

/** The runtime's own answers, with the headers werkzeug gives the SDK's. */
function plainText(text: string, status: number): Response {
  const headers = { "content-type": "text/plain; charset=utf-8", "content-length": String(Buffer.byteLength(text)) };
  return new Response(text, { status, headers });
}

function endpointContext(
  context: PluginContext,
  settings: Credentials<CredentialFields>,
  params: Record<string, string>,
): EndpointContext<Credentials<CredentialFields>> {
  // Getters keep the context's logger and invocations built on first use.
  return {
    settings,
    params,
    secrets: context.secrets,
    session: context.session,
    signal: context.signal,
    get logger() {
      return context.logger;
    },
    get dify() {
      return context.dify;
    },
  };
}

async function streamResponse(response: Response, emit: EmitStream, signal: AbortSignal): Promise<void> {
  const head: JsonObject = { status: response.status, headers: Object.fromEntries(response.headers) };
  if (!response.body) return emit({ ...head, result: "" });
  const reader = response.body.getReader();
  // A body waiting for its next chunk (an idle event stream) is cancelled as soon as the session stops.
  const stop = () => void reader.cancel(signal.reason).catch(() => undefined);
  signal.addEventListener("abort", stop, { once: true });
  let first = true;
  try {
    let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined = reader.read();
    while (pending) {
      const read: ReadableStreamReadResult<Uint8Array> = await pending;
      if (read.done) break;
      const batch = await withReadyChunks(reader, read.value);
      pending = batch.next;
      for (let offset = 0; offset < batch.bytes.length; offset += CHUNK_BYTES) {
        const result = Buffer.from(batch.bytes.subarray(offset, offset + CHUNK_BYTES)).toString("hex");
        await emit(first ? { ...head, result } : { result });
        first = false;
      }
    }
    if (first) await emit({ ...head, result: "" });
  } finally {
    signal.removeEventListener("abort", stop);
    // A session that stopped early (a failed send) stops the handler's stream too.
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * The chunk read and every chunk the body has ready within this turn of the event loop (up to CHUNK_BYTES), sent as
 * one message. The daemon (InvokeEndpoint) copies a response's later messages in a goroutine that it closes when the
 * session has already ended: a body that ends quickly loses every message after its first (seen in a real daemon:
 * 5 events sent, 1 received), so a fast body must go out whole in the first message. `next` is the read still
 * waiting, if the body was not done.
 */
async function withReadyChunks(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  chunk: Uint8Array,
): Promise<{ bytes: Uint8Array; next?: Promise<ReadableStreamReadResult<Uint8Array>> }> {
  const parts = [chunk];
  let size = chunk.length;
  while (size < CHUNK_BYTES) {
    const next = reader.read();
    const ready = await Promise.race([
      next,
      new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined))),
    ]);
    if (ready === undefined) return { bytes: Buffer.concat(parts, size), next };
    if (ready.done) break;
    parts.push(ready.value);
    size += ready.value.length;
  }
  const bytes = parts.length === 1 ? chunk : Buffer.concat(parts, size);
  return size < CHUNK_BYTES ? { bytes } : { bytes, next: reader.read() };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

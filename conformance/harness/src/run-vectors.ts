/**
 * Drives one plugin process through a vector file. After start-up and after
 * each case's lines it sends a barrier request and waits for the barrier's
 * `end`, for every session the case opened, and for any session the plugin
 * started on its own (ours answers a truncated line that names a session):
 * lines are handled in order, so every event a case causes outside sessions
 * (logs, top-level errors) has been written by then. Backwards invocations are
 * answered from the case's rules, as the daemon would answer them; a signed
 * upload URL in an answer points at a stand-in upload endpoint.
 */
import { setTimeout as delay } from "node:timers/promises";
import { invokeToolRequest, isJsonObject, requestMessage, type JsonObject, type JsonValue } from "@dify-ts/protocol";
import type { PluginProcess, ReceivedEvent } from "@dify-ts/host";
import { normaliseEvents, type Observed } from "./normalise.js";
import { startUploadEndpoint, UPLOAD_URL_PLACEHOLDER } from "./upload-endpoint.js";
import { renderLine, requestedSessions, type BackwardsRule, type VectorFile } from "./vectors.js";

const BARRIER_PREFIX = "barrier-";

export interface VectorRun {
  startup: Observed;
  cases: Observed[];
}

export interface RunOptions {
  /** Longest wait for one case. */
  caseTimeoutMs?: number;
  /** Sessions to wait for besides those the input opens (replay: the recorded ones). */
  useRecordedSessions?: boolean;
}

export async function runVectorFile(
  plugin: PluginProcess,
  file: VectorFile,
  options: RunOptions = {},
): Promise<VectorRun> {
  const timeoutMs = options.caseTimeoutMs ?? 90_000;
  const uploads = await startUploadEndpoint();
  try {
    return await runCases(plugin, file, options, timeoutMs, uploads.url);
  } finally {
    await uploads.close();
  }
}

async function runCases(
  plugin: PluginProcess,
  file: VectorFile,
  options: RunOptions,
  timeoutMs: number,
  uploadUrl: string,
): Promise<VectorRun> {
  await plugin.waitForHeartbeat(timeoutMs);
  let barriers = 0;
  const settle = async (
    from: number,
    required: readonly string[],
    rules: readonly BackwardsRule[] = [],
  ): Promise<Observed> => {
    const barrier = `${BARRIER_PREFIX}${barriers++}`;
    plugin.writeLine(renderLine(barrierRequest(barrier)));
    await waitForSessions(plugin, from, [...required, barrier], timeoutMs, rules, uploadUrl);
    return normaliseEvents(plugin.events.slice(from), (id) => id.startsWith(BARRIER_PREFIX));
  };
  const startup = await settle(0, []);
  const cases: Observed[] = [];
  for (const vectorCase of file.cases) {
    const from = plugin.events.length;
    for (const line of vectorCase.input) plugin.writeLine(renderLine(line));
    const required = new Set(requestedSessions(vectorCase.input));
    if (options.useRecordedSessions && vectorCase.expected) {
      for (const [id, messages] of Object.entries(vectorCase.expected.sessions)) {
        if (messages.some((message) => (message as JsonObject).type === "end")) required.add(id);
      }
    }
    try {
      cases.push(await settle(from, [...required], vectorCase.backwards));
    } catch (error) {
      throw new Error(`case "${vectorCase.name}": ${(error as Error).message}`, { cause: error });
    }
  }
  return { startup, cases };
}

function barrierRequest(sessionId: string): JsonObject {
  return requestMessage(
    sessionId,
    invokeToolRequest({
      provider: "conformance",
      tool: "echo",
      credentials: { api_key: "barrier" },
      tool_parameters: { text: "barrier" },
      user_id: "conformance",
    }),
  );
}

async function waitForSessions(
  plugin: PluginProcess,
  from: number,
  required: readonly string[],
  timeoutMs: number,
  rules: readonly BackwardsRule[],
  uploadUrl: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const started = new Set<string>();
  const ended = new Set<string>();
  let scanned = from;
  for (;;) {
    for (; scanned < plugin.events.length; scanned++) {
      const event = plugin.events[scanned]!;
      track(event, started, ended);
      answerBackwards(plugin, event, rules, uploadUrl);
    }
    const open = [...started].filter((id) => !ended.has(id));
    const missing = required.filter((id) => !ended.has(id));
    if (open.length === 0 && missing.length === 0) return;
    if (plugin.child.exitCode !== null || plugin.child.signalCode !== null) {
      throw new Error(
        `the plugin exited (${plugin.child.exitCode ?? plugin.child.signalCode}) with sessions ${[...missing, ...open].join(", ")} unfinished; stderr: ${plugin.stderr.slice(-2000)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        `sessions ${[...new Set([...missing, ...open])].join(", ")} did not end within ${timeoutMs} ms; stderr: ${plugin.stderr.slice(-2000)}`,
      );
    }
    await delay(5);
  }
}

function track(event: ReceivedEvent, started: Set<string>, ended: Set<string>): void {
  if (event.event !== "session" || typeof event.session_id !== "string") return;
  started.add(event.session_id);
  if ((event.data as JsonObject | null)?.type === "end") ended.add(event.session_id);
}

function answerBackwards(
  plugin: PluginProcess,
  event: ReceivedEvent,
  rules: readonly BackwardsRule[],
  uploadUrl: string,
): void {
  const message = event.data as JsonObject | null;
  if (
    event.event !== "session" ||
    typeof event.session_id !== "string" ||
    message?.type !== "invoke" ||
    !isJsonObject(message.data)
  )
    return;
  const invocation = message.data;
  const rule = rules.find((candidate) => contains(invocation, candidate.match));
  if (!rule) throw new Error(`no backwards rule answers ${JSON.stringify(invocation)}`);
  for (const response of rule.respond) {
    plugin.respondBackwards(
      event.session_id,
      String(invocation.backwards_request_id),
      response.event,
      response.data
        ? (JSON.parse(JSON.stringify(response.data).replaceAll(UPLOAD_URL_PLACEHOLDER, uploadUrl)) as JsonObject)
        : undefined,
      response.message ?? "",
    );
  }
}

/** Whether `value` has every field of `subset`, recursively. */
function contains(value: JsonValue | undefined, subset: JsonValue): boolean {
  if (isJsonObject(subset))
    return isJsonObject(value) && Object.entries(subset).every(([key, item]) => contains(value[key], item));
  return JSON.stringify(value) === JSON.stringify(subset);
}

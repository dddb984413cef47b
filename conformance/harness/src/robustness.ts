/**
 * The same hostile input for both plugins: lines that are malformed, truncated,
 * oversized or random (generated from a fixed seed, so every run and both
 * plugins see the same bytes), interleaved with valid echo requests whose
 * answers are checked. Used by the robustness test (ours) and by the
 * benchmark (which records what the SDK does).
 */
import { createHash } from "node:crypto";
import type { PluginProcess } from "@dify-ts/host";
import { invoke } from "./cases.js";

export interface HostileInput {
  /** Every line, in the order written; none contains "\n". */
  lines: Buffer[];
  /** Session id of each valid request, and the text its echo must answer. */
  valid: Map<string, string>;
  /** How many lines of each kind (valid requests included). */
  kinds: Record<string, number>;
  /** sha256 of all lines: both plugins see the same input. */
  digest: string;
}

export interface HostileOptions {
  seed?: number;
  /** Hostile lines (valid requests come on top). */
  count?: number;
  /** One valid request after every this many hostile lines. */
  validEvery?: number;
  /** Lines above the daemon's 5 MiB limit and above our input cap (24 MiB; these are 25 MiB). */
  oversized?: { over5MiB: number; over20MiB: number };
}

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hostileInput(options: HostileOptions = {}): HostileInput {
  const next = random(options.seed ?? 20260101);
  const integer = (below: number) => Math.floor(next() * below);
  const pick = <T>(items: readonly T[]): T => items[integer(items.length)]!;
  const count = options.count ?? 10_000;
  const validEvery = options.validEvery ?? 10;
  const oversized = options.oversized ?? { over5MiB: 3, over20MiB: 2 };
  const lines: Buffer[] = [];
  const valid = new Map<string, string>();
  const kinds: Record<string, number> = {};
  const add = (kind: string, line: string | Buffer) => {
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    const bytes = typeof line === "string" ? Buffer.from(line) : line;
    // A line may hold any byte except the newline that ends it.
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) bytes[i] = 0x20;
    lines.push(bytes);
  };
  const request = (id: string) => JSON.stringify(invoke(id, "echo", { text: `text of ${id}` }));
  const randomJson = (depth: number): unknown => {
    const choice = integer(depth > 3 ? 4 : 7);
    if (choice === 0) return next() * 1e6 - 5e5;
    if (choice === 1) return "s".repeat(integer(20)) + String.fromCharCode(integer(0xd7ff));
    if (choice === 2) return next() < 0.5;
    if (choice === 3) return null;
    if (choice === 4) return Array.from({ length: integer(5) }, () => randomJson(depth + 1));
    return Object.fromEntries(
      Array.from({ length: integer(5) }, (_, i) => [
        pick(["session_id", "event", "data", "type", "action", `k${i}`]),
        randomJson(depth + 1),
      ]),
    );
  };
  const generators: [string, (index: number) => string | Buffer][] = [
    ["random bytes", () => Buffer.from(Array.from({ length: 1 + integer(300) }, () => integer(256)))],
    [
      "truncated request",
      (index) => {
        const line = request(`truncated-${index}`);
        return line.slice(0, 1 + integer(line.length - 2));
      },
    ],
    ["random JSON", () => JSON.stringify(randomJson(0)) ?? "null"],
    [
      "wrong field types",
      (index) =>
        JSON.stringify(
          pick([
            { session_id: index, event: "request", data: {} },
            { session_id: null, event: "request", data: {} },
            { session_id: `wrong-${index}`, event: pick(["bogus", 1, null, "BACKWARDS_RESPONSE"]), data: {} },
            { session_id: `wrong-${index}`, event: "request", data: pick([null, [], "x", 7]) },
            { session_id: "", event: "request", data: {} },
            { event: "request", data: { type: "tool" } },
          ]),
        ),
    ],
    [
      "unservable request",
      (index) =>
        JSON.stringify(
          pick([
            invoke(`unservable-${index}`, "no_such_tool", {}),
            invoke(`unservable-${index}`, "echo", {}),
            invoke(`unservable-${index}`, "echo", { text: 42 }),
            {
              session_id: `unservable-${index}`,
              event: "request",
              data: { type: "tool", action: pick(["nope", "", null]) },
            },
            {
              session_id: `unservable-${index}`,
              event: "request",
              data: { type: pick(["model", "endpoint", "nonsense", 3]) },
            },
          ]),
        ),
    ],
    [
      "stray backwards response",
      (index) =>
        JSON.stringify({
          session_id: `stray-${index}`,
          event: "backwards_response",
          data: {
            backwards_request_id: `b-${index}`,
            event: pick(["response", "end", "error"]),
            message: "",
            data: null,
          },
        }),
    ],
    ["deep nesting", () => "[".repeat(1000 + integer(20_000)) + "]".repeat(integer(2) === 0 ? 0 : 5000)],
    [
      "control characters",
      (index) => `{"session_id":"\u0000\r\u001b[31m${index}","event":"request","data":{"x":"\ud800"}}\r`,
    ],
  ];
  for (let index = 0; index < count; index++) {
    const [kind, generate] = pick(generators);
    add(kind, generate(index));
    if ((index + 1) % validEvery === 0) {
      const id = `valid-${String(valid.size).padStart(5, "0")}`;
      valid.set(id, `text of ${id}`);
      add("valid request", request(id));
    }
  }
  // Oversized lines at fixed places, each followed by a valid request.
  const big = (bytes: number, index: number) =>
    `{"session_id":"oversized-${index}","event":"request","data":{"pad":"${"x".repeat(bytes)}"}}`;
  const oversizedLines = [
    ...Array.from({ length: oversized.over5MiB }, (_, i) => big(6 * 1024 * 1024, i)),
    ...Array.from({ length: oversized.over20MiB }, (_, i) => big(25 * 1024 * 1024, oversized.over5MiB + i)),
  ];
  oversizedLines.forEach((line, i) => {
    const at = Math.floor(((i + 1) * lines.length) / (oversizedLines.length + 1));
    lines.splice(at, 0, Buffer.from(line));
    kinds["oversized line"] = (kinds["oversized line"] ?? 0) + 1;
  });
  const hash = createHash("sha256");
  for (const line of lines) hash.update(line).update("\n");
  return { lines, valid, kinds, digest: hash.digest("hex") };
}

export interface RobustnessOutcome {
  validRequests: number;
  /** Valid requests answered with exactly their echo and `end`. */
  answeredCorrectly: number;
  /** The plugin process was gone at the end. */
  crashed: boolean;
  exit?: string;
  /** Lines on stdout that are not protocol events. */
  strayLines: number;
  /** Bytes written to stderr meanwhile (tracebacks and the like; the daemon only logs them). */
  stderrBytes: number;
  /** Top-level `error` events, `log` events, sessions answered for hostile lines. */
  errorEvents: number;
  logEvents: number;
  otherSessionsAnswered: number;
  /** Messages after a session's end, second ends. */
  protocolViolations: number;
  seconds: number;
}

/** Writes the input (honouring backpressure) and waits for every valid request's answer, or the deadline. */
export async function runHostileInput(
  plugin: PluginProcess,
  input: HostileInput,
  timeoutMs = 120_000,
): Promise<RobustnessOutcome> {
  const started = performance.now();
  await plugin.waitForHeartbeat(60_000);
  let stderrBytes = 0;
  plugin.child.stderr.on("data", (chunk: Buffer) => (stderrBytes += chunk.length));
  const answers = [...input.valid.keys()].map((id) =>
    plugin.expectSession(id).then((result) => {
      const texts = result.stream.map((message) => (message.message as { text?: unknown } | null)?.text);
      return result.error === undefined && texts.length === 1 && texts[0] === input.valid.get(id);
    }),
  );
  let gone = false;
  void plugin.exited.then(() => (gone = true));
  for (const line of input.lines) {
    if (gone) break;
    const flushed = plugin.child.stdin.write(Buffer.concat([line, Buffer.from("\n")]));
    if (!flushed)
      await Promise.race([new Promise((resolve) => plugin.child.stdin.once("drain", resolve)), plugin.exited]);
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"deadline">((resolve) => (timer = setTimeout(() => resolve("deadline"), timeoutMs)));
  const settled = await Promise.race([Promise.all(answers), deadline, plugin.exited.then(() => "exited" as const)]);
  clearTimeout(timer);
  const correct = Array.isArray(settled) ? settled.filter(Boolean).length : await countSettled(answers);
  const events = plugin.events;
  const exitCode = plugin.child.exitCode ?? plugin.child.signalCode;
  return {
    validRequests: input.valid.size,
    answeredCorrectly: correct,
    crashed: exitCode !== null,
    exit: exitCode === null ? undefined : String(exitCode),
    strayLines: plugin.strayLines.length,
    stderrBytes,
    errorEvents: events.filter((event) => event.event === "error").length,
    logEvents: events.filter((event) => event.event === "log").length,
    otherSessionsAnswered: [...plugin.sessions.endCounts.keys()].filter((id) => !input.valid.has(id)).length,
    protocolViolations:
      plugin.sessions.violations.length + [...plugin.sessions.endCounts.values()].filter((ends) => ends > 1).length,
    seconds: (performance.now() - started) / 1000,
  };
}

/** How many of the answers already resolved true (the rest count as unanswered). */
async function countSettled(answers: Promise<boolean>[]): Promise<number> {
  const pending = Symbol("pending");
  const states = await Promise.all(answers.map((answer) => Promise.race([answer, Promise.resolve(pending)])));
  return states.filter((state) => state === true).length;
}

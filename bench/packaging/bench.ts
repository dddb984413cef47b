/**
 * Build benchmark: `pnpm build:all` cold (an empty turbo cache) and warm (the
 * same cache, nothing changed) with the cold run as the baseline, and each
 * package's size.
 *
 *   node --import tsx bench/packaging/bench.ts           full run (prints markdown tables)
 *   node --import tsx bench/packaging/bench.ts --quick   packages the CLI's fixture plugin only
 *   ... --filter <package>                               passed to turbo (e.g. @dify-ts/plugin-mem0)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { packagePlugin } from "../../packages/cli/src/package.js";
import { readZip } from "../../packages/cli/src/zip/read.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

export interface BuildRun {
  label: string;
  seconds: number;
  cached: number;
  total: number;
}

export interface PackageSize {
  file: string;
  bytes: number;
  uncompressed: number;
  bundleBytes: number;
  files: number;
}

export function measureBuildAll(cacheDir: string, label: string, filter?: string): BuildRun {
  const started = process.hrtime.bigint();
  const result = spawnSync(
    "pnpm",
    ["build:all", `--cache-dir=${cacheDir}`, ...(filter ? [`--filter=${filter}`] : [])],
    { cwd: root, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`pnpm build:all failed:\n${(result.stdout + result.stderr).slice(-3000)}`);
  const match = /Cached:\s+(\d+) cached, (\d+) total/.exec(result.stdout);
  return { label, seconds, cached: Number(match?.[1] ?? 0), total: Number(match?.[2] ?? 0) };
}

export function sizeOf(file: string): PackageSize {
  const buffer = readFileSync(file);
  const entries = readZip(buffer).entries;
  return {
    file,
    bytes: buffer.length,
    uncompressed: entries.reduce((sum, entry) => sum + entry.size, 0),
    bundleBytes: entries.find((entry) => entry.name === "app/main.mjs")?.size ?? 0,
    files: entries.length,
  };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export function formatRuns(runs: BuildRun[]): string {
  const baseline = runs[0]!.seconds;
  return [
    "| run | time | vs cold | turbo tasks cached |",
    "|---|---:|---:|---:|",
    ...runs.map(
      (run) =>
        `| ${run.label} | ${run.seconds.toFixed(2)} s | ${(run.seconds / baseline).toFixed(2)}× | ${run.cached}/${run.total} |`,
    ),
  ].join("\n");
}

export function formatSizes(sizes: PackageSize[]): string {
  return [
    "| package | .difypkg | uncompressed | app/main.mjs | files |",
    "|---|---:|---:|---:|---:|",
    ...sizes.map(
      (size) =>
        `| ${size.file.split("/").pop()} | ${kib(size.bytes)} | ${kib(size.uncompressed)} | ${kib(size.bundleBytes)} | ${size.files} |`,
    ),
  ].join("\n");
}

/** The smoke form: package the CLI's fixture plugin twice (cold bundle, then again), sizes included. */
export async function quick(): Promise<{ runs: BuildRun[]; sizes: PackageSize[] }> {
  const out = mkdtempSync(join(tmpdir(), "bench-build-"));
  try {
    const runs: BuildRun[] = [];
    let file = "";
    for (const label of ["fixture package (first)", "fixture package (again)"]) {
      const started = process.hrtime.bigint();
      file = (await packagePlugin(join(root, "packages/cli/src/__fixtures__/hello"), { outDir: out })).file;
      runs.push({ label, seconds: Number(process.hrtime.bigint() - started) / 1e9, cached: 0, total: 1 });
    }
    return { runs, sizes: [sizeOf(file)] };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv.includes("--quick")) {
    const { runs, sizes } = await quick();
    console.log(`${formatRuns(runs)}\n\n${formatSizes(sizes)}`);
    return;
  }
  const filterAt = process.argv.indexOf("--filter");
  const filter = filterAt === -1 ? undefined : process.argv[filterAt + 1];
  const cacheDir = mkdtempSync(join(tmpdir(), "bench-turbo-cache-"));
  try {
    for (const name of readdirSync(join(root, "dist"))) if (name.endsWith(".difypkg")) rmSync(join(root, "dist", name));
    for (const plugin of readdirSync(join(root, "plugins")))
      rmSync(join(root, "plugins", plugin, "build"), { recursive: true, force: true });
    process.stderr.write("cold pnpm build:all (empty turbo cache)...\n");
    const cold = measureBuildAll(cacheDir, "cold `pnpm build:all` (empty turbo cache)", filter);
    process.stderr.write("warm pnpm build:all (nothing changed)...\n");
    const warm = measureBuildAll(cacheDir, "warm `pnpm build:all` (nothing changed)", filter);
    const sizes = readdirSync(join(root, "dist"))
      .filter((name) => name.endsWith(".difypkg"))
      .sort()
      .map((name) => sizeOf(join(root, "dist", name)));
    console.log(`${formatRuns([cold, warm])}\n\n${formatSizes(sizes)}`);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

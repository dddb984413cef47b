/**
 * Conformance with the official Go CLI (`dify`, installed by
 * scripts/setup/dify-cli.sh from the Go module proxy): its `plugin checksum`
 * equals ours for every package we build, and its `plugin package` accepts an
 * extracted package of ours and produces the same content.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checksumOfFiles } from "./checksum.js";
import { copyFixture } from "./__fixtures__/copy-fixture.js";
import { officialCli, repositoryRoot } from "./__fixtures__/tools.js";
import { extractPackage } from "./extract.js";
import { packagePlugin } from "./package.js";
import { readZip } from "./zip/read.js";

const cli = officialCli();
const skipNote = cli.reason ? ` (skipped: ${cli.reason})` : "";
let scratch: string;
const packages: string[] = [];

beforeAll(async () => {
  if (!cli.path) return;
  scratch = await mkdtemp(join(tmpdir(), "dify-ts-conformance-"));
  const fixture = await copyFixture("hello");
  try {
    packages.push((await packagePlugin(fixture.dir, { outDir: scratch })).file);
  } finally {
    await fixture.remove();
  }
  // Every plugin package `pnpm build:all` wrote.
  const dist = join(repositoryRoot, "dist");
  if (existsSync(dist))
    for (const name of await readdir(dist)) if (name.endsWith(".difypkg")) packages.push(join(dist, name));
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function official(...args: string[]): string {
  const result = spawnSync(cli.path!, args, { encoding: "utf8", timeout: 60_000 });
  if (result.status !== 0) throw new Error(`dify ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return `${result.stdout}\n${result.stderr}`;
}

const checksumIn = (output: string) => /\b([a-f0-9]{64})\b/.exec(output)?.[1];
const contentChecksum = async (file: string) =>
  checksumOfFiles(readZip(await readFile(file)).entries.map((entry) => ({ path: entry.name, data: entry.read() })));

describe("the official dify CLI agrees", () => {
  it.skipIf(!cli.path)(`plugin checksum equals ours for every built package${skipNote}`, async () => {
    for (const file of packages)
      expect(checksumIn(official("plugin", "checksum", file)), file).toBe(await contentChecksum(file));
  });

  it.skipIf(!cli.path)(`plugin package accepts an extracted package of ours${skipNote}`, async () => {
    for (const [index, file] of packages.entries()) {
      const dir = join(scratch, `extracted-${index}`);
      await extractPackage(await readFile(file), dir);
      const repackaged = join(scratch, `repackaged-${index}.difypkg`);
      official("plugin", "package", dir, "-o", repackaged);
      expect(await contentChecksum(repackaged), file).toBe(await contentChecksum(file));
    }
  });
});

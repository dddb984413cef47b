/**
 * The declarations are equivalent: the YAML the Python plugin ships against
 * the YAML generated for the TypeScript twin, the configuration line each
 * prints first over stdio, and the registration each sends over the
 * remote-debug TCP transport to a stand-in daemon. Differences not in
 * conformance/allow-list.json fail.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  applyAllowList,
  describeDifferences,
  differences,
  readAllowList,
  type AllowListEntry,
  type Difference,
} from "../src/compare.js";
import { declarationFiles, normaliseDeclaration } from "../src/declarations.js";
import { spawnOurReference, spawnPythonReference, stopPlugin } from "../src/plugins.js";
import { difySdkPython } from "../src/record.js";
import { shipOurReference } from "../src/shipped.js";
import { StandInDaemon, type Registration } from "@dify-ts/host";
import type { JsonValue } from "@dify-ts/runtime";
import type { PluginProcess } from "@dify-ts/host";

const python = difySdkPython();
const skipped = python.reason ? ` (skipped: ${python.reason})` : "";
const allowList = readAllowList();
const used = new Set<AllowListEntry>();
const compared = new Set<string>();

function check(area: string, found: Difference[]): void {
  compared.add(area);
  const unexplained = applyAllowList(found, allowList, used);
  expect(describeDifferences(unexplained), "differences not in conformance/allow-list.json").toBe("");
}

async function registration(spawn: (env: Record<string, string>) => PluginProcess): Promise<Registration> {
  const key = "conformance-debug-key";
  const daemon = await StandInDaemon.start(key);
  const plugin = spawn({
    INSTALL_METHOD: "remote",
    REMOTE_INSTALL_HOST: "127.0.0.1",
    REMOTE_INSTALL_PORT: String(daemon.port),
    REMOTE_INSTALL_KEY: key,
  });
  try {
    return await daemon.registration(1);
  } finally {
    await stopPlugin(plugin);
    await daemon.stop();
  }
}

/** Registration messages keyed by kind, asset chunks numbered, declarations normalised. */
function byKind(recorded: Registration): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = { framing: recorded.separators };
  let chunk = 0;
  for (const message of recorded.messages) {
    const key = message.type === "asset_chunk" ? `asset_chunk ${chunk++}` : String(message.type);
    out[key] = normaliseDeclaration(message.data as JsonValue);
  }
  out.order = recorded.messages.map((message) => String(message.type));
  return out;
}

describe("declarations: Python SDK plugin and TypeScript twin", () => {
  it("ship equivalent manifest, provider and tool YAML (ours from the package dify-ts builds)", async () => {
    const shipped = await shipOurReference();
    const theirs = declarationFiles();
    const ours = declarationFiles(shipped.directory);
    await shipped.remove();
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    const found = Object.keys(theirs).flatMap((file) =>
      differences("declarations/yaml", file, normaliseDeclaration(theirs[file]!), normaliseDeclaration(ours[file]!)),
    );
    check("declarations/yaml", found);
  });

  it.skipIf(!python.path)(`print equivalent configuration lines first over stdio${skipped}`, async () => {
    const start = async (process: PluginProcess) => {
      try {
        await process.waitForHeartbeat();
        return normaliseDeclaration(process.configuration as JsonValue);
      } finally {
        await stopPlugin(process);
      }
    };
    const [theirs, ours] = await Promise.all([start(spawnPythonReference(python.path!)), start(spawnOurReference())]);
    check("declarations/stdio", differences("declarations/stdio", "configuration", theirs, ours));
  });

  it.skipIf(!python.path)(`send equivalent registrations over remote-debug TCP${skipped}`, async () => {
    const [theirs, ours] = await Promise.all([
      registration((env) => spawnPythonReference(python.path!, { env })),
      registration((env) => spawnOurReference({ env })),
    ]);
    const expected = byKind(theirs);
    const actual = byKind(ours);
    check(
      "declarations/tcp",
      Object.keys({ ...expected, ...actual }).flatMap((kind) =>
        differences("declarations/tcp", kind, expected[kind], actual[kind]),
      ),
    );
  });

  afterAll(() => {
    const stale = allowList.filter((entry) => compared.has(entry.vector) && !used.has(entry));
    expect(stale, `allow-list entries that explain no difference any more: ${JSON.stringify(stale, null, 2)}`).toEqual(
      [],
    );
  });
});

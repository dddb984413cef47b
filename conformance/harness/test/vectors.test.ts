/**
 * Replays every vector in conformance/vectors against OUR reference plugin
 * over stdio and compares with what the Python SDK answered when the vector
 * was recorded. Any difference not in conformance/allow-list.json fails; so
 * does an allow-list entry that no longer explains any difference.
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
import { spawnOurReference, stopPlugin } from "../src/plugins.js";
import { runVectorFile } from "../src/run-vectors.js";
import { listVectorFiles, readVectorFile } from "../src/vectors.js";

const allowList = readAllowList();
const used = new Set<AllowListEntry>();
const replayed = new Set<string>();

describe("conformance vectors replayed against @dify-ts/runtime", () => {
  for (const name of listVectorFiles()) {
    it(`${name}: ours answers as the Python SDK did`, async () => {
      const file = readVectorFile(name);
      const plugin = spawnOurReference();
      try {
        const run = await runVectorFile(plugin, file, { useRecordedSessions: true });
        const found: Difference[] = file.record_startup ? differences(name, "startup", file.startup, run.startup) : [];
        file.cases.forEach((vectorCase, index) =>
          found.push(...differences(name, vectorCase.name, vectorCase.expected, run.cases[index])),
        );
        const unexplained = applyAllowList(found, allowList, used);
        expect(describeDifferences(unexplained), "differences not in conformance/allow-list.json").toBe("");
        expect(plugin.strayLines).toEqual([]);
        replayed.add(name);
      } finally {
        await stopPlugin(plugin);
      }
    });
  }

  afterAll(() => {
    const stale = allowList.filter((entry) => replayed.has(entry.vector) && !used.has(entry));
    expect(stale, `allow-list entries that explain no difference any more: ${JSON.stringify(stale, null, 2)}`).toEqual(
      [],
    );
  });
});

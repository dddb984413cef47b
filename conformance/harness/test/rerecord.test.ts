/**
 * Keeps the committed vectors honest: their inputs are the definitions in
 * src/cases.ts, and the Python SDK, run again now, still answers exactly what
 * they record. Skipped, with the reason, when the SDK venv is missing.
 */
import { describe, expect, it } from "vitest";
import { VECTOR_DEFINITIONS } from "../src/cases.js";
import { describeDifferences, differences } from "../src/compare.js";
import { SDK_VERSION } from "../src/paths.js";
import { difySdkPython, recordFromPython } from "../src/record.js";
import { listVectorFiles, readVectorFile } from "../src/vectors.js";

const python = difySdkPython();
const skipped = python.reason ? ` (skipped: ${python.reason})` : "";
if (python.reason) console.warn(`conformance re-record skipped: the Python SDK is unavailable: ${python.reason}`);

describe("committed vectors", () => {
  it("are exactly the definitions in src/cases.ts (re-run conformance/record.ts after editing them)", () => {
    expect(listVectorFiles()).toEqual(Object.keys(VECTOR_DEFINITIONS).sort());
    for (const [name, definition] of Object.entries(VECTOR_DEFINITIONS)) {
      const committed = readVectorFile(name);
      expect(committed.recorded_from, name).toBe(SDK_VERSION);
      expect(
        committed.cases.map(({ expected: _recorded, ...definition }) => definition),
        name,
      ).toEqual(JSON.parse(JSON.stringify(definition.cases)));
      for (const vectorCase of committed.cases)
        expect(vectorCase.expected, `${name} ${vectorCase.name} has no recorded expectation`).toBeDefined();
    }
  });

  for (const name of listVectorFiles()) {
    it.skipIf(!python.path)(`${name}: the Python SDK still answers what the vector records${skipped}`, async () => {
      const committed = readVectorFile(name);
      const fresh = await recordFromPython(python.path!, committed);
      const found = committed.record_startup ? differences(name, "startup", committed.startup, fresh.startup) : [];
      committed.cases.forEach((vectorCase, index) =>
        found.push(...differences(name, vectorCase.name, vectorCase.expected, fresh.cases[index]!.expected)),
      );
      expect(describeDifferences(found), "re-record with conformance/record.ts if the SDK changed on purpose").toBe("");
    });
  }
});

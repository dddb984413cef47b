/**
 * 10,000 malformed, truncated, oversized and random lines (fixed seed) with a
 * valid request after every tenth: our plugin must survive all of them, answer
 * every valid request correctly, write nothing but protocol events and keep
 * serving. (bench/sdk-compare sends the same lines to the Python SDK.)
 */
import { describe, expect, it } from "vitest";
import { invoke } from "../src/cases.js";
import { spawnOurReference, stopPlugin } from "../src/plugins.js";
import { hostileInput, runHostileInput } from "../src/robustness.js";

describe("robustness", () => {
  it("ours never crashes and answers every valid request among 10,000 hostile lines", async () => {
    const input = hostileInput();
    expect(input.lines.length).toBe(10_000 + 1_000 + 5);
    const plugin = spawnOurReference();
    try {
      const outcome = await runHostileInput(plugin, input);
      expect(outcome.crashed, `the plugin exited (${outcome.exit}); stderr: ${plugin.stderr.slice(-2000)}`).toBe(false);
      expect(outcome.answeredCorrectly).toBe(input.valid.size);
      expect(outcome.strayLines).toBe(0);
      expect(outcome.protocolViolations).toBe(0);
      const after = plugin.expectSession("after-hostile");
      plugin.writeLine(JSON.stringify(invoke("after-hostile", "echo", { text: "still serving" })));
      expect((await after).stream).toEqual([{ type: "text", message: { text: "still serving" }, meta: null }]);
    } finally {
      await stopPlugin(plugin);
    }
  });
});

import { defineConfig } from "vitest/config";

// Run only by scripts/summarize-tests.test.ts: a suite with a failing test in nested describes and a file that cannot load.
export default defineConfig({ test: { include: ["*.check.ts"], root: import.meta.dirname } });

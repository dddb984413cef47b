import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// One vitest run covers every workspace package; "source" resolves workspace
// packages to their TypeScript sources, so tests need no prior build.
export default defineConfig({
  resolve: { conditions: ["source"] },
  // Tests run in Vite's server (SSR) environment, whose conditions are separate from resolve.conditions.
  // Without "module": it selects bundler-only builds (e.g. @aws-sdk/checksums dist-es, extensionless
  // imports) that Node then fails to load when vitest externalizes the dependency.
  ssr: {
    resolve: { conditions: ["source", ...defaultServerConditions.filter((condition) => condition !== "module")] },
  },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "plugins/*/src/**/*.test.ts",
      "plugins/*/test/**/*.test.ts",
      "conformance/**/*.test.ts",
      "bench/**/*.test.ts",
      "scripts/*.test.ts",
    ],
    // Bounds for a broken test, not waits: on a loaded 2-core machine (load average 20) starting PGlite and the
    // mem0 plugin from source took nearly three minutes, and the slowest smoke benchmark over 50 s.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: "forks",
  },
});

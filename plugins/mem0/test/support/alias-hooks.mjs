// Module resolve hook: the aliases package.json declares under "dify.alias"
// (the bundle applies them with esbuild), applied when the plugin runs from source.
import { readFileSync } from "node:fs";

const manifestUrl = new URL("../../package.json", import.meta.url);
const aliases = JSON.parse(readFileSync(manifestUrl, "utf8")).dify?.alias ?? {};

export async function resolve(specifier, context, nextResolve) {
  const target = aliases[specifier];
  if (target) return { url: new URL(target, manifestUrl).href, shortCircuit: true };
  return nextResolve(specifier, context);
}

/** Key-order-free JSON: canonical text (keys sorted) for sorting, hashing and stable files. */
import type { JsonValue } from "@dify-ts/runtime";

export function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, JsonValue> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]!);
  return sorted;
}

export function canonical(value: JsonValue): string {
  return JSON.stringify(sortKeys(value));
}

export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonical(a) === canonical(b);
}

/**
 * Structural differences between what the SDK produced and what ours did,
 * and the allow-list of deliberate ones. A difference is reported at the
 * deepest path where the two disagree ("sessions/fail-3/0/data/message");
 * arrays of different lengths, and objects of a different kind (their `type`
 * or `event` differs: a stream message against an error), differ as a whole. An allow-list entry names a
 * vector file (or area), a case and a path pattern ("*" = one segment,
 * "**" = any number), and must say why.
 */
import { readFileSync } from "node:fs";
import type { JsonValue } from "@dify-ts/runtime";
import { isJsonObject } from "@dify-ts/protocol";
import { sameJson } from "./canonical.js";
import { allowListPath } from "./paths.js";

export interface Difference {
  /** Vector file name, or an area such as "declarations/tcp". */
  vector: string;
  /** Case name, "startup", or the declaration compared. */
  case: string;
  path: string;
  /** undefined: absent on that side. */
  expected: JsonValue | undefined;
  actual: JsonValue | undefined;
}

export interface AllowListEntry {
  vector: string;
  case: string;
  path: string;
  reason: string;
}

export function differences(
  vector: string,
  name: string,
  expected: JsonValue | undefined,
  actual: JsonValue | undefined,
  path = "",
): Difference[] {
  const out: Difference[] = [];
  const walk = (e: JsonValue | undefined, a: JsonValue | undefined, at: string): void => {
    if (isJsonObject(e) && isJsonObject(a) && e.type === a.type && e.event === a.event) {
      for (const key of new Set([...Object.keys(e), ...Object.keys(a)]))
        walk(e[key], a[key], at ? `${at}/${key}` : key);
      return;
    }
    if (Array.isArray(e) && Array.isArray(a) && e.length === a.length) {
      e.forEach((item, index) => walk(item, a[index], at ? `${at}/${index}` : String(index)));
      return;
    }
    if (!sameJson(e, a)) out.push({ vector, case: name, path: at, expected: e, actual: a });
  };
  walk(expected, actual, path);
  return out;
}

export function readAllowList(): AllowListEntry[] {
  const entries = JSON.parse(readFileSync(allowListPath, "utf8")) as AllowListEntry[];
  for (const [index, entry] of entries.entries()) {
    for (const field of ["vector", "case", "path", "reason"] as const) {
      if (typeof entry[field] !== "string" || entry[field].trim() === "") {
        throw new Error(
          `allow-list.json entry ${index}: "${field}" must be a non-empty string (every deliberate difference says where it is and why)`,
        );
      }
    }
  }
  return entries;
}

export function allows(entry: AllowListEntry, difference: Difference): boolean {
  return (
    matches(entry.vector, difference.vector) &&
    matches(entry.case, difference.case) &&
    matchPath(entry.path.split("/"), difference.path.split("/"))
  );
}

function matches(pattern: string, value: string): boolean {
  return pattern === "*" || pattern === value;
}

function matchPath(pattern: readonly string[], path: readonly string[]): boolean {
  if (pattern.length === 0) return path.length === 0;
  const [head, ...rest] = pattern;
  if (head === "**") return path.some((_, index) => matchPath(rest, path.slice(index))) || matchPath(rest, []);
  return path.length > 0 && (head === "*" || head === path[0]) && matchPath(rest, path.slice(1));
}

/** Splits differences into those the allow-list explains and those it does not; records which entries were used. */
export function applyAllowList(
  found: readonly Difference[],
  entries: readonly AllowListEntry[],
  used: Set<AllowListEntry>,
): Difference[] {
  const unexplained: Difference[] = [];
  for (const difference of found) {
    const entry = entries.find((candidate) => allows(candidate, difference));
    if (entry) used.add(entry);
    else unexplained.push(difference);
  }
  return unexplained;
}

export function describeDifferences(found: readonly Difference[]): string {
  const show = (value: JsonValue | undefined) =>
    value === undefined ? "(absent)" : JSON.stringify(value).slice(0, 400);
  return found
    .map((d) => `${d.vector} ${d.case} ${d.path}\n  SDK:  ${show(d.expected)}\n  ours: ${show(d.actual)}`)
    .join("\n");
}

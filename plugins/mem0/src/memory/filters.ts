/**
 * The caller's `filters` JSON, merged with the scope the call names. The
 * Python plugin replaced user_id/agent_id/run_id with the caller's filters;
 * here the scope is always added (and wins over the same keys in the filters),
 * so a filter can narrow a user's memories but never reach another user's.
 *
 * Accepted forms: {"field": value | [values] | {"gte": 1, ...}}, with one
 * optional AND, OR and NOT group each ({"AND": [{...}, {...}]}; $and/$or/$not too).
 * Scope keys inside the filters follow the scope rule (literal ids only), and
 * nesting is limited before anything recurses over it.
 */
import { parseLenientJson } from "../config/lenient-json.js";
import { isJsonObject } from "@dify-ts/protocol";
import { checkScopeValue, ScopeError, SCOPE_KEYS, type Scope } from "../scope.js";

type Conditions = Record<string, unknown>;

export interface NormalizedFilters {
  fields: Conditions;
  or?: Conditions[];
  not?: Conditions[];
}

export class FilterError extends Error {
  constructor(problem: string) {
    super(`Invalid filters: ${problem}`);
    this.name = "FilterError";
  }
}

/** Brackets nested deeper than this are refused (real filters need 4 or 5; 10^5 levels overflowed the stack). */
export const MAX_FILTER_DEPTH = 16;

const OPERATORS = new Set(["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains", "icontains"]);
const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseFilters(text: string | undefined): NormalizedFilters {
  if (text === undefined || text.trim() === "") return { fields: {} };
  const depth = nestingDepth(text);
  if (depth > MAX_FILTER_DEPTH)
    throw new FilterError(
      `nested ${depth > 1000 ? "more than 1000" : depth} levels deep; at most ${MAX_FILTER_DEPTH} levels of objects and lists are allowed`,
    );
  const parsed = parseLenientJson(text);
  if (!parsed.ok) throw new FilterError(`the filters are not JSON: ${parsed.problem}`);
  if (!isJsonObject(parsed.value)) throw new FilterError('expected a JSON object such as {"category": "food"}');
  const result: NormalizedFilters = { fields: {} };
  addGroup(result, parsed.value, false);
  return result;
}

/** The form mem0ai's search() takes: fields plus OR/NOT lists, which it translates per store. */
export function searchFilters(scope: Scope, filters: NormalizedFilters): Conditions {
  return {
    ...filters.fields,
    ...scopeFields(scope),
    ...(filters.or && { OR: filters.or }),
    ...(filters.not && { NOT: filters.not }),
  };
}

/** The form the vector stores take directly (getAll passes filters through untranslated). */
export function listFilters(scope: Scope, filters: NormalizedFilters): Conditions {
  return {
    ...filters.fields,
    ...scopeFields(scope),
    ...(filters.or && { $or: filters.or }),
    ...(filters.not && { $not: filters.not }),
  };
}

export function scopeFields(scope: Scope): Record<string, string> {
  return {
    user_id: scope.user_id,
    ...(scope.agent_id && { agent_id: scope.agent_id }),
    ...(scope.run_id && { run_id: scope.run_id }),
    ...(scope.app_id && { app_id: scope.app_id }),
  };
}

/** Adds one object's conditions; AND groups merge into the same level. */
function addGroup(target: NormalizedFilters, group: Conditions, nested: boolean): void {
  for (const [key, value] of Object.entries(group)) {
    const logical = key.replace(/^\$/, "").toUpperCase();
    if (logical === "AND" || logical === "OR" || logical === "NOT") {
      const items = conditionList(key, value);
      if (logical === "AND") {
        for (const item of items) addGroup(target, item, nested);
        continue;
      }
      if (nested) throw new FilterError(`${key} inside OR or NOT is not supported`);
      const name = logical === "OR" ? "or" : "not";
      if (target[name]) throw new FilterError(`only one ${logical} group is supported`);
      target[name] = items.map((item) => {
        const inner: NormalizedFilters = { fields: {} };
        addGroup(inner, item, true);
        return inner.fields;
      });
      continue;
    }
    target.fields[key] = mergeCondition(key, target.fields[key], checkCondition(key, value));
  }
}

function conditionList(key: string, value: unknown): Conditions[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every(isJsonObject)) {
    throw new FilterError(
      `${key} needs a non-empty list of objects, such as [{"category": "food"}, {"mood": "happy"}]`,
    );
  }
  return value;
}

function checkCondition(key: string, value: unknown): unknown {
  if (!FIELD.test(key))
    throw new FilterError(`field name ${JSON.stringify(key)} may only hold letters, digits and underscores`);
  if ((SCOPE_KEYS as readonly string[]).includes(key)) {
    try {
      return checkScopeValue(`filters.${key}`, value);
    } catch (error) {
      if (error instanceof ScopeError) throw new FilterError(error.message);
      throw error;
    }
  }
  if (isJsonObject(value)) {
    const unknown = Object.keys(value).filter((operator) => !OPERATORS.has(operator));
    if (unknown.length > 0) {
      throw new FilterError(
        `unknown operator ${JSON.stringify(unknown[0])} for "${key}"; use one of ${[...OPERATORS].join(", ")}`,
      );
    }
  } else if (value === null) throw new FilterError(`"${key}" cannot be null`);
  return value;
}

/** Two conditions on one field (from AND) combine when both are operator objects. */
function mergeCondition(key: string, existing: unknown, added: unknown): unknown {
  if (existing === undefined) return added;
  if (isJsonObject(existing) && isJsonObject(added)) return { ...existing, ...added };
  throw new FilterError(`"${key}" is given twice`);
}

/** How deeply brackets nest in JSON-like text, counted without recursion (brackets inside strings do not count). */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quote: string | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quote) {
      if (char === "\\") index++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "{" || char === "[") {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > 1000) return deepest;
    } else if (char === "}" || char === "]") depth--;
  }
  return deepest;
}

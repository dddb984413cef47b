/**
 * The one rule for scope values (user_id, agent_id, run_id, app_id, wherever they
 * come from: a tool parameter or a key inside `filters`): each is a literal
 * id. mem0ai reads `"*"` as "the field is present" and objects as operators,
 * so one LLM-filled `user_id: "*"` would reach every user's memories; such
 * values are refused with an error naming the parameter and the rule, on
 * every tool and every store, instead of being escaped.
 */
export interface Scope {
  user_id: string;
  agent_id?: string;
  run_id?: string;
  /** The Dify app the memories belong to: stored as the memory's metadata.app_id (mem0ai has no such entity id). */
  app_id?: string;
}

export type OwnerScope = Partial<Scope>;

export const SCOPE_KEYS = ["user_id", "agent_id", "run_id", "app_id"] as const;
export type ScopeKey = (typeof SCOPE_KEYS)[number];

/** Longer ids are refused: no real id needs more, and every journal line and index entry carries them. */
export const MAX_SCOPE_VALUE_CHARS = 256;

export class ScopeError extends Error {
  constructor(
    readonly parameter: string,
    rule: string,
  ) {
    super(`${parameter} ${rule}; pass the literal id of one user, agent, run or app`);
    this.name = "ScopeError";
  }
}

// C0 and C1 controls (NUL included), and the Unicode line and paragraph separators.
const isControl = (char: string) => {
  const code = char.charCodeAt(0);
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
};

/** Throws ScopeError unless `value` is a literal id; `parameter` is how the caller named it. */
export function checkScopeValue(parameter: string, value: unknown): string {
  if (typeof value !== "string") throw new ScopeError(parameter, "must be a string, not an object, list or operator");
  if (value.length === 0) throw new ScopeError(parameter, "must not be empty");
  if (value.length > MAX_SCOPE_VALUE_CHARS)
    throw new ScopeError(parameter, `must be at most ${MAX_SCOPE_VALUE_CHARS} characters (got ${value.length})`);
  if (value.trim() !== value) throw new ScopeError(parameter, "must not start or end with whitespace");
  if ([...value].some(isControl))
    throw new ScopeError(parameter, "must not contain control characters (NUL, newlines, tabs, ...)");
  if (value.includes("*"))
    throw new ScopeError(parameter, 'must not contain "*" (mem0 reads it as a wildcard matching every id)');
  return value;
}

/** The scope of a scoped tool (add, search, list, delete_all): user_id required, agent_id, run_id and app_id optional. */
export function readScope(params: Partial<Record<ScopeKey, string>>): Scope {
  const owner = readOwner(params);
  if (owner?.user_id === undefined) throw new ScopeError("user_id", "is required");
  return owner as Scope;
}

/**
 * The owner check of a memory-id tool (get, update, delete, history): any of
 * user_id, agent_id, run_id, app_id, or undefined when none is given. A blank value
 * counts as not given, as Dify sends empty form fields.
 */
export function readOwner(params: Partial<Record<ScopeKey, string>>): OwnerScope | undefined {
  const owner: OwnerScope = {};
  for (const key of SCOPE_KEYS) {
    const value = params[key];
    if (value === undefined || (typeof value === "string" && value.trim() === "")) continue;
    owner[key] = checkScopeValue(key, value);
  }
  return Object.keys(owner).length > 0 ? owner : undefined;
}

/**
 * Whether a stored memory lies inside the owner scope: mem0ai's get() result
 * carries user_id, agent_id and run_id, and app_id inside its metadata.
 */
export function ownedBy(memory: object, owner: OwnerScope): boolean {
  const stored = memory as Partial<Record<ScopeKey, unknown>> & { metadata?: Record<string, unknown> };
  return SCOPE_KEYS.every(
    (key) => owner[key] === undefined || (key === "app_id" ? stored.metadata?.app_id : stored[key]) === owner[key],
  );
}

/**
 * Checks what Dify sends against the declarations before a handler runs, and
 * coerces the loose forms Dify and models produce ("42" for a number, "true"
 * for a boolean). Every error names the field and what was expected; secret
 * values are never echoed.
 */
import type {
  CredentialField,
  CredentialFields,
  Credentials,
  DifyFile,
  Parameters,
  ToolParameter,
  ToolParameters,
} from "./definitions.js";
import { CredentialValidationError, ValidationError } from "./errors.js";

const FILE_IDENTITY = "__dify__file__";

/** The one place received values become the handler's typed parameters. */
export function validateParameters<P extends ToolParameters>(
  declared: P,
  received: Record<string, unknown>,
): Parameters<P> {
  const result: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name in declared) {
    try {
      const value = coerceParameter(name, declared[name]!, received[name]);
      if (value !== undefined) result[name] = value;
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) throw new ValidationError(problems.join("; "));
  return result as Parameters<P>;
}

/** Credentials that do not match the provider's declaration fail like a rejected key: ToolProviderCredentialValidationError. */
export function validateCredentials<C extends CredentialFields>(
  declared: C,
  received: Record<string, unknown>,
): Credentials<C> {
  const result: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name in declared) {
    try {
      const value = coerceCredential(name, declared[name]!, received[name]);
      if (value !== undefined) result[name] = value;
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) throw new CredentialValidationError(problems.join("; "));
  return result as Credentials<C>;
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

function coerceParameter(name: string, parameter: ToolParameter, value: unknown): unknown {
  const what = `parameter "${name}"`;
  const emptyList = Array.isArray(value) && value.length === 0 && (parameter.type === "files" || isMultiple(parameter));
  if (isMissing(value) || emptyList) {
    if ("default" in parameter && parameter.default !== undefined) return parameter.default;
    if (parameter.required) throw new Error(`${what} is required (${parameter.label.en_US})`);
    return undefined;
  }
  // Only an error shows the value (most values are valid; previewing each cost a share of every call).
  const shown = () => (parameter.type === "secret-input" ? "a secret value" : preview(value));
  switch (parameter.type) {
    case "string":
    case "secret-input":
      if (typeof value === "string") return value;
      if (typeof value === "number" || typeof value === "boolean") return String(value);
      throw new Error(`${what} must be a string; got ${shown()}`);
    case "number": {
      const number = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : Number.NaN;
      if (!Number.isFinite(number)) throw new Error(`${what} must be a number; got ${shown()}`);
      if (parameter.min !== undefined && number < parameter.min)
        throw new Error(`${what} must be at least ${parameter.min}; got ${number}`);
      if (parameter.max !== undefined && number > parameter.max)
        throw new Error(`${what} must be at most ${parameter.max}; got ${number}`);
      return number;
    }
    case "boolean":
    case "checkbox":
      return coerceBoolean(what, value);
    case "select": {
      const allowed = parameter.options.map((option) => option.value);
      const check = (item: unknown, path: string) => {
        if (typeof item === "string" && allowed.includes(item)) return item;
        throw new Error(
          `${path} must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}; got ${preview(item)}`,
        );
      };
      return parameter.multiple
        ? listOf(what, value).map((item, index) => check(item, `${what}[${index}]`))
        : check(value, what);
    }
    case "dynamic-select": {
      // The options are fetched when the user picks; only their form is checked here.
      const check = (item: unknown, path: string) => {
        if (typeof item === "string") return item;
        if (typeof item === "number") return String(item);
        throw new Error(`${path} must be the value of one of its options (a string); got ${preview(item)}`);
      };
      return parameter.multiple
        ? listOf(what, value).map((item, index) => check(item, `${what}[${index}]`))
        : check(value, what);
    }
    case "date":
      return coerceDate(what, value);
    case "date-range":
      return coerceDateRange(what, value);
    case "model-selector":
      return requireObject(what, value, ["provider", "model", "model_type"], "a model chosen in the node");
    case "app-selector":
      return requireObject(what, value, ["app_id"], "an app chosen in the node");
    case "object":
      return requireObject(what, typeof value === "string" ? parseJson(what, value) : value, [], "a JSON object");
    case "array": {
      const list = typeof value === "string" ? parseJson(what, value) : value;
      if (Array.isArray(list)) return list;
      throw new Error(`${what} must be a JSON array; got ${shown()}`);
    }
    case "any":
      return value;
    case "file":
      return coerceFile(what, value);
    case "files": {
      const list = Array.isArray(value) ? value : [value];
      return list.map((item, index) => coerceFile(`${what}[${index}]`, item));
    }
  }
}

function isMultiple(parameter: ToolParameter): boolean {
  return (parameter.type === "select" || parameter.type === "dynamic-select") && parameter.multiple === true;
}

/** A multiple-choice value: a list, or one value alone (a model often sends just one). */
function listOf(what: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string" && value.trim().startsWith("[")) {
    const parsed = parseJson(what, value);
    if (Array.isArray(parsed)) return parsed;
  }
  return [value];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function coerceDate(what: string, value: unknown): string {
  const match = typeof value === "string" ? DATE.exec(value.trim()) : null;
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day)
      return match[0];
  }
  throw new Error(`${what} must be a date as YYYY-MM-DD; got ${preview(value)}`);
}

/** Two dates, as {start, end} or [start, end]; start must not be after end. */
function coerceDateRange(what: string, value: unknown): { start: string; end: string } {
  const raw = typeof value === "string" ? parseJson(what, value) : value;
  const pair = Array.isArray(raw)
    ? { start: raw[0], end: raw[1] }
    : typeof raw === "object" && raw !== null
      ? (raw as Record<string, unknown>)
      : undefined;
  if (!pair) throw new Error(`${what} must be {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}; got ${preview(value)}`);
  const start = coerceDate(`${what}.start`, pair.start);
  const end = coerceDate(`${what}.end`, pair.end);
  if (start > end) throw new Error(`${what}.start (${start}) is after its end (${end})`);
  return { start, end };
}

function requireObject(what: string, value: unknown, keys: readonly string[], expected: string): object {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error(`${what} must be ${expected}; got ${preview(value)}`);
  const missing = keys.filter((key) => typeof (value as Record<string, unknown>)[key] !== "string");
  if (missing.length > 0) throw new Error(`${what} must be ${expected}: ${missing.join(", ")} missing`);
  return value;
}

function parseJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${what} must be JSON; got ${preview(text)}`);
  }
}

function coerceCredential(name: string, field: CredentialField, value: unknown): unknown {
  const what = `credential "${name}"`;
  if (isMissing(value) || (typeof value === "string" && value.trim() === "")) {
    if (field.default !== undefined) return field.default;
    if (field.required) throw new Error(`${what} is required: set ${field.label.en_US} in the plugin's credentials`);
    return undefined;
  }
  switch (field.type) {
    case "secret-input":
    case "text-input":
      if (typeof value === "string") return value.trim();
      if (typeof value === "number" || typeof value === "boolean") return String(value);
      throw new Error(`${what} must be text`);
    case "boolean":
      return coerceBoolean(what, value);
    case "select": {
      const allowed = field.options.map((option) => option.value);
      if (typeof value === "string" && allowed.includes(value)) return value;
      throw new Error(
        `${what} must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}; got ${preview(value)}`,
      );
    }
  }
}

function coerceBoolean(what: string, value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number" && (value === 0 || value === 1)) return value === 1;
  if (typeof value === "string") {
    const normalised = value.trim().toLowerCase();
    if (["true", "1", "yes", "on"].includes(normalised)) return true;
    if (["false", "0", "no", "off"].includes(normalised)) return false;
  }
  throw new Error(`${what} must be true or false; got ${preview(value)}`);
}

function coerceFile(what: string, value: unknown): DifyFile {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${what} must be a Dify file object with a url; got ${preview(value)}`);
  }
  const file = value as Record<string, unknown>;
  if (typeof file.url !== "string" || file.url === "") {
    throw new Error(`${what} has no url: pass a file from a Dify variable (it carries a signed download url)`);
  }
  // Lists of files sometimes arrive without the identity tag (see research s3.md 3.1); their url is all we need.
  return { ...file, dify_model_identity: FILE_IDENTITY, url: file.url } as DifyFile;
}

function preview(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

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
  for (const [name, parameter] of Object.entries(declared)) {
    try {
      const value = coerceParameter(name, parameter, received[name]);
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
  for (const [name, field] of Object.entries(declared)) {
    try {
      const value = coerceCredential(name, field, received[name]);
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
  if (isMissing(value) || (Array.isArray(value) && value.length === 0 && parameter.type === "files")) {
    if ("default" in parameter && parameter.default !== undefined) return parameter.default;
    if (parameter.required) throw new Error(`${what} is required (${parameter.label.en_US})`);
    return undefined;
  }
  const shown = parameter.type === "secret-input" ? "a secret value" : preview(value);
  switch (parameter.type) {
    case "string":
    case "secret-input":
      if (typeof value === "string") return value;
      if (typeof value === "number" || typeof value === "boolean") return String(value);
      throw new Error(`${what} must be a string; got ${shown}`);
    case "number": {
      const number = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : Number.NaN;
      if (!Number.isFinite(number)) throw new Error(`${what} must be a number; got ${shown}`);
      if (parameter.min !== undefined && number < parameter.min)
        throw new Error(`${what} must be at least ${parameter.min}; got ${number}`);
      if (parameter.max !== undefined && number > parameter.max)
        throw new Error(`${what} must be at most ${parameter.max}; got ${number}`);
      return number;
    }
    case "boolean":
      return coerceBoolean(what, value);
    case "select": {
      const allowed = parameter.options.map((option) => option.value);
      if (typeof value === "string" && allowed.includes(value)) return value;
      throw new Error(`${what} must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}; got ${shown}`);
    }
    case "file":
      return coerceFile(what, value);
    case "files": {
      const list = Array.isArray(value) ? value : [value];
      return list.map((item, index) => coerceFile(`${what}[${index}]`, item));
    }
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

import { describe, expect, it } from "vitest";
import { localized, type CredentialFields, type ToolParameters } from "./definitions.js";
import { CredentialValidationError, ValidationError } from "./errors.js";
import { validateCredentials, validateParameters } from "./validation.js";

const base = { label: localized("L"), human_description: localized("H"), form: "llm" as const };

const parameters = {
  s: { ...base, type: "string", required: true },
  n: { ...base, type: "number", min: 1, max: 10 },
  d: { ...base, type: "number", default: 5 },
  b: { ...base, type: "boolean" },
  choice: {
    ...base,
    type: "select",
    options: [
      { value: "a", label: localized("A") },
      { value: "b", label: localized("B") },
    ],
  },
  secret: { ...base, type: "secret-input" },
  file: { ...base, type: "file" },
  files: { ...base, type: "files" },
} satisfies ToolParameters;

const file = { dify_model_identity: "__dify__file__", url: "https://dify/files/1?sign=x", filename: "a.txt" };

function problem(received: Record<string, unknown>): string {
  try {
    validateParameters(parameters, { s: "x", ...received });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errorType).toBe("ToolParameterValidationError");
    return (error as Error).message;
  }
  throw new Error("expected a validation error");
}

describe("validateParameters", () => {
  it("accepts every type and coerces the loose forms Dify and models send", () => {
    const result = validateParameters(parameters, {
      s: 42,
      n: "7",
      b: "true",
      choice: "b",
      secret: "sk",
      file,
      files: file,
    });
    expect(result).toEqual({ s: "42", n: 7, d: 5, b: true, choice: "b", secret: "sk", file, files: [file] });
    expect(validateParameters(parameters, { s: "x", b: 0, files: [file, { url: "/files/2" }] })).toMatchObject({
      b: false,
      files: [file, { url: "/files/2", dify_model_identity: "__dify__file__" }],
    });
  });

  it("treats missing, null and empty values as absent: defaults apply, required ones fail", () => {
    expect(validateParameters(parameters, { s: "x", n: null, d: "", files: [] })).toEqual({ s: "x", d: 5 });
    expect(problem({ s: "" })).toBe('parameter "s" is required (L)');
  });

  it("names the parameter and what was expected", () => {
    expect(problem({ n: "many" })).toBe('parameter "n" must be a number; got "many"');
    expect(problem({ n: 0 })).toBe('parameter "n" must be at least 1; got 0');
    expect(problem({ n: 11 })).toBe('parameter "n" must be at most 10; got 11');
    expect(problem({ b: "maybe" })).toBe('parameter "b" must be true or false; got "maybe"');
    expect(problem({ choice: "z" })).toBe('parameter "choice" must be one of "a", "b"; got "z"');
    expect(problem({ s: { nested: true } })).toBe('parameter "s" must be a string; got {"nested":true}');
    expect(problem({ file: "https://x" })).toBe(
      'parameter "file" must be a Dify file object with a url; got "https://x"',
    );
    expect(problem({ files: [file, { filename: "no-url" }] })).toContain('parameter "files"[1] has no url');
  });

  it("never echoes a secret parameter's value", () => {
    expect(problem({ secret: { token: "sk-live-123" } })).toBe(
      'parameter "secret" must be a string; got a secret value',
    );
  });

  it("reports every problem at once", () => {
    expect(problem({ n: 0, choice: "z" }).split("; parameter")).toHaveLength(2);
  });
});

const credentials = {
  api_key: { type: "secret-input", required: true, label: localized("API key") },
  endpoint: { type: "text-input", default: "https://api", label: localized("Endpoint") },
  verbose: { type: "boolean", default: false, label: localized("Verbose") },
  region: {
    type: "select",
    options: [
      { value: "eu", label: localized("EU") },
      { value: "us", label: localized("US") },
    ],
    label: localized("Region"),
  },
} satisfies CredentialFields;

describe("validateCredentials", () => {
  it("trims text, applies defaults, coerces booleans and drops undeclared fields", () => {
    expect(validateCredentials(credentials, { api_key: "  sk-1  ", verbose: "1", region: "eu", extra: "x" })).toEqual({
      api_key: "sk-1",
      endpoint: "https://api",
      verbose: true,
      region: "eu",
    });
  });

  it("fails like a rejected key, naming the field, without echoing secrets", () => {
    const attempt = () => validateCredentials(credentials, { api_key: "   ", region: "mars" });
    expect(attempt).toThrow(CredentialValidationError);
    expect(attempt).toThrow(
      'credential "api_key" is required: set API key in the plugin\'s credentials; credential "region" must be one of "eu", "us"; got "mars"',
    );
    expect(() => validateCredentials(credentials, { api_key: { value: "sk-secret" } })).toThrow(
      'credential "api_key" must be text',
    );
    expect(() => validateCredentials(credentials, { api_key: "k", verbose: "perhaps" })).toThrow(
      'credential "verbose" must be true or false; got "perhaps"',
    );
  });
});

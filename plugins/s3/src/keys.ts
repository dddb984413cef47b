/**
 * Object keys. Tools take keys relative to KEY_PREFIX and return them relative
 * to it, so any key a tool reports can be passed back to another tool; the
 * prefix is a folder the plugin never leaves. Keys are checked before any
 * request so mistakes fail with a message naming the parameter.
 */
import { CredentialValidationError, ValidationError } from "@dify-ts/runtime";

const MAX_KEY_BYTES = 1024;

/** KEY_PREFIX as a folder: "" or "a/b/". */
export function normalizePrefix(raw: string | undefined): string {
  const prefix = (raw ?? "").trim();
  if (prefix === "") return "";
  const problem = keyProblem(prefix);
  if (problem) throw new CredentialValidationError(`credential "KEY_PREFIX" ${problem}`);
  return prefix.endsWith("/") ? prefix : `${prefix}/`;
}

/** The key a tool works on: `s3_key`, else `filename`, else an error naming both. */
export function chooseKey(params: { s3_key?: string | undefined; filename?: string | undefined }): {
  key: string;
  from: "s3_key" | "filename";
} {
  if (params.s3_key?.trim()) return { key: params.s3_key.trim(), from: "s3_key" };
  if (params.filename?.trim()) return { key: params.filename.trim(), from: "filename" };
  throw new ValidationError('no object key: set "s3_key" (for example reports/2025/summary.pdf) or "filename"');
}

/** Checks a key given by a parameter and returns the full key inside the bucket. */
export function objectKey(prefix: string, key: string, parameter = "s3_key"): string {
  const problem = keyProblem(key);
  if (problem) throw new ValidationError(`parameter "${parameter}" ${problem}`);
  const full = prefix + key;
  const bytes = Buffer.byteLength(full, "utf8");
  if (bytes > MAX_KEY_BYTES) {
    throw new ValidationError(
      `parameter "${parameter}" is too long: with KEY_PREFIX the key is ${bytes} bytes (UTF-8), S3 allows at most ${MAX_KEY_BYTES}`,
    );
  }
  return full;
}

/** A full key from the bucket, as tools report it. */
export function relativeKey(prefix: string, full: string): string {
  return full.startsWith(prefix) ? full.slice(prefix.length) : full;
}

function keyProblem(key: string): string | undefined {
  if (key === "") return "is empty: give an object key such as reports/summary.pdf";
  if (key.startsWith("/"))
    return `must not start with "/" (got ${JSON.stringify(shorten(key))}): S3 keys are relative, write ${JSON.stringify(shorten(key.replace(/^\/+/, "")))}`;
  if (key.split("/").includes(".."))
    return `must not contain ".." segments (got ${JSON.stringify(shorten(key))}): keys cannot leave their folder`;
  if ([...key].some((character) => character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f))
    return "must not contain control characters such as line breaks";
  // Half of a surrogate pair has no UTF-8 form: the SDK would send U+FFFD and store another key than the one asked for.
  if (/\p{Cs}/u.test(key))
    return "contains a lone UTF-16 surrogate (half of an emoji or other character), which has no UTF-8 form: send the whole character";
  if (Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES) return `is longer than ${MAX_KEY_BYTES} bytes (UTF-8)`;
  return undefined;
}

function shorten(key: string): string {
  return key.length > 80 ? `${key.slice(0, 77)}...` : key;
}

/**
 * Content types: the one a caller declared (a Dify file's mime_type, a data:
 * URL's type), else a guess from the key's extension, else the generic binary
 * type, so objects open correctly when downloaded through a browser.
 */
import mime from "mime/lite";
import { ValidationError } from "@dify-ts/runtime";

export const BINARY = "application/octet-stream";

export function contentTypeFor(key: string, declared?: string | null): string {
  const given = declared?.trim();
  if (given) return given;
  return mime.getType(key) ?? BINARY;
}

/**
 * Refuses a parameter value bound for an HTTP header that holds CR, LF or another
 * control character: signed as given, it would split the header in two.
 */
export function checkHeaderValue(value: string, problem: string): void {
  if (/\p{Cc}/u.test(value)) throw new ValidationError(problem);
}

/** An object's type as stored, unless it is S3's generic default: then the key's extension says more. */
export function storedContentType(key: string, stored: string | undefined): string {
  const generic = !stored || stored === BINARY || stored === "binary/octet-stream";
  return contentTypeFor(key, generic ? undefined : stored);
}

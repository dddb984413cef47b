/**
 * Content types: the one a caller declared (a Dify file's mime_type, a data:
 * URL's type), else a guess from the key's extension, else the generic binary
 * type, so objects open correctly when downloaded through a browser.
 */
import mime from "mime/lite";

export const BINARY = "application/octet-stream";

export function contentTypeFor(key: string, declared?: string | null): string {
  const given = declared?.trim();
  if (given) return given;
  return mime.getType(key) ?? BINARY;
}


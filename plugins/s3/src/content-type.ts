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


/** An object's type as stored, unless it is S3's generic default: then the key's extension says more. */
export function storedContentType(key: string, stored: string | undefined): string {
  const generic = !stored || stored === BINARY || stored === "binary/octet-stream";
  return contentTypeFor(key, generic ? undefined : stored);
}

/**
 * Base64 both ways. Encoding (s3_download_base64) goes piece by piece, so an
 * object is never held whole. Decoding is strict, for s3_upload_base64:
 * standard or URL-safe alphabet, line breaks allowed, padding optional but
 * only at the end, or a `data:<type>;base64,` URL whose type becomes the
 * object's content type.
 * Anything else is refused with the position of the first bad character,
 * because Buffer.from(..., "base64") silently skips garbage.
 */
import { ValidationError } from "@dify-ts/runtime";
import { checkHeaderValue } from "./content-type.js";

export interface DecodedBase64 {
  bytes: Buffer;
  /** From a data: URL, when it names one. */
  mediaType: string | undefined;
}

const PARAMETER = 'parameter "file_base64"';

export function decodeBase64(input: string): DecodedBase64 {
  let data = input.trim();
  let mediaType: string | undefined;
  if (/^data:/i.test(data)) {
    const comma = data.indexOf(",");
    if (comma < 0) throw new ValidationError(`${PARAMETER} is a data: URL without a comma before the data`);
    const header = data.slice(5, comma);
    checkHeaderValue(
      header,
      `${PARAMETER} is a data: URL whose MIME type contains a line break (CR or LF) or another control character: write it on one line, as data:<type>;base64,<data>`,
    );
    const [type, ...flags] = header.split(";").map((part) => part.trim());
    if (!flags.some((flag) => flag.toLowerCase() === "base64")) {
      throw new ValidationError(
        `${PARAMETER} is a data: URL without ";base64": write it as data:${type || "application/octet-stream"};base64,<data>`,
      );
    }
    mediaType = type || undefined;
    data = data.slice(comma + 1);
  }
  const compact = data.replace(/\s+/g, "");
  if (compact === "") throw new ValidationError(`${PARAMETER} holds no data`);
  const bad = /[^A-Za-z0-9+/=_-]/.exec(compact);
  if (bad) {
    throw new ValidationError(
      `${PARAMETER} is not valid base64: character ${JSON.stringify(bad[0])} at position ${bad.index + 1} is not in the base64 alphabet`,
    );
  }
  if (/[-_]/.test(compact) && /[+/]/.test(compact)) {
    throw new ValidationError(
      `${PARAMETER} is not valid base64: it mixes the standard (+/) and URL-safe (-_) alphabets`,
    );
  }
  const firstPad = compact.indexOf("=");
  const body = firstPad < 0 ? compact : compact.slice(0, firstPad);
  const padding = compact.length - body.length;
  if (padding > 0 && (!/^={1,2}$/.test(compact.slice(firstPad)) || compact.length % 4 !== 0)) {
    throw new ValidationError(
      `${PARAMETER} is not valid base64: "=" padding may only close the data, once or twice, on a multiple of 4 characters`,
    );
  }
  if (body.length % 4 === 1) {
    throw new ValidationError(
      `${PARAMETER} is not valid base64: its length (${body.length} characters without padding) is cut off; was it truncated?`,
    );
  }
  return { bytes: Buffer.from(body.replace(/-/g, "+").replace(/_/g, "/"), "base64"), mediaType };
}

/**
 * The base64 of a byte stream, piece by piece: every piece but the last encodes
 * a multiple of 3 bytes, so the pieces joined are the base64 of the whole.
 */
export async function* encodeBase64(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let carry = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const bytes =
      carry.byteLength > 0
        ? Buffer.concat([carry, chunk])
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const whole = bytes.byteLength - (bytes.byteLength % 3);
    // At most 2 bytes, copied so the chunk they came from can be freed.
    carry = Buffer.from(bytes.subarray(whole));
    if (whole > 0) yield bytes.subarray(0, whole).toString("base64");
  }
  if (carry.byteLength > 0) yield carry.toString("base64");
}

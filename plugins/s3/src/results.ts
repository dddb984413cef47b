/**
 * The output every object tool ends with: a confirmation text, one JSON
 * message {bucket, key, s3_uri, size, etag, content_type, presigned_url?},
 * and, when asked, the seed's second text message "Presigned URL: <url>".
 * `key` is relative to KEY_PREFIX, so it can be passed to the next tool.
 */
import { json, text, type JsonObject, type ToolMessage } from "@dify-ts/runtime";
import type { S3Bucket } from "./bucket.js";
import { expirySeconds, presignGet, wantsPresignedUrl, type PresignParameters } from "./presign.js";

export interface ObjectFacts {
  /** Full key inside the bucket. */
  key: string;
  size: number | undefined;
  etag: string | undefined;
  contentType: string | undefined;
  /** The version asked for: the presigned URL then reads that version. */
  versionId?: string | undefined;
  /** Further JSON fields for this tool. */
  extra?: JsonObject;
}

export async function* objectReport(
  bucket: S3Bucket,
  facts: ObjectFacts,
  confirmation: string,
  presign: PresignParameters,
): AsyncGenerator<ToolMessage> {
  let url: string | undefined;
  let expiresIn: number | undefined;
  if (wantsPresignedUrl(presign)) {
    expiresIn = expirySeconds(presign);
    url = await presignGet(bucket, facts.key, expiresIn, facts.versionId);
  }
  // Dify joins a node's text messages; keep the seed's "Presigned URL:" line on its own.
  yield text(url ? `${confirmation}\n` : confirmation);
  yield json({
    bucket: bucket.name,
    key: bucket.relative(facts.key),
    s3_uri: bucket.uri(facts.key),
    size: facts.size ?? null,
    etag: unquote(facts.etag),
    content_type: facts.contentType ?? null,
    ...(url ? { presigned_url: url, presigned_url_expires_in: expiresIn! } : {}),
    ...facts.extra,
  });
  if (url) yield text(`Presigned URL: ${url}`);
}

/** S3 quotes ETags ("\"9a0364b9...\""); tools report the bare value. */
export function unquote(etag: string | undefined): string | null {
  return etag ? etag.replace(/^W\//, "").replace(/^"|"$/g, "") : null;
}

export function describeSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${bytes} bytes (${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]})`;
}

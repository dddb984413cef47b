/**
 * s3_list_objects with include_versions: one page of ListObjectVersions. Its
 * two paging markers travel as one opaque continuation_token, so paging works
 * as it does without versions.
 */
import { ListObjectVersionsCommand } from "@aws-sdk/client-s3";
import { json, text, ValidationError, type ToolMessage } from "@dify-ts/runtime";
import type { S3Bucket } from "./bucket.js";
import { unquote } from "./results.js";

export interface VersionsPage {
  /** Full prefix (KEY_PREFIX included). */
  prefix: string;
  delimiter: string | undefined;
  maxKeys: number;
  token: string | undefined;
}

export async function* listVersions(
  bucket: S3Bucket,
  page: VersionsPage,
  signal: AbortSignal,
): AsyncGenerator<ToolMessage> {
  const markers = page.token ? readToken(page.token) : undefined;
  const listed = await bucket.call("list versions under", bucket.uri(page.prefix), () =>
    bucket.client.send(
      new ListObjectVersionsCommand({
        Bucket: bucket.name,
        Prefix: page.prefix || undefined,
        Delimiter: page.delimiter || undefined,
        MaxKeys: page.maxKeys,
        KeyMarker: markers?.key,
        VersionIdMarker: markers?.version,
      }),
      { abortSignal: signal },
    ),
  );
  const versions = (listed.Versions ?? []).map((version) => ({
    key: bucket.relative(version.Key ?? ""),
    version_id: version.VersionId ?? null,
    is_latest: version.IsLatest ?? false,
    size: version.Size ?? null,
    etag: unquote(version.ETag),
    last_modified: version.LastModified?.toISOString() ?? null,
  }));
  const deleteMarkers = (listed.DeleteMarkers ?? []).map((marker) => ({
    key: bucket.relative(marker.Key ?? ""),
    version_id: marker.VersionId ?? null,
    is_latest: marker.IsLatest ?? false,
    last_modified: marker.LastModified?.toISOString() ?? null,
  }));
  const folders = (listed.CommonPrefixes ?? []).map((entry) => bucket.relative(entry.Prefix ?? ""));
  const next = listed.IsTruncated ? writeToken(listed.NextKeyMarker, listed.NextVersionIdMarker) : null;
  const more = next ? "; more remain: pass next_continuation_token to get the next page" : "";
  const markersText = deleteMarkers.length ? `, ${deleteMarkers.length} delete marker(s)` : "";
  yield text(
    `Listed ${versions.length} object version(s)${markersText}${folders.length ? ` and ${folders.length} folder(s)` : ""} under ${bucket.uri(page.prefix)}${more}.`,
  );
  yield json({
    bucket: bucket.name,
    prefix: bucket.relative(page.prefix),
    s3_uri: bucket.uri(page.prefix),
    versions,
    delete_markers: deleteMarkers,
    common_prefixes: folders,
    is_truncated: listed.IsTruncated ?? false,
    next_continuation_token: next,
  });
}

function writeToken(key: string | undefined, version: string | undefined): string {
  return Buffer.from(JSON.stringify({ key: key ?? "", version: version ?? "" })).toString("base64url");
}

function readToken(token: string): { key: string | undefined; version: string | undefined } {
  try {
    const { key, version } = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      key?: unknown;
      version?: unknown;
    };
    if (typeof key === "string" && typeof version === "string")
      return { key: key || undefined, version: version || undefined };
  } catch {
    // Reported below, like any other token that is not ours.
  }
  throw new ValidationError(
    'parameter "continuation_token" is not a next_continuation_token from s3_list_objects with include_versions: pass the token of the previous page unchanged',
  );
}

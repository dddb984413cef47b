/**
 * Reading objects for the download tools: GetObject, whose body is streamed
 * (never buffered here), and a size guard that fails as soon as an object
 * turns out larger than the caller's limit.
 */
import { Readable } from "node:stream";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { PluginError } from "@dify-ts/runtime";
import type { S3Bucket } from "./bucket.js";
import { storedContentType } from "./content-type.js";

/** Dify refuses tool files above 30 MB (MiB, in its chunk merger). */
export const DIFY_FILE_LIMIT_BYTES = 30 * 1024 * 1024;

export interface OpenedObject {
  body: Readable;
  /** Content-Length; undefined only when the server sent none. */
  size: number | undefined;
  contentType: string;
  etag: string | undefined;
  lastModified: Date | undefined;
  /** The version read; undefined where the bucket keeps no versions. */
  versionId: string | undefined;
}

export async function openObject(
  bucket: S3Bucket,
  key: string,
  signal: AbortSignal,
  versionId?: string,
): Promise<OpenedObject> {
  const object = await bucket.call("download", bucket.uri(key, versionId), () =>
    bucket.client.send(new GetObjectCommand({ Bucket: bucket.name, Key: key, VersionId: versionId }), {
      abortSignal: signal,
    }),
  );
  if (!(object.Body instanceof Readable))
    throw new PluginError("S3Error", `the server sent no body for ${bucket.uri(key)}`);
  return {
    body: object.Body,
    size: object.ContentLength,
    contentType: storedContentType(key, object.ContentType),
    etag: object.ETag,
    lastModified: object.LastModified,
    versionId: object.VersionId,
  };
}

/** Passes the body through, failing once more than `limit` bytes arrived (for bodies of unknown length). */
export async function* limited(body: Readable, limit: number, tooLarge: () => PluginError): AsyncGenerator<Uint8Array> {
  let seen = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    seen += chunk.byteLength;
    if (seen > limit) {
      body.destroy();
      throw tooLarge();
    }
    yield chunk;
  }
}

/**
 * Writes an object with lib-storage's Upload: one PutObject below PART_SIZE,
 * a multipart upload above it, with at most QUEUE_SIZE parts in flight. A
 * stream is never held whole in memory: about (QUEUE_SIZE + 1) parts are
 * buffered at a time, which keeps a 1 GiB upload within the 150 MB target.
 */
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Upload } from "@aws-sdk/lib-storage";
import type { S3Bucket } from "./bucket.js";

export const PART_SIZE = 8 * 1024 * 1024;
export const QUEUE_SIZE = 4;
/** S3 allows 10,000 parts; stay below so the part size grows for huge known sizes. */
const MAX_PARTS = 9_000;

export interface UploadRequest {
  /** Full key inside the bucket. */
  key: string;
  body: Readable | Uint8Array;
  contentType: string;
  /** Bytes, when known in advance (a stream's Content-Length): only sizes the parts. */
  size?: number | undefined;
  signal?: AbortSignal;
}

export interface UploadOutcome {
  etag: string | undefined;
  size: number;
}

export async function uploadObject(bucket: S3Bucket, request: UploadRequest): Promise<UploadOutcome> {
  const counter = new ByteCounter();
  const body = request.body instanceof Uint8Array ? request.body : counter;
  // Piping at once (before any await) keeps every byte: the source may already be flowing.
  const piping = request.body instanceof Uint8Array ? Promise.resolve() : pipeline(request.body, counter);
  const upload = new Upload({
    client: bucket.client,
    params: { Bucket: bucket.name, Key: request.key, Body: body, ContentType: request.contentType },
    partSize: partSizeFor(request.size),
    queueSize: QUEUE_SIZE,
  });
  const onAbort = () => void upload.abort();
  request.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const [result] = await Promise.all([
      bucket.call("upload to", bucket.uri(request.key), () => upload.done()),
      piping,
    ]);
    return { etag: result.ETag, size: request.body instanceof Uint8Array ? request.body.byteLength : counter.bytes };
  } catch (error) {
    if (!(request.body instanceof Uint8Array)) request.body.destroy();
    counter.destroy();
    throw error;
  } finally {
    request.signal?.removeEventListener("abort", onAbort);
  }
}

function partSizeFor(size: number | undefined): number {
  if (size === undefined) return PART_SIZE;
  const needed = Math.ceil(size / MAX_PARTS / (1024 * 1024)) * 1024 * 1024;
  return Math.max(PART_SIZE, needed);
}

/** Passes bytes through and counts them. */
class ByteCounter extends Transform {
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.bytes += chunk.byteLength;
    this.push(chunk);
    callback();
  }
}

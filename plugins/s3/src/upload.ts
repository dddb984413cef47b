/**
 * Writes an object. A stream of known length above one part is uploaded in
 * parts streamed straight from the source (multipart.ts), so a 1 GiB file
 * costs no more memory than a small one. Everything else (bytes, small
 * streams, streams of unknown length) goes through lib-storage's Upload: one
 * PutObject below PART_SIZE, else a multipart upload holding at most
 * QUEUE_SIZE + 1 parts in memory.
 */
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Upload } from "@aws-sdk/lib-storage";
import type { Logger } from "@dify-ts/runtime";
import type { S3Bucket } from "./bucket.js";
import { sourceFailure } from "./errors.js";
import { abortFailedUpload, streamMultipart } from "./multipart.js";
import type { WriteOptions } from "./upload-options.js";

export const PART_SIZE = 8 * 1024 * 1024;
export const QUEUE_SIZE = 4;

export interface UploadRequest {
  /** Full key inside the bucket. */
  key: string;
  body: Readable | Uint8Array;
  contentType: string;
  /** Bytes the source announced (its Content-Length); a stream must then deliver exactly that many. */
  size?: number | undefined;
  /** Encryption, storage class, headers, metadata and tags of the new object. */
  options?: WriteOptions;
  /** Parts of a stream of unknown length held in flight (default QUEUE_SIZE); batches lower it to bound their memory. */
  partsInFlight?: number;
  signal?: AbortSignal;
  /** For what an operator must clean up (a multipart upload that could not be aborted). */
  logger: Logger;
}

export interface UploadOutcome {
  etag: string | undefined;
  size: number;
}

export async function uploadObject(bucket: S3Bucket, request: UploadRequest): Promise<UploadOutcome> {
  if (request.body instanceof Uint8Array) return bufferedUpload(bucket, { ...request, body: request.body });
  if (request.size !== undefined && request.size > PART_SIZE) {
    const etag = await streamMultipart(bucket, { ...request, body: request.body, size: request.size });
    return { etag, size: request.size };
  }
  return bufferedUpload(bucket, { ...request, body: request.body });
}

/** lib-storage's Upload; a stream's bytes are counted on the way. */
async function bufferedUpload(bucket: S3Bucket, request: UploadRequest): Promise<UploadOutcome> {
  const counter = new ByteCounter();
  const source = request.body;
  // Piping at once (before any await) keeps every byte even if the source is already flowing.
  const piping = source instanceof Uint8Array ? Promise.resolve() : pipeline(source, counter);
  const upload = new Upload({
    client: bucket.client,
    params: {
      ...request.options,
      Bucket: bucket.name,
      Key: request.key,
      Body: source instanceof Uint8Array ? source : counter,
      ContentType: request.contentType,
    },
    partSize: PART_SIZE,
    queueSize: request.partsInFlight ?? QUEUE_SIZE,
    // lib-storage would try the abort once; abortFailedUpload retries it while the server may be restarting.
    leavePartsOnError: true,
  });
  const onAbort = () => void upload.abort();
  request.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const [result] = await Promise.all([
      bucket.call("upload to", bucket.uri(request.key), () => upload.done()),
      piping,
    ]);
    return { etag: result.ETag, size: source instanceof Uint8Array ? source.byteLength : counter.bytes };
  } catch (error) {
    let failure = error;
    if (!(source instanceof Uint8Array)) {
      const broken = source.errored;
      source.destroy();
      counter.destroy();
      if (broken) failure = sourceFailure(broken, counter.bytes);
    }
    throw upload.uploadId
      ? await abortFailedUpload(bucket, request.key, upload.uploadId, request.logger, failure)
      : failure;
  } finally {
    request.signal?.removeEventListener("abort", onAbort);
  }
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

/**
 * Multipart uploads. Every failed one is aborted, retried while the server may
 * be restarting. And a multipart upload whose parts are streamed straight from
 * the source, one after the other, each with its exact Content-Length: nothing
 * is buffered beyond the streams' own small buffers. Used for sources of known length
 * above one part (a Dify file with Content-Length); lib-storage's Upload,
 * which holds whole parts in memory, takes the rest.
 */
import { once } from "node:events";
import { PassThrough, type Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type CompletedPart,
} from "@aws-sdk/client-s3";
import { PluginError, type Logger } from "@dify-ts/runtime";
import type { S3Bucket } from "./bucket.js";
import { classify, sourceFailure, type FailureKind } from "./errors.js";
import { noteTransferred } from "./memory.js";
import type { WriteOptions } from "./upload-options.js";

/** S3 allows 10,000 parts; staying below lets the part size grow for huge sources. */
const MAX_PARTS = 9_000;
const MIN_STREAMED_PART = 16 * 1024 * 1024;
/**
 * How long a failed upload keeps trying to abort itself before the tool
 * answers: a server that crashed is often back within seconds, and parts left
 * behind are billed until someone removes them.
 */
export const ABORT_DEADLINE_MS = 20_000;
const FIRST_ABORT_RETRY_MS = 250;
const LAST_ABORT_RETRY_MS = 4_000;
const TRANSIENT = new Set<FailureKind>(["refused", "reset", "timeout", "unreachable"]);

export interface StreamedUpload {
  key: string;
  body: Readable;
  size: number;
  contentType: string;
  options?: WriteOptions;
  signal?: AbortSignal;
  /** Where a multipart upload that could not be aborted is reported, for an operator to clean up. */
  logger: Logger;
}

export function streamedPartSize(size: number): number {
  const needed = Math.ceil(size / MAX_PARTS / (1024 * 1024)) * 1024 * 1024;
  return Math.max(MIN_STREAMED_PART, needed);
}

export async function streamMultipart(bucket: S3Bucket, upload: StreamedUpload): Promise<string | undefined> {
  const source = new PartReader(upload.body);
  const target = bucket.uri(upload.key);
  const { Bucket, Key } = { Bucket: bucket.name, Key: upload.key };
  const created = await bucket.call("start a multipart upload to", target, () =>
    bucket.client.send(
      new CreateMultipartUploadCommand({ ...upload.options, Bucket, Key, ContentType: upload.contentType }),
      { abortSignal: upload.signal },
    ),
  );
  const UploadId = created.UploadId;
  const parts: CompletedPart[] = [];
  try {
    const partSize = streamedPartSize(upload.size);
    for (let offset = 0, PartNumber = 1; offset < upload.size; offset += partSize, PartNumber++) {
      const length = Math.min(partSize, upload.size - offset);
      const body = new PassThrough();
      // The part's failures reach the caller through `sent` (the request) or `copy` (the source); destroying the
      // stream with either's error must not also raise it as an unhandled 'error' event once the request is gone.
      body.on("error", () => undefined);
      const sent = bucket
        .call("upload to", target, () =>
          bucket.client.send(
            new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: body, ContentLength: length }),
            { abortSignal: upload.signal },
          ),
        )
        .catch((error: unknown) => {
          body.destroy(error as Error);
          throw error;
        });
      const [, result] = await Promise.all([source.copy(body, length, upload.size), sent]);
      parts.push({ PartNumber, ETag: result.ETag });
    }
    await source.expectEnd(upload.size);
    const completed = await bucket.call("finish the upload to", target, () =>
      bucket.client.send(
        new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
        { abortSignal: upload.signal },
      ),
    );
    return completed.ETag;
  } catch (error) {
    upload.body.destroy();
    throw await abortFailedUpload(bucket, Key, UploadId!, upload.logger, error);
  }
}

/**
 * Aborts the multipart upload a failure interrupted and returns the error to
 * throw: the failure itself, or, when the upload could not be aborted, the
 * failure saying so.
 */
export async function abortFailedUpload(
  bucket: S3Bucket,
  key: string,
  uploadId: string,
  logger: Logger,
  error: unknown,
): Promise<unknown> {
  if (await abortUpload(bucket, key, uploadId, logger)) return error;
  const failure = error instanceof PluginError ? error : new PluginError("S3Error", String(error));
  return new PluginError(
    failure.errorType,
    `${failure.message}. The incomplete upload (id ${uploadId}) could not be aborted: ` +
      "its parts stay in the bucket until a lifecycle rule or an operator removes them (see the plugin's log)",
    { cause: error },
  );
}

/**
 * Aborts a multipart upload, retrying with backoff until ABORT_DEADLINE_MS
 * (the server may be restarting); true once it is gone. If it is not, an
 * operator log line names the bucket, key and upload id.
 */
async function abortUpload(bucket: S3Bucket, key: string, uploadId: string, logger: Logger): Promise<boolean> {
  const target = bucket.uri(key);
  const deadline = Date.now() + ABORT_DEADLINE_MS;
  for (let attempt = 1, delay = FIRST_ABORT_RETRY_MS; ; attempt++, delay = Math.min(delay * 2, LAST_ABORT_RETRY_MS)) {
    try {
      const remaining = Math.max(deadline - Date.now(), 1);
      await bucket.client.send(new AbortMultipartUploadCommand({ Bucket: bucket.name, Key: key, UploadId: uploadId }), {
        abortSignal: AbortSignal.timeout(remaining),
      });
      if (attempt > 1) logger.info(`aborted multipart upload ${uploadId} of ${target} at attempt ${attempt}`);
      return true;
    } catch (error) {
      // Already gone: a retry whose first answer was lost, or a lifecycle rule.
      if ((error as { name?: string }).name === "NoSuchUpload") return true;
      const failure = classify(error, bucket.failureContext("abort the multipart upload of", target));
      const reason = failure.message;
      // Only a server that is down, restarting or overloaded may answer differently later; a refusal (no permission) will not.
      const transient =
        TRANSIENT.has(failure.kind) ||
        ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0) >= 500;
      if (!transient || Date.now() + delay >= deadline) {
        logger.error(
          `could not abort multipart upload ${uploadId} of key ${JSON.stringify(key)} in bucket ${JSON.stringify(bucket.name)} ` +
            `${transient ? `within ${ABORT_DEADLINE_MS / 1000} s` : `(attempt ${attempt})`}; its parts stay in the bucket (and are billed) until removed: ` +
            `aws s3api abort-multipart-upload --bucket ${bucket.name} --key '${key.replaceAll("'", "'\\''")}' --upload-id ${uploadId} ` +
            `(add --endpoint-url for other servers), or a lifecycle rule with AbortIncompleteMultipartUpload. Last error: ${reason}`,
        );
        return false;
      }
      logger.warn(
        `abort of multipart upload ${uploadId} of ${target} failed (attempt ${attempt}); retrying in ${delay} ms: ${reason}`,
      );
      await sleep(delay);
    }
  }
}

/** Hands out a source stream's bytes in exact lengths, splitting chunks at part boundaries. */
class PartReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private carry: Buffer | undefined;
  private read = 0;

  constructor(body: Readable) {
    // Paused, a source keeps what arrives until the first part asks for it.
    body.pause();
    this.chunks = body[Symbol.asyncIterator]();
  }

  /** Writes exactly `length` bytes into `target` and ends it; on failure the part's request fails too. */
  async copy(target: PassThrough, length: number, expected: number): Promise<void> {
    try {
      let remaining = length;
      while (remaining > 0) {
        const chunk = this.carry ?? (await this.next(expected));
        this.carry = chunk.byteLength > remaining ? chunk.subarray(remaining) : undefined;
        const piece = this.carry ? chunk.subarray(0, remaining) : chunk;
        remaining -= piece.byteLength;
        this.read += piece.byteLength;
        noteTransferred(piece.byteLength);
        if (!target.write(piece)) await once(target, "drain");
      }
      target.end();
    } catch (error) {
      target.destroy(error as Error);
      throw error;
    }
  }

  async expectEnd(expected: number): Promise<void> {
    if (this.carry || !(await this.chunks.next()).done) {
      throw new PluginError(
        "FileDownloadError",
        `the file is longer than the ${expected} bytes its server announced; the upload was cancelled`,
      );
    }
  }

  private async next(expected: number): Promise<Buffer> {
    let step: IteratorResult<Buffer>;
    try {
      step = await this.chunks.next();
    } catch (error) {
      throw sourceFailure(error, this.read);
    }
    const { value, done } = step;
    if (done)
      throw new PluginError(
        "FileDownloadError",
        `the file ended after ${this.read} of the ${expected} bytes its server announced; the upload was cancelled`,
      );
    return value;
  }
}

/**
 * A multipart upload whose parts are streamed straight from the source, one
 * after the other, each with its exact Content-Length: nothing is buffered
 * beyond the streams' own small buffers. Used for sources of known length
 * above one part (a Dify file with Content-Length); lib-storage's Upload,
 * which holds whole parts in memory, takes the rest.
 */
import { once } from "node:events";
import { PassThrough, type Readable } from "node:stream";
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand, type CompletedPart,
} from "@aws-sdk/client-s3";
import { PluginError } from "@dify-ts/runtime";
import type { S3Bucket } from "./bucket.js";
import { sourceFailure } from "./errors.js";
import { noteTransferred } from "./memory.js";
import type { WriteOptions } from "./upload-options.js";

/** S3 allows 10,000 parts; staying below lets the part size grow for huge sources. */
const MAX_PARTS = 9_000;
const MIN_STREAMED_PART = 16 * 1024 * 1024;

export interface StreamedUpload {
  key: string;
  body: Readable;
  size: number;
  contentType: string;
  options?: WriteOptions;
  signal?: AbortSignal;
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
    bucket.client.send(new CreateMultipartUploadCommand({ ...upload.options, Bucket, Key, ContentType: upload.contentType }), { abortSignal: upload.signal }));
  const UploadId = created.UploadId;
  const parts: CompletedPart[] = [];
  try {
    const partSize = streamedPartSize(upload.size);
    for (let offset = 0, PartNumber = 1; offset < upload.size; offset += partSize, PartNumber++) {
      const length = Math.min(partSize, upload.size - offset);
      const body = new PassThrough();
      const sent = bucket.call("upload to", target, () =>
        bucket.client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: body, ContentLength: length }), { abortSignal: upload.signal }))
        .catch((error: unknown) => {
          body.destroy(error as Error);
          throw error;
        });
      const [, result] = await Promise.all([source.copy(body, length, upload.size), sent]);
      parts.push({ PartNumber, ETag: result.ETag });
    }
    await source.expectEnd(upload.size);
    const completed = await bucket.call("finish the upload to", target, () =>
      bucket.client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }), { abortSignal: upload.signal }));
    return completed.ETag;
  } catch (error) {
    upload.body.destroy();
    // Best effort: a failed upload should not leave its parts billed in the bucket.
    await bucket.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => undefined);
    throw error;
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
      throw new PluginError("FileDownloadError", `the file is longer than the ${expected} bytes its server announced; the upload was cancelled`);
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
    if (done) throw new PluginError("FileDownloadError", `the file ended after ${this.read} of the ${expected} bytes its server announced; the upload was cancelled`);
    return value;
  }
}

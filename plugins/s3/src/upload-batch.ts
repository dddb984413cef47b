/**
 * Several Dify files into one folder (s3_upload_files): each file streamed as
 * s3_upload_file streams one, at most `concurrency` at a time, so memory is
 * bounded by the concurrency, not by the number or size of the files. A file
 * of undeclared length goes through lib-storage, which holds and copies whole
 * 8 MiB parts (one such 40 MiB file peaked at 190 MB, two at once at 240 MB):
 * those run one at a time, so a batch costs no more than s3_upload_file. One
 * file failing does not stop the others; each gets its own result.
 */
import { posix } from "node:path";
import { errorTypeOf, openDifyFile, type DifyFile, type JsonObject, type Logger } from "@dify-ts/runtime";
import type { S3Bucket } from "./bucket.js";
import { Slots, forEachLimited } from "./concurrency.js";
import { contentTypeFor } from "./content-type.js";
import { presignGet } from "./presign.js";
import { unquote } from "./results.js";
import { uploadObject } from "./upload.js";
import type { WriteOptions } from "./upload-options.js";

export const MAX_CONCURRENCY = 8;
const PARTS_IN_FLIGHT_PER_FILE = 1;
const BUFFERED_FILES_AT_ONCE = 1;

export interface BatchRequest {
  files: DifyFile[];
  /** Full folder inside the bucket ("" or ending in "/"), KEY_PREFIX included. */
  folder: string;
  concurrency: number;
  options: WriteOptions;
  /** Seconds a presigned GET URL per file lasts; undefined for none. */
  presignSeconds: number | undefined;
  signal: AbortSignal;
  /** For what an operator must clean up (a multipart upload that could not be aborted). */
  logger: Logger;
}

export type FileResult = JsonObject & { filename: string; error: string | null };

export async function uploadBatch(bucket: S3Bucket, request: BatchRequest): Promise<FileResult[]> {
  const keys = plannedKeys(bucket, request);
  const results: FileResult[] = new Array(request.files.length);
  const buffered = new Slots(BUFFERED_FILES_AT_ONCE);
  await forEachLimited(request.files.length, request.concurrency, async (index) => {
    results[index] = await uploadOne(bucket, request, request.files[index]!, keys[index]!, buffered);
  });
  return results;
}

type PlannedKey = { filename: string; key: string } | { filename: string; problem: string; errorType: string };

/** Each file's key (folder + its name), checked; a name used twice in one call fails the later file instead of overwriting. */
function plannedKeys(bucket: S3Bucket, request: BatchRequest): PlannedKey[] {
  const seen = new Map<string, number>();
  return request.files.map((file, index) => {
    const filename = file.filename?.trim() || `file-${index + 1}${file.extension ?? ""}`;
    try {
      const key = bucket.key(bucket.relative(request.folder) + posix.basename(filename), `files[${index}].filename`);
      const earlier = seen.get(key);
      if (earlier !== undefined)
        return {
          filename,
          problem: `has the same key ${bucket.uri(key)} as files[${earlier}]; it was not uploaded, so that file is not overwritten: rename one of them`,
          errorType: "ToolParameterValidationError",
        };
      seen.set(key, index);
      return { filename, key };
    } catch (error) {
      return { filename, problem: (error as Error).message, errorType: errorTypeOf(error) };
    }
  });
}

async function uploadOne(
  bucket: S3Bucket,
  request: BatchRequest,
  file: DifyFile,
  planned: PlannedKey,
  buffered: Slots,
): Promise<FileResult> {
  if ("problem" in planned)
    return { filename: planned.filename, key: null, error: planned.problem, error_type: planned.errorType };
  const { filename, key } = planned;
  // Taken before the download starts: a paused download would hit its idle timeout while waiting.
  const release = typeof file.size === "number" && file.size >= 0 ? undefined : await buffered.take();
  try {
    const contentType = contentTypeFor(key, file.mime_type);
    const source = await openDifyFile(file, { baseUrl: bucket.settings.difyEndpoint, signal: request.signal });
    const uploaded = await uploadObject(bucket, {
      key,
      body: source.body,
      contentType,
      size: source.size,
      options: request.options,
      partsInFlight: PARTS_IN_FLIGHT_PER_FILE,
      signal: request.signal,
      logger: request.logger,
    });
    const presigned: JsonObject =
      request.presignSeconds === undefined
        ? {}
        : { presigned_url: await presignGet(bucket, key, request.presignSeconds) };
    return {
      filename,
      key: bucket.relative(key),
      s3_uri: bucket.uri(key),
      size: uploaded.size,
      etag: unquote(uploaded.etag),
      content_type: contentType,
      ...presigned,
      error: null,
    };
  } catch (error) {
    return {
      filename,
      key: bucket.relative(key),
      s3_uri: bucket.uri(key),
      error: (error as Error).message,
      error_type: errorTypeOf(error),
    };
  } finally {
    release?.();
  }
}

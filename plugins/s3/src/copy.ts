/**
 * Server-side copies for s3_copy_object and s3_move_object: the bytes never
 * pass through the plugin. Up to 5 GiB (CopyObject's limit) one CopyObject
 * keeps the object's headers, metadata and tags; above it a multipart copy
 * (UploadPartCopy of byte ranges, a few in flight) carries them over by hand.
 * Every part is made conditional on the source's ETag, so a source replaced
 * mid-copy fails the copy instead of mixing two versions.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type CompletedPart,
} from "@aws-sdk/client-s3";
import {
  localized,
  PluginError,
  ValidationError,
  type Logger,
  type ToolMessage,
  type ToolParameters,
} from "@dify-ts/runtime";
import { S3Bucket } from "./bucket.js";
import { forEachLimited } from "./concurrency.js";
import { encryptionParameters } from "./encryption.js";
import { abortFailedUpload } from "./multipart.js";
import { presignParameters } from "./parameters.js";
import { expirySeconds, type PresignParameters } from "./presign.js";
import { describeSize, objectReport } from "./results.js";
import { storageClassParameter, writeOptions, type UploadOptionParameters } from "./upload-options.js";

/** CopyObject copies at most 5 GiB; larger sources need a multipart copy. */
export const MULTIPART_COPY_THRESHOLD = 5 * 1024 ** 3;
const MIN_COPY_PART = 512 * 1024 ** 2;
/** S3 allows 10,000 parts; staying below lets the part size grow for sources near 5 TiB. */
const MAX_COPY_PARTS = 9_000;
const COPY_PARTS_IN_FLIGHT = 4;

export const copyParameters = {
  source_key: {
    type: "string",
    required: true,
    form: "llm",
    label: localized("Source key", "源对象键"),
    human_description: localized("Key of the object to copy (inside KEY_PREFIX)", "要复制的对象键（KEY_PREFIX 下）"),
    llm_description: "Key of the existing object, e.g. inbox/report.pdf.",
  },
  destination_key: {
    type: "string",
    required: true,
    form: "llm",
    label: localized("Destination key", "目标对象键"),
    human_description: localized("Key of the new object (inside KEY_PREFIX)", "新对象的键（KEY_PREFIX 下）"),
    llm_description: "Key for the copy, e.g. archive/2025/report.pdf.",
  },
  source_bucket: {
    type: "string",
    form: "llm",
    label: localized("Source bucket", "源存储桶"),
    human_description: localized(
      "Another bucket the credentials can read; empty means the configured bucket",
      "凭证可读取的其他存储桶；留空表示已配置的存储桶",
    ),
    llm_description: "Bucket of the source object; leave empty for the configured bucket.",
  },
  destination_bucket: {
    type: "string",
    form: "llm",
    label: localized("Destination bucket", "目标存储桶"),
    human_description: localized(
      "Another bucket the credentials can write; empty means the configured bucket",
      "凭证可写入的其他存储桶；留空表示已配置的存储桶",
    ),
    llm_description: "Bucket for the copy; leave empty for the configured bucket.",
  },
  ...storageClassParameter,
  ...encryptionParameters,
  ...presignParameters,
} as const satisfies ToolParameters;

export interface CopyParameters
  extends
    PresignParameters,
    Pick<UploadOptionParameters, "storage_class" | "server_side_encryption" | "sse_kms_key_id" | "sse_bucket_key"> {
  source_key: string;
  destination_key: string;
  source_bucket?: string | undefined;
  destination_bucket?: string | undefined;
}

export interface CopyPlan {
  source: S3Bucket;
  sourceKey: string;
  destination: S3Bucket;
  destinationKey: string;
}

export interface CopyOutcome {
  size: number;
  etag: string | undefined;
  contentType: string | undefined;
  multipart: boolean;
}

/** The buckets and full keys a copy reads and writes, checked; other buckets get their own view (close it with closePlan). */
export function planCopy(bucket: S3Bucket, params: CopyParameters): CopyPlan {
  const sourceKey = bucket.key(params.source_key.trim(), "source_key");
  const destinationKey = bucket.key(params.destination_key.trim(), "destination_key");
  const sourceName = bucketName(bucket, params.source_bucket, "source_bucket");
  const destinationName = bucketName(bucket, params.destination_bucket, "destination_bucket");
  if (sourceName === destinationName && sourceKey === destinationKey) {
    throw new ValidationError(
      `parameters "source_key" and "destination_key" name the same object (s3://${sourceName}/${sourceKey}): give the copy another key or bucket`,
    );
  }
  const view = (name: string) => (name === bucket.name ? bucket : new S3Bucket({ ...bucket.settings, bucket: name }));
  return { source: view(sourceName), sourceKey, destination: view(destinationName), destinationKey };
}

export function closePlan(bucket: S3Bucket, plan: CopyPlan): void {
  if (plan.source !== bucket) plan.source.close();
  if (plan.destination !== bucket) plan.destination.close();
}

export async function copyObject(
  plan: CopyPlan,
  params: CopyParameters,
  signal: AbortSignal,
  logger: Logger,
): Promise<CopyOutcome> {
  const { source, sourceKey, destination, destinationKey } = plan;
  const options = writeOptions(params, destination.settings.encryption);
  const head = await source.call("inspect", source.uri(sourceKey), () =>
    source.client.send(new HeadObjectCommand({ Bucket: source.name, Key: sourceKey }), { abortSignal: signal }),
  );
  const size = head.ContentLength ?? 0;
  const CopySource = copySource(source.name, sourceKey);
  const target = `${destination.uri(destinationKey)} from ${source.uri(sourceKey)}`;
  if (size <= MULTIPART_COPY_THRESHOLD) {
    const copied = await destination.call("copy to", target, () =>
      destination.client.send(
        new CopyObjectCommand({
          StorageClass: head.StorageClass,
          ...options,
          Bucket: destination.name,
          Key: destinationKey,
          CopySource,
          CopySourceIfMatch: head.ETag,
        }),
        { abortSignal: signal },
      ),
    );
    return { size, etag: copied.CopyObjectResult?.ETag, contentType: head.ContentType, multipart: false };
  }
  // A multipart copy starts a new object: headers, metadata and tags are carried over explicitly.
  const tags = await source.call("read the tags of", source.uri(sourceKey), () =>
    source.client.send(new GetObjectTaggingCommand({ Bucket: source.name, Key: sourceKey }), { abortSignal: signal }),
  );
  const Tagging =
    (tags.TagSet ?? [])
      .map((tag) => `${encodeURIComponent(tag.Key ?? "")}=${encodeURIComponent(tag.Value ?? "")}`)
      .join("&") || undefined;
  const { Bucket, Key } = { Bucket: destination.name, Key: destinationKey };
  const created = await destination.call("start a multipart copy to", target, () =>
    destination.client.send(
      new CreateMultipartUploadCommand({
        StorageClass: head.StorageClass,
        ...options,
        Bucket,
        Key,
        Tagging,
        ContentType: head.ContentType,
        CacheControl: head.CacheControl,
        ContentDisposition: head.ContentDisposition,
        ContentEncoding: head.ContentEncoding,
        ContentLanguage: head.ContentLanguage,
        Metadata: head.Metadata,
      }),
      { abortSignal: signal },
    ),
  );
  const UploadId = created.UploadId;
  try {
    const parts: CompletedPart[] = [];
    const partSize = copyPartSize(size);
    const count = Math.ceil(size / partSize);
    await forEachLimited(count, COPY_PARTS_IN_FLIGHT, async (index) => {
      const start = index * partSize;
      const end = Math.min(size, start + partSize) - 1;
      const PartNumber = index + 1;
      const result = await destination.call("copy to", target, () =>
        destination.client.send(
          new UploadPartCopyCommand({
            Bucket,
            Key,
            UploadId,
            PartNumber,
            CopySource,
            CopySourceRange: `bytes=${start}-${end}`,
            CopySourceIfMatch: head.ETag,
          }),
          { abortSignal: signal },
        ),
      );
      parts[index] = { PartNumber, ETag: result.CopyPartResult?.ETag };
    });
    const completed = await destination.call("finish the copy to", target, () =>
      destination.client.send(
        new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
        { abortSignal: signal },
      ),
    );
    return { size, etag: completed.ETag, contentType: head.ContentType, multipart: true };
  } catch (error) {
    const failure = sourceChanged(error)
      ? new PluginError(
          "S3Error",
          `${source.uri(sourceKey)} changed during the copy (its ETag no longer matches the one the copy started from): nothing was written to ${destination.uri(destinationKey)}; run the copy again`,
          { cause: error },
        )
      : error;
    // As for uploads: a failed copy should not leave its parts billed in the bucket (retried, else logged for an operator).
    throw await abortFailedUpload(destination, Key, UploadId!, logger, failure);
  }
}

/** A part copy refused by its x-amz-copy-source-if-match condition. */
function sourceChanged(error: unknown): boolean {
  const cause = (error instanceof PluginError ? error.cause : error) as
    { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return cause?.name === "PreconditionFailed" || cause?.$metadata?.httpStatusCode === 412;
}

/**
 * The body of s3_copy_object and s3_move_object: the copy, then for a move the
 * source's deletion (only after the copy succeeded), then the usual report.
 */
export async function* copyTool(
  bucket: S3Bucket,
  params: CopyParameters,
  signal: AbortSignal,
  logger: Logger,
  move: boolean,
): AsyncGenerator<ToolMessage> {
  expirySeconds(params);
  const plan = planCopy(bucket, params);
  try {
    const { source, sourceKey, destination, destinationKey } = plan;
    const copied = await copyObject(plan, params, signal, logger);
    if (move) {
      try {
        await source.call("delete", source.uri(sourceKey), () =>
          source.client.send(new DeleteObjectCommand({ Bucket: source.name, Key: sourceKey }), { abortSignal: signal }),
        );
      } catch (error) {
        const cause = error instanceof Error ? error.message : String(error);
        throw new PluginError(
          "S3Error",
          `copied ${source.uri(sourceKey)} to ${destination.uri(destinationKey)}, but could not delete the source: ${cause}. Both objects exist now; delete the source with s3_delete_object once the cause is fixed`,
        );
      }
    }
    const how = copied.multipart ? "server-side, as a multipart copy" : "server-side";
    const confirmation = `${move ? "Moved" : "Copied"} ${source.uri(sourceKey)} to ${destination.uri(destinationKey)} (${how}): ${describeSize(copied.size)}.`;
    const extra = {
      source_bucket: source.name,
      source_key: bucket.relative(sourceKey),
      source_s3_uri: source.uri(sourceKey),
      multipart_copy: copied.multipart,
      source_deleted: move,
    };
    yield* objectReport(
      destination,
      { key: destinationKey, size: copied.size, etag: copied.etag, contentType: copied.contentType, extra },
      confirmation,
      params,
    );
  } finally {
    closePlan(bucket, plan);
  }
}

/** 512 MiB, or more for sources that would need more than 9,000 parts. */
export function copyPartSize(size: number): number {
  const MiB = 1024 ** 2;
  return Math.max(MIN_COPY_PART, Math.ceil(size / MAX_COPY_PARTS / MiB) * MiB);
}

/** x-amz-copy-source: bucket/key, the key URL-encoded except its slashes. */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${encodeURIComponent(key).replace(/%2F/g, "/")}`;
}

/** A bucket a parameter names, checked; empty means the configured one. */
function bucketName(bucket: S3Bucket, name: string | undefined, parameter: string): string {
  const wanted = name?.trim();
  if (!wanted) return bucket.name;
  if (!/^[a-z0-9][a-z0-9.\-_]{1,254}$/i.test(wanted)) {
    throw new ValidationError(
      `parameter "${parameter}" ${JSON.stringify(wanted.slice(0, 80))} is not a bucket name: give the bucket's name only (letters, digits, ".", "-"), not a URL or a path`,
    );
  }
  return wanted;
}

/**
 * Credential validation: HeadBucket (the least privilege that proves the keys,
 * the endpoint and the bucket) under a deadline. A 403 to HeadBucket has no
 * body: a 403 cannot tell wrong keys from missing permission, and some servers
 * answer an unknown key or a wrong region with a bare 404 or 400. A
 * ListObjectsV2 probe, whose errors carry a code, settles which it is.
 */
import { HeadBucketCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { CredentialValidationError, PluginError, withDeadline, type ToolContext } from "@dify-ts/runtime";
import { openBucket, type S3Bucket } from "./bucket.js";
import type { S3Credentials } from "./credentials.js";
import { classify, lacksErrorCode, type Failure } from "./errors.js";
import { describeEndpoint } from "./settings.js";

export const VALIDATION_DEADLINE_MS = 20_000;

export async function validateS3Credentials(
  credentials: S3Credentials,
  context: ToolContext<S3Credentials>,
): Promise<void> {
  let bucket: S3Bucket;
  try {
    bucket = openBucket(credentials, { maxAttempts: 2 });
  } catch (error) {
    if (error instanceof PluginError) throw new CredentialValidationError(error.message);
    throw error;
  }
  try {
    const failure = await check(bucket, context.signal);
    if (failure) throw new CredentialValidationError(failure.message);
  } finally {
    bucket.close();
  }
}

async function check(bucket: S3Bucket, signal: AbortSignal): Promise<Failure | undefined> {
  const where = bucket.failureContext("check bucket", `"${bucket.name}"`);
  const head = await withDeadline(
    (abortSignal) => bucket.client.send(new HeadBucketCommand({ Bucket: bucket.name }), { abortSignal }),
    { milliseconds: VALIDATION_DEADLINE_MS, fallback: undefined, signal },
  );
  if (head.status === "ok") return undefined;
  if (head.status === "timeout") {
    return {
      kind: "timeout",
      message: `${describeEndpoint(bucket.settings)} did not answer within ${VALIDATION_DEADLINE_MS / 1000} s: check S3_ENDPOINT and that the plugin's network can reach it`,
    };
  }
  const failure = classify(head.error, where);
  if (!lacksErrorCode(head.error)) return failure;
  const probe = await withDeadline(
    (abortSignal) => bucket.client.send(new ListObjectsV2Command({ Bucket: bucket.name, MaxKeys: 1 }), { abortSignal }),
    { milliseconds: VALIDATION_DEADLINE_MS, fallback: undefined, signal },
  );
  if (probe.status === "error") {
    const detailed = classify(probe.error, where);
    if (detailed.kind !== "other") return detailed;
  }
  return failure;
}

/**
 * What every tool works with: the configured bucket behind a fresh client,
 * KEY_PREFIX applied to keys going in and removed from keys coming out, and
 * SDK calls whose failures become clear PluginErrors.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { ToolMessage } from "@dify-ts/runtime";
import { createS3Client, type ClientOptions } from "./client.js";
import type { S3Credentials } from "./credentials.js";
import { s3Failure, type FailureContext } from "./errors.js";
import { chooseKey, objectKey, relativeKey } from "./keys.js";
import { describeEndpoint, readSettings, type S3Settings } from "./settings.js";

export class S3Bucket {
  readonly client: S3Client;

  constructor(
    readonly settings: S3Settings,
    options: ClientOptions = {},
  ) {
    this.client = createS3Client(settings, options);
  }

  get name(): string {
    return this.settings.bucket;
  }

  /** The full key for a key a tool was given (checked, KEY_PREFIX applied). */
  key(relative: string, parameter?: string): string {
    return objectKey(this.settings.keyPrefix, relative, parameter);
  }

  /** The full key a tool's s3_key parameter (else filename) names. */
  keyFrom(params: { s3_key?: string | undefined; filename?: string | undefined }): string {
    const chosen = chooseKey(params);
    return this.key(chosen.key, chosen.from);
  }

  /** A full key as tools report it: relative to KEY_PREFIX. */
  relative(full: string): string {
    return relativeKey(this.settings.keyPrefix, full);
  }

  /** s3://bucket/key, with ?versionId=... when a version was asked for (the form the AWS CLI accepts). */
  uri(full = "", versionId?: string): string {
    return `s3://${this.settings.bucket}/${full}${versionId ? `?versionId=${encodeURIComponent(versionId)}` : ""}`;
  }

  /** Runs one SDK call; a failure is rethrown as a PluginError naming cause and fix. */
  async call<T>(operation: string, target: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw s3Failure(error, this.failureContext(operation, target));
    }
  }

  failureContext(operation: string, target: string): FailureContext {
    const { bucket, region, endpoint, forcePathStyle } = this.settings;
    return {
      operation,
      target,
      endpoint: describeEndpoint(this.settings),
      bucket,
      region,
      bucketInHostName: endpoint !== undefined && !forcePathStyle,
      temporaryCredentials: this.settings.sessionToken !== undefined,
    };
  }

  /** Closes the client's sockets; call when the invocation is done. */
  close(): void {
    this.client.destroy();
  }
}

export function openBucket(credentials: S3Credentials, options?: ClientOptions): S3Bucket {
  return new S3Bucket(readSettings(credentials), options);
}

/** A tool's body with a bucket opened for this invocation and closed when the tool's messages are consumed. */
export async function* withBucket(
  credentials: S3Credentials,
  work: (bucket: S3Bucket) => AsyncIterable<ToolMessage>,
): AsyncGenerator<ToolMessage> {
  const bucket = openBucket(credentials);
  try {
    yield* work(bucket);
  } finally {
    bucket.close();
  }
}

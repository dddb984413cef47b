/**
 * Presigned URLs. The client's WHEN_REQUIRED checksum setting keeps
 * x-amz-checksum-* parameters out of the URLs, which S3-compatible servers
 * would otherwise check against the (unknown) body. Expiry is 1 s to 7 days,
 * SigV4's limit; the default is one hour.
 */
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { ValidationError } from "@dify-ts/runtime";
import type { S3Bucket } from "./bucket.js";

export const DEFAULT_EXPIRY_SECONDS = 3600;
export const MAX_EXPIRY_SECONDS = 604_800;

export interface PresignParameters {
  generate_presigned_url?: boolean | undefined;
  generate_presign_url?: boolean | undefined;
  presigned_expiration?: number | undefined;
  presign_expiry?: number | undefined;
}

/** The expiry asked for: `presigned_expiration`, else its alias `presign_expiry`, else one hour. */
export function expirySeconds(params: PresignParameters): number {
  const [name, value] =
    params.presigned_expiration !== undefined
      ? ["presigned_expiration", params.presigned_expiration]
      : ["presign_expiry", params.presign_expiry];
  if (value === undefined) return DEFAULT_EXPIRY_SECONDS;
  if (!Number.isInteger(value) || value < 1 || value > MAX_EXPIRY_SECONDS) {
    throw new ValidationError(
      `parameter "${name}" must be a whole number of seconds from 1 to ${MAX_EXPIRY_SECONDS} (7 days); got ${value}`,
    );
  }
  return value;
}

/** Whether a tool should add a presigned GET URL: either spelling of the flag. */
export function wantsPresignedUrl(params: PresignParameters): boolean {
  return params.generate_presigned_url === true || params.generate_presign_url === true;
}

export function presignGet(bucket: S3Bucket, key: string, expiresIn: number, versionId?: string): Promise<string> {
  return bucket.call("presign a download of", bucket.uri(key, versionId), () =>
    getSignedUrl(bucket.client, new GetObjectCommand({ Bucket: bucket.name, Key: key, VersionId: versionId }), {
      expiresIn,
    }),
  );
}

/**
 * Server-side encryption of the objects the plugin writes: SSE-S3 (AES256) or
 * SSE-KMS (a key id, optionally with an S3 Bucket Key), chosen per call by tool
 * parameters or once for the provider by credentials (bucket policies often
 * deny uploads without it). Combinations S3 would refuse, or that would
 * silently not do what was asked, fail before any byte is sent.
 * SSE-C is not offered: every later read would need the customer key, and the
 * test server (versitygw) does not implement it.
 */
import type { ServerSideEncryption } from "@aws-sdk/client-s3";
import {
  CredentialValidationError,
  localized,
  ValidationError,
  type CredentialFields,
  type ToolParameters,
} from "@dify-ts/runtime";

export type EncryptionMode = "none" | "AES256" | "aws:kms";

export interface EncryptionDefault {
  mode: EncryptionMode;
  kmsKeyId: string | undefined;
  bucketKey: boolean;
}

/** The headers an encrypted write carries (fields of PutObject, CreateMultipartUpload and CopyObject). */
export interface EncryptionHeaders {
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
  BucketKeyEnabled?: boolean;
}

const modeOptions = [
  { value: "none", label: localized("None (bucket default)", "不指定（使用存储桶默认）") },
  { value: "AES256", label: localized("SSE-S3 (AES256)", "SSE-S3（AES256）") },
  { value: "aws:kms", label: localized("SSE-KMS (aws:kms)", "SSE-KMS（aws:kms）") },
] as const;

export const encryptionCredentialFields = {
  S3_SERVER_SIDE_ENCRYPTION: {
    type: "select",
    options: modeOptions,
    label: localized("Server-side encryption (default)", "服务端加密（默认）"),
    help: localized(
      "Encryption for every upload and copy unless a tool's server_side_encryption says otherwise.",
      "所有上传与复制默认使用的加密方式，工具参数 server_side_encryption 可覆盖。",
    ),
  },
  S3_SSE_KMS_KEY_ID: {
    type: "text-input",
    public: true,
    label: localized("KMS key ID (default, optional)", "KMS 密钥 ID（默认，可选）"),
    placeholder: localized("arn:aws:kms:us-east-1:111122223333:key/...", "arn:aws:kms:us-east-1:111122223333:key/..."),
    help: localized(
      "Used with aws:kms when a tool gives no sse_kms_key_id; empty means the AWS managed key aws/s3.",
      "使用 aws:kms 且工具未提供 sse_kms_key_id 时使用；留空表示 AWS 托管密钥 aws/s3。",
    ),
  },
  S3_SSE_BUCKET_KEY: {
    type: "boolean",
    label: localized("S3 Bucket Key (default)", "S3 存储桶密钥（默认）"),
    help: localized(
      "With aws:kms: use an S3 Bucket Key, which cuts KMS requests and their cost.",
      "使用 aws:kms 时启用 S3 存储桶密钥，以减少 KMS 请求及费用。",
    ),
  },
} as const satisfies CredentialFields;

export const encryptionParameters = {
  server_side_encryption: {
    type: "select",
    form: "form",
    options: modeOptions,
    label: localized("Server-side encryption", "服务端加密"),
    human_description: localized(
      "AES256 (SSE-S3) or aws:kms (SSE-KMS); empty uses the provider's default, none sends no encryption header",
      "AES256（SSE-S3）或 aws:kms（SSE-KMS）；留空使用提供方默认值，none 表示不发送加密头",
    ),
  },
  sse_kms_key_id: {
    type: "string",
    form: "form",
    label: localized("KMS key ID", "KMS 密钥 ID"),
    human_description: localized(
      "With aws:kms: key ID, key ARN or alias (alias/my-key); empty uses the provider's default or aws/s3",
      "使用 aws:kms 时：密钥 ID、密钥 ARN 或别名（alias/my-key）；留空使用提供方默认值或 aws/s3",
    ),
  },
  sse_bucket_key: {
    type: "boolean",
    form: "form",
    label: localized("S3 Bucket Key", "S3 存储桶密钥"),
    human_description: localized(
      "With aws:kms: use an S3 Bucket Key (fewer KMS requests); empty uses the provider's default",
      "使用 aws:kms 时启用 S3 存储桶密钥（减少 KMS 请求）；留空使用提供方默认值",
    ),
  },
} as const satisfies ToolParameters;

export interface EncryptionParameters {
  server_side_encryption?: EncryptionMode | undefined;
  sse_kms_key_id?: string | undefined;
  sse_bucket_key?: boolean | undefined;
}

interface EncryptionCredentials {
  S3_SERVER_SIDE_ENCRYPTION?: EncryptionMode | undefined;
  S3_SSE_KMS_KEY_ID?: string | undefined;
  S3_SSE_BUCKET_KEY?: boolean | undefined;
}

/** The provider-level default, checked like every other credential. */
export function readEncryptionDefault(credentials: EncryptionCredentials): EncryptionDefault {
  const mode = credentials.S3_SERVER_SIDE_ENCRYPTION ?? "none";
  const kmsKeyId = credentials.S3_SSE_KMS_KEY_ID?.trim() || undefined;
  const bucketKey = credentials.S3_SSE_BUCKET_KEY ?? false;
  const problem = combinationProblem(mode, kmsKeyId, bucketKey, {
    mode: "S3_SERVER_SIDE_ENCRYPTION",
    keyId: "S3_SSE_KMS_KEY_ID",
    bucketKey: "S3_SSE_BUCKET_KEY",
  });
  if (problem) throw new CredentialValidationError(`credential ${problem}`);
  return { mode, kmsKeyId, bucketKey };
}

/** The encryption headers of one write: the tool's parameters over the provider's default. */
export function encryptionHeaders(params: EncryptionParameters, fallback: EncryptionDefault): EncryptionHeaders {
  const mode = params.server_side_encryption ?? fallback.mode;
  const givenKeyId = params.sse_kms_key_id?.trim() || undefined;
  // The provider's key and Bucket Key belong to its aws:kms default; a tool choosing another mode drops them.
  const inherits = mode === "aws:kms" && fallback.mode === "aws:kms";
  const kmsKeyId = givenKeyId ?? (inherits ? fallback.kmsKeyId : undefined);
  const bucketKey = params.sse_bucket_key ?? (inherits ? fallback.bucketKey : false);
  const problem = combinationProblem(mode, givenKeyId, params.sse_bucket_key ?? false, {
    mode: "server_side_encryption",
    keyId: "sse_kms_key_id",
    bucketKey: "sse_bucket_key",
  });
  if (problem) throw new ValidationError(`parameter ${problem}`);
  if (mode === "none") return {};
  if (mode === "AES256") return { ServerSideEncryption: "AES256" };
  return {
    ServerSideEncryption: "aws:kms",
    ...(kmsKeyId ? { SSEKMSKeyId: kmsKeyId } : {}),
    ...(bucketKey ? { BucketKeyEnabled: true } : {}),
  };
}

/** The same choice as HTTP headers (x-amz-server-side-encryption...), for presigned PUT URLs and POST form fields. */
export function encryptionHeaderFields(headers: EncryptionHeaders): Record<string, string> {
  const fields: Record<string, string> = {};
  if (headers.ServerSideEncryption) fields["x-amz-server-side-encryption"] = headers.ServerSideEncryption;
  if (headers.SSEKMSKeyId) fields["x-amz-server-side-encryption-aws-kms-key-id"] = headers.SSEKMSKeyId;
  if (headers.BucketKeyEnabled) fields["x-amz-server-side-encryption-bucket-key-enabled"] = "true";
  return fields;
}

function combinationProblem(
  mode: EncryptionMode,
  kmsKeyId: string | undefined,
  bucketKey: boolean,
  names: { mode: string; keyId: string; bucketKey: string },
): string | undefined {
  if (kmsKeyId !== undefined && mode !== "aws:kms") {
    return `"${names.keyId}" is set but "${names.mode}" is ${JSON.stringify(mode)}: a KMS key is used only with aws:kms; set "${names.mode}" to aws:kms or clear "${names.keyId}"`;
  }
  if (bucketKey && mode !== "aws:kms") {
    return `"${names.bucketKey}" is on but "${names.mode}" is ${JSON.stringify(mode)}: an S3 Bucket Key works only with aws:kms; set "${names.mode}" to aws:kms or turn "${names.bucketKey}" off`;
  }
  if (kmsKeyId !== undefined && !/^[A-Za-z0-9:/_.+=@-]{1,2048}$/.test(kmsKeyId)) {
    return `"${names.keyId}" is not a KMS key ID, key ARN or alias (got ${JSON.stringify(kmsKeyId.slice(0, 80))}): write it like 1234abcd-12ab-34cd-56ef-1234567890ab, arn:aws:kms:... or alias/my-key`;
  }
  return undefined;
}

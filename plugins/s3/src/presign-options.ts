/**
 * What s3_presign_url can add to a URL besides method and expiry: for GET,
 * the Content-Type and Content-Disposition S3 answers with (a download name,
 * Unicode included); for PUT, an exact Content-Length and a SHA-256 checksum
 * the upload must match; for POST, a browser form upload whose policy caps the
 * size. PUT and POST URLs carry the server-side encryption uploads get (the
 * provider's default or the tool's parameters) as signed headers or policy
 * fields, so a bucket policy that demands encryption accepts the upload. Each
 * option belongs to one method: given with another, it is refused rather than
 * silently dropped.
 */
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { createPresignedPost, type PresignedPost } from "@aws-sdk/s3-presigned-post";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { localized, ValidationError, type ToolParameters } from "@dify-ts/runtime";
import type { S3Bucket } from "./bucket.js";
import { encryptionHeaderFields, type EncryptionHeaders, type EncryptionParameters } from "./encryption.js";
import { contentDisposition, headerValue, uploadOptionParameters } from "./upload-options.js";

/** S3's largest single PUT or POST upload. */
const MAX_SINGLE_UPLOAD = 5 * 1024 ** 3;

export const presignOptionParameters = {
  response_content_type: {
    type: "string",
    form: "llm",
    label: localized("Response Content-Type (GET)", "响应 Content-Type（GET）"),
    human_description: localized(
      "For GET: the Content-Type S3 answers with instead of the stored one, e.g. application/pdf",
      "用于 GET：S3 返回的 Content-Type，替代存储的类型，例如 application/pdf",
    ),
    llm_description: "Only for GET: Content-Type the download is served with, e.g. application/pdf.",
  },
  download_filename: {
    ...uploadOptionParameters.download_filename,
    human_description: localized(
      "For GET: the name a browser saves the download as (any language, e.g. 报告.pdf)",
      "用于 GET：浏览器保存下载时使用的文件名（支持任意语言，例如 报告.pdf）",
    ),
    llm_description: "Only for GET: file name the browser should save the download as. Unicode allowed.",
  },
  disposition: uploadOptionParameters.disposition,
  content_length: {
    type: "number",
    form: "llm",
    min: 0,
    max: MAX_SINGLE_UPLOAD,
    label: localized("Content length (PUT)", "内容长度（PUT）"),
    human_description: localized(
      "For PUT: the exact size in bytes the upload must have",
      "用于 PUT：上传内容必须的精确字节数",
    ),
    llm_description: "Only for PUT: exact size in bytes the uploaded content must have.",
  },
  checksum_sha256: {
    type: "string",
    form: "llm",
    label: localized("SHA-256 checksum (PUT)", "SHA-256 校验和（PUT）"),
    human_description: localized(
      "For PUT: base64 SHA-256 of the content; the uploader sends it as x-amz-checksum-sha256 and S3 rejects other content",
      "用于 PUT：内容的 base64 SHA-256；上传方需以 x-amz-checksum-sha256 头发送，内容不符时 S3 拒绝",
    ),
    llm_description: "Only for PUT: base64-encoded SHA-256 digest the uploaded content must match.",
  },
  max_content_length: {
    type: "number",
    form: "llm",
    min: 1,
    max: MAX_SINGLE_UPLOAD,
    label: localized("Maximum size (POST)", "最大大小（POST）"),
    human_description: localized(
      "For POST: the largest upload in bytes the form accepts (required for POST)",
      "用于 POST：表单接受的最大上传字节数（POST 必填）",
    ),
    llm_description: "Required for POST: largest allowed upload in bytes, e.g. 10485760 for 10 MiB.",
  },
} as const satisfies ToolParameters;

export type PresignMethod = "GET" | "PUT" | "POST";

export interface PresignOptionParameters extends EncryptionParameters {
  content_type?: string | undefined;
  response_content_type?: string | undefined;
  download_filename?: string | undefined;
  disposition?: "attachment" | "inline" | undefined;
  content_length?: number | undefined;
  checksum_sha256?: string | undefined;
  max_content_length?: number | undefined;
}

/** Which method each option belongs to; `content_type` serves PUT and POST. */
const OPTION_METHODS: Record<keyof PresignOptionParameters, readonly PresignMethod[]> = {
  content_type: ["PUT", "POST"],
  response_content_type: ["GET"],
  download_filename: ["GET"],
  disposition: ["GET"],
  content_length: ["PUT"],
  checksum_sha256: ["PUT"],
  max_content_length: ["POST"],
  server_side_encryption: ["PUT", "POST"],
  sse_kms_key_id: ["PUT", "POST"],
  sse_bucket_key: ["PUT", "POST"],
};

/** Refuses an option given for a method it does not apply to. */
export function checkPresignOptions(method: PresignMethod, params: PresignOptionParameters): void {
  for (const [name, methods] of Object.entries(OPTION_METHODS) as [
    keyof PresignOptionParameters,
    readonly PresignMethod[],
  ][]) {
    const value = params[name];
    // `disposition` has a default, so only a non-default value counts as given; a boolean only when on.
    const given = name === "disposition" ? value === "inline" : value !== undefined && value !== "" && value !== false;
    if (given && !methods.includes(method)) {
      throw new ValidationError(
        `parameter "${name}" applies to ${methods.join(" and ")} URLs only, but method is ${method}: remove it or change the method`,
      );
    }
  }
}

/** A GET URL whose response carries the given Content-Type and Content-Disposition. */
export function presignGetWithOverrides(
  bucket: S3Bucket,
  key: string,
  expiresIn: number,
  params: PresignOptionParameters,
): Promise<string> {
  const filename = params.download_filename?.trim();
  const ResponseContentDisposition = filename
    ? contentDisposition(filename, params.disposition ?? "attachment")
    : undefined;
  const ResponseContentType = headerParameter("response_content_type", params.response_content_type);
  return bucket.call("presign a download of", bucket.uri(key), () =>
    getSignedUrl(
      bucket.client,
      new GetObjectCommand({ Bucket: bucket.name, Key: key, ResponseContentDisposition, ResponseContentType }),
      { expiresIn },
    ),
  );
}

/** Headers the uploader of a conditioned PUT URL must send, beyond the body. */
export interface PutConditions {
  contentType: string | undefined;
  contentLength: number | undefined;
  checksumSha256: string | undefined;
  /** x-amz-server-side-encryption and its companions, by header name. */
  encryption: Record<string, string>;
}

export function putConditions(params: PresignOptionParameters, encryption: EncryptionHeaders): PutConditions {
  const length = params.content_length;
  if (length !== undefined && (!Number.isInteger(length) || length < 0)) {
    throw new ValidationError(
      `parameter "content_length" must be a whole number of bytes from 0 to ${MAX_SINGLE_UPLOAD}; got ${length}`,
    );
  }
  const checksum = params.checksum_sha256?.trim() || undefined;
  if (checksum !== undefined && !/^[A-Za-z0-9+/]{43}=$/.test(checksum)) {
    throw new ValidationError(
      `parameter "checksum_sha256" must be a base64 SHA-256 digest (44 characters ending in "="), e.g. from: openssl dgst -sha256 -binary file | base64`,
    );
  }
  const contentType = headerParameter("content_type", params.content_type);
  return {
    contentType,
    contentLength: length,
    checksumSha256: checksum,
    encryption: encryptionHeaderFields(encryption),
  };
}

/**
 * A PUT URL whose signature covers Content-Type, Content-Length,
 * x-amz-checksum-sha256 and the encryption headers when given: the uploader
 * must send exactly those headers, and S3 checks the body against the
 * checksum. The x-amz-* ones stay headers (not hoisted into the query), which
 * is where S3 reads them.
 */
export function presignPutWithConditions(
  bucket: S3Bucket,
  key: string,
  expiresIn: number,
  conditions: PutConditions,
  encryption: EncryptionHeaders,
): Promise<string> {
  const amzHeaders = [
    ...Object.keys(conditions.encryption),
    ...(conditions.checksumSha256 ? ["x-amz-checksum-sha256"] : []),
  ];
  const signableHeaders = new Set<string>(amzHeaders);
  if (conditions.contentType) signableHeaders.add("content-type");
  if (conditions.contentLength !== undefined) signableHeaders.add("content-length");
  const command = new PutObjectCommand({
    ...encryption,
    Bucket: bucket.name,
    Key: key,
    ContentType: conditions.contentType,
    ContentLength: conditions.contentLength,
    ChecksumSHA256: conditions.checksumSha256,
  });
  return bucket.call("presign an upload to", bucket.uri(key), () =>
    getSignedUrl(bucket.client, command, { expiresIn, signableHeaders, unhoistableHeaders: new Set(amzHeaders) }),
  );
}

/** The headers a conditioned PUT must carry, as the tool reports them. */
export function requiredPutHeaders(conditions: PutConditions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (conditions.contentType) headers["Content-Type"] = conditions.contentType;
  if (conditions.contentLength !== undefined) headers["Content-Length"] = String(conditions.contentLength);
  if (conditions.checksumSha256) headers["x-amz-checksum-sha256"] = conditions.checksumSha256;
  return { ...headers, ...conditions.encryption };
}

/**
 * A presigned POST (an HTML form upload) for exactly this key, at most
 * `max_content_length` bytes, optionally of one content type; the encryption
 * travels as form fields, which the policy pins.
 */
export function presignPost(
  bucket: S3Bucket,
  key: string,
  expiresIn: number,
  params: PresignOptionParameters,
  encryption: EncryptionHeaders,
): Promise<PresignedPost> {
  const max = params.max_content_length;
  if (max === undefined) {
    throw new ValidationError(
      `parameter "max_content_length" is required for POST: give the largest upload in bytes the form may send, e.g. 10485760 for 10 MiB`,
    );
  }
  if (!Number.isInteger(max) || max < 1)
    throw new ValidationError(
      `parameter "max_content_length" must be a whole number of bytes from 1 to ${MAX_SINGLE_UPLOAD}; got ${max}`,
    );
  const contentType = headerParameter("content_type", params.content_type);
  const Conditions: NonNullable<Parameters<typeof createPresignedPost>[1]["Conditions"]> = [
    ["content-length-range", 0, max],
  ];
  if (contentType) Conditions.push({ "Content-Type": contentType });
  return bucket.call("presign a form upload to", bucket.uri(key), () =>
    createPresignedPost(bucket.client, {
      Bucket: bucket.name,
      Key: key,
      Conditions,
      Fields: { ...(contentType ? { "Content-Type": contentType } : {}), ...encryptionHeaderFields(encryption) },
      Expires: expiresIn,
    }),
  );
}

/** A header-bound parameter, trimmed, or undefined when empty; checked before trimming, so a trailing CR or LF is refused too. */
function headerParameter(parameter: string, value: string | undefined): string | undefined {
  return value?.trim() ? headerValue(parameter, value).trim() : undefined;
}

/**
 * Parameters several tools share, declared once: the object key (s3_key, with
 * filename as the seed's fallback) and the presign options, including the
 * aliases generate_presign_url / presign_expiry (the names the official AWS
 * tools use) so Dify actually sends them when a workflow sets them.
 */
import { localized } from "@dify-ts/runtime";
import type { ToolParameters } from "@dify-ts/runtime";
import { MAX_EXPIRY_SECONDS } from "./presign.js";

export const keyParameters = {
  s3_key: {
    type: "string",
    form: "llm",
    label: localized("S3 object key", "S3 对象键"),
    human_description: localized(
      "Object key inside the bucket (and KEY_PREFIX), e.g. reports/2025/summary.pdf",
      "存储桶内（KEY_PREFIX 下）的对象键，例如 reports/2025/summary.pdf",
    ),
    llm_description: "Object key inside the bucket, e.g. reports/2025/summary.pdf. No leading slash.",
  },
  filename: {
    type: "string",
    form: "llm",
    label: localized("Filename (alternative key)", "文件名（备选键）"),
    human_description: localized("Used as the key when s3_key is empty", "s3_key 为空时用作对象键"),
    llm_description: "Used as the object key when s3_key is not given.",
  },
} as const satisfies ToolParameters;

export const presignParameters = {
  generate_presigned_url: {
    type: "boolean",
    form: "llm",
    default: false,
    label: localized("Generate presigned URL", "生成预签名 URL"),
    human_description: localized("Also return a temporary download link", "同时返回一个临时下载链接"),
    llm_description: "Set true to also return a temporary download URL for the object.",
  },
  generate_presign_url: {
    type: "boolean",
    form: "llm",
    default: false,
    label: localized("Generate presigned URL (alias)", "生成预签名 URL（别名）"),
    human_description: localized("Same as generate_presigned_url", "与 generate_presigned_url 相同"),
    llm_description: "Alias of generate_presigned_url.",
  },
  presigned_expiration: {
    type: "number",
    form: "llm",
    min: 1,
    max: MAX_EXPIRY_SECONDS,
    label: localized("Presigned URL expiration (seconds)", "预签名 URL 有效期（秒）"),
    human_description: localized("1 to 604800 seconds (7 days); default 3600", "1 到 604800 秒（7 天）；默认 3600"),
    llm_description: "Lifetime of the presigned URL in seconds, 1 to 604800. Default 3600.",
  },
  presign_expiry: {
    type: "number",
    form: "llm",
    min: 1,
    max: MAX_EXPIRY_SECONDS,
    label: localized("Presigned URL expiration (alias)", "预签名 URL 有效期（别名）"),
    human_description: localized("Same as presigned_expiration", "与 presigned_expiration 相同"),
    llm_description: "Alias of presigned_expiration.",
  },
} as const satisfies ToolParameters;

/** For the tools that read one object: a version other than the current one, in a versioned bucket. */
export const versionParameters = {
  version_id: {
    type: "string",
    form: "llm",
    label: localized("Version ID", "版本 ID"),
    human_description: localized(
      "In a versioned bucket: the version to read (a version_id from s3_list_objects with include_versions); empty for the current one",
      "用于启用版本控制的存储桶：要读取的版本（来自 s3_list_objects 开启 include_versions 时返回的 version_id）；留空则读取当前版本",
    ),
    llm_description:
      "Optional version_id of the object version to read, from s3_list_objects with include_versions; omit for the current version.",
  },
} as const satisfies ToolParameters;

/**
 * What an upload can set besides its bytes: storage class, Cache-Control,
 * Content-Disposition (so a download keeps its name; Unicode names as RFC 5987
 * filename*), user metadata and tags, each given as a JSON object. All are
 * checked before any byte is sent; s3_head_object reads them back.
 */
import type { StorageClass } from "@aws-sdk/client-s3";
import { localized, ValidationError, type ToolParameters } from "@dify-ts/runtime";
import {
  encryptionHeaders,
  type EncryptionDefault,
  type EncryptionHeaders,
  type EncryptionParameters,
} from "./encryption.js";

/** Fields of PutObject / CreateMultipartUpload / CopyObject an upload sets. */
export interface WriteOptions extends EncryptionHeaders {
  StorageClass?: StorageClass;
  CacheControl?: string;
  ContentDisposition?: string;
  Metadata?: Record<string, string>;
  /** URL-encoded tag set, as the x-amz-tagging header carries it. */
  Tagging?: string;
}

const STORAGE_CLASSES = [
  "STANDARD",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER_IR",
  "GLACIER",
  "DEEP_ARCHIVE",
  "REDUCED_REDUNDANCY",
] as const;
/** S3's limits: user metadata 2 KB in all, 10 tags of 128 / 256 characters. */
const MAX_METADATA_BYTES = 2048;
const MAX_TAGS = 10;

export const storageClassParameter = {
  storage_class: {
    type: "select",
    form: "form",
    options: STORAGE_CLASSES.map((value) => ({ value, label: localized(value, value) })),
    label: localized("Storage class", "存储类别"),
    human_description: localized(
      "S3 storage class of the object; empty uses the bucket's default (STANDARD)",
      "对象的 S3 存储类别；留空使用存储桶默认值（STANDARD）",
    ),
  },
} as const satisfies ToolParameters;

/** The options that suit any number of objects at once (s3_upload_files takes these). */
export const objectOptionParameters = {
  ...storageClassParameter,
  cache_control: {
    type: "string",
    form: "form",
    label: localized("Cache-Control", "Cache-Control"),
    human_description: localized(
      "Cache-Control header served with the object, e.g. max-age=86400, public",
      "随对象返回的 Cache-Control 头，例如 max-age=86400, public",
    ),
  },
  metadata: {
    type: "string",
    form: "llm",
    label: localized("User metadata (JSON)", "用户元数据（JSON）"),
    human_description: localized(
      'JSON object of text values stored as x-amz-meta-*, e.g. {"source": "workflow-7"}',
      'JSON 对象，值为文本，存为 x-amz-meta-*，例如 {"source": "workflow-7"}',
    ),
    llm_description: 'User metadata as a JSON object of ASCII strings, e.g. {"source": "workflow-7"}.',
  },
  tags: {
    type: "string",
    form: "llm",
    label: localized("Tags (JSON)", "标签（JSON）"),
    human_description: localized(
      'JSON object of object tags (at most 10), e.g. {"project": "alpha", "retention": "30d"}',
      'JSON 对象形式的对象标签（最多 10 个），例如 {"project": "alpha", "retention": "30d"}',
    ),
    llm_description: 'Object tags as a JSON object, at most 10, e.g. {"project": "alpha"}.',
  },
} as const satisfies ToolParameters;

export const uploadOptionParameters = {
  ...objectOptionParameters,
  download_filename: {
    type: "string",
    form: "llm",
    label: localized("Download file name", "下载文件名"),
    human_description: localized(
      "Name a browser saves the object as (Content-Disposition); any language, e.g. 报告.pdf",
      "浏览器下载时保存的文件名（Content-Disposition），支持任意语言，例如 报告.pdf",
    ),
    llm_description: "File name a browser should save the object as, e.g. report.pdf. Unicode allowed.",
  },
  disposition: {
    type: "select",
    form: "form",
    default: "attachment",
    options: [
      { value: "attachment", label: localized("attachment (download)", "attachment（下载）") },
      { value: "inline", label: localized("inline (show in the browser)", "inline（在浏览器中显示）") },
    ],
    label: localized("Disposition", "展示方式"),
    human_description: localized(
      "With download_filename: save as a file (attachment) or show in the browser (inline)",
      "与 download_filename 一起使用：保存为文件（attachment）或在浏览器中显示（inline）",
    ),
  },
} as const satisfies ToolParameters;

export interface UploadOptionParameters extends EncryptionParameters {
  storage_class?: (typeof STORAGE_CLASSES)[number] | undefined;
  cache_control?: string | undefined;
  download_filename?: string | undefined;
  disposition?: "attachment" | "inline" | undefined;
  metadata?: string | undefined;
  tags?: string | undefined;
}

/** Everything an upload sets besides its bytes and content type, checked. */
export function writeOptions(params: UploadOptionParameters, encryption: EncryptionDefault): WriteOptions {
  const options: WriteOptions = { ...encryptionHeaders(params, encryption) };
  if (params.storage_class) options.StorageClass = params.storage_class;
  const cacheControl = params.cache_control?.trim();
  if (cacheControl) options.CacheControl = headerValue("cache_control", cacheControl);
  const filename = params.download_filename?.trim();
  if (filename) options.ContentDisposition = contentDisposition(filename, params.disposition ?? "attachment");
  else if (params.disposition === "inline")
    throw new ValidationError(
      'parameter "disposition" is inline but "download_filename" is empty: give the name the browser should show, or leave disposition at attachment',
    );
  if (params.metadata?.trim()) options.Metadata = userMetadata(params.metadata);
  if (params.tags?.trim()) options.Tagging = tagging(params.tags);
  return options;
}

/**
 * Content-Disposition with the name as an ASCII fallback (`filename`) and, when
 * it is not plain ASCII, the exact name as RFC 5987 `filename*` (RFC 6266),
 * which every current browser prefers.
 */
export function contentDisposition(
  filename: string,
  disposition: "attachment" | "inline",
  parameter = "download_filename",
): string {
  if ([...filename].some((character) => character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f)) {
    throw new ValidationError(`parameter "${parameter}" must not contain control characters such as line breaks`);
  }
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(filename)) {
    throw new ValidationError(
      `parameter "${parameter}" is not valid Unicode (it has a lone surrogate): send the name as proper UTF-8 text`,
    );
  }
  const fallback = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  if (fallback === filename) return `${disposition}; filename="${filename}"`;
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** A parameter bound for an HTTP header, as is: printable ASCII only, so it cannot split the header (CR, LF) or be mangled. */
export function headerValue(parameter: string, value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) {
    throw new ValidationError(
      `parameter "${parameter}" must be printable ASCII on one line (got ${JSON.stringify(value.slice(0, 80))})`,
    );
  }
  return value;
}

function jsonObject(parameter: string, raw: string, example: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ValidationError(`parameter "${parameter}" is not JSON: write an object such as ${example}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError(
      `parameter "${parameter}" must be a JSON object such as ${example}; got ${Array.isArray(value) ? "an array" : typeof value}`,
    );
  }
  return value as Record<string, unknown>;
}

/** A JSON value as text: strings as they are, numbers and booleans written out; nothing nested. */
function scalarText(parameter: string, name: string, value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new ValidationError(
    `parameter "${parameter}": the value of ${JSON.stringify(name)} must be text, a number or true/false, not ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`,
  );
}

function userMetadata(raw: string): Record<string, string> {
  const example = '{"source": "workflow-7"}';
  const entries = Object.entries(jsonObject("metadata", raw, example));
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of entries) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
      throw new ValidationError(
        `parameter "metadata": the name ${JSON.stringify(name)} can only have letters, digits, ".", "_" and "-" (it becomes the header x-amz-meta-<name>)`,
      );
    }
    const text = scalarText("metadata", name, value);
    if (!/^[\x20-\x7e]*$/.test(text)) {
      throw new ValidationError(
        `parameter "metadata": the value of ${JSON.stringify(name)} must be printable ASCII (HTTP headers carry it); percent-encode or base64 other text first`,
      );
    }
    bytes += name.length + text.length;
    metadata[name.toLowerCase()] = text;
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw new ValidationError(
      `parameter "metadata" is ${bytes} bytes of names and values; S3 allows at most ${MAX_METADATA_BYTES}`,
    );
  }
  return metadata;
}

function tagging(raw: string): string {
  const example = '{"project": "alpha"}';
  const entries = Object.entries(jsonObject("tags", raw, example));
  if (entries.length > MAX_TAGS)
    throw new ValidationError(`parameter "tags" has ${entries.length} tags; S3 allows at most ${MAX_TAGS} per object`);
  const allowed = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
  const pairs: string[] = [];
  for (const [name, value] of entries) {
    const text = scalarText("tags", name, value);
    if (name.length < 1 || name.length > 128 || !allowed.test(name)) {
      throw new ValidationError(
        `parameter "tags": the tag name ${JSON.stringify(name)} must be 1 to 128 letters, digits, spaces or + - = . _ : / @`,
      );
    }
    if (text.length > 256 || !allowed.test(text)) {
      throw new ValidationError(
        `parameter "tags": the value of ${JSON.stringify(name)} must be at most 256 letters, digits, spaces or + - = . _ : / @`,
      );
    }
    pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(text)}`);
  }
  return pairs.join("&");
}

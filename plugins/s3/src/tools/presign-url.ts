/** s3_presign_url: a temporary GET (download), PUT (upload) or POST (browser form upload) URL for one object, usable without credentials. */
import { json, localized, text } from "@dify-ts/runtime";
import { withBucket } from "../bucket.js";
import { keyParameters, presignParameters } from "../parameters.js";
import { encryptionHeaders, encryptionParameters } from "../encryption.js";
import { expirySeconds } from "../presign.js";
import {
  checkPresignOptions,
  presignGetWithOverrides,
  type PresignMethod,
  presignOptionParameters,
  presignPost,
  presignPutWithConditions,
  putConditions,
  requiredPutHeaders,
} from "../presign-options.js";
import { provider } from "../provider.js";

export const presignUrl = provider.defineTool({
  identity: { name: "s3_presign_url", label: localized("Presign S3 URL", "生成 S3 预签名 URL") },
  description: {
    human: localized(
      "Creates a temporary download (GET) or upload (PUT) link for an object",
      "为对象生成临时下载（GET）或上传（PUT）链接",
    ),
    llm: "Creates a presigned URL for the object s3_key (or filename): GET to download it, PUT to upload to it, valid for presigned_expiration seconds.",
  },
  parameters: {
    ...keyParameters,
    method: {
      type: "select",
      form: "llm",
      default: "GET",
      options: [
        { value: "GET", label: localized("GET (download)", "GET（下载）") },
        { value: "PUT", label: localized("PUT (upload)", "PUT（上传）") },
        { value: "POST", label: localized("POST (browser form upload)", "POST（浏览器表单上传）") },
      ],
      label: localized("Method", "方法"),
      human_description: localized(
        "GET to download, PUT to upload, POST for an HTML form upload with a size limit",
        "GET 用于下载，PUT 用于上传，POST 用于有大小限制的 HTML 表单上传",
      ),
      llm_description:
        "GET for a download link, PUT for an upload link, POST for a browser form upload (needs max_content_length).",
    },
    presigned_expiration: presignParameters.presigned_expiration,
    presign_expiry: presignParameters.presign_expiry,
    content_type: {
      type: "string",
      form: "llm",
      label: localized("Content type (PUT, POST)", "内容类型（PUT、POST）"),
      human_description: localized(
        "For PUT and POST: the uploader must send exactly this Content-Type",
        "用于 PUT 和 POST：上传方必须发送完全相同的 Content-Type",
      ),
      llm_description: "Only for PUT and POST: the Content-Type the uploader will send, e.g. application/pdf.",
    },
    ...presignOptionParameters,
    ...encryptionParameters,
  },
  handler: (params, context) =>
    withBucket(context.credentials, async function* (bucket) {
      const key = bucket.keyFrom(params);
      const expiresIn = expirySeconds(params);
      const method: PresignMethod = params.method === "PUT" || params.method === "POST" ? params.method : "GET";
      checkPresignOptions(method, params);
      // Uploads through the URL get the encryption a direct upload would (the provider's default unless overridden).
      const encryption = method === "GET" ? {} : encryptionHeaders(params, bucket.settings.encryption);
      const expiresAt = new Date(Date.now() + expiresIn * 1000).toISOString();
      const facts = { bucket: bucket.name, key: bucket.relative(key), s3_uri: bucket.uri(key), method };
      if (method === "POST") {
        const post = await presignPost(bucket, key, expiresIn, params, encryption);
        yield text(
          `Presigned POST form for ${bucket.uri(key)}, valid for ${expiresIn} s (until ${expiresAt}): send multipart/form-data to the URL with every field, then the file as the last field "file"; at most ${params.max_content_length} bytes.\n`,
        );
        yield json({
          ...facts,
          url: post.url,
          fields: post.fields,
          expires_in: expiresIn,
          expires_at: expiresAt,
          max_content_length: params.max_content_length ?? null,
          content_type: params.content_type?.trim() || null,
        });
        yield text(`Presigned URL: ${post.url}`);
        return;
      }
      const conditions = putConditions(params, encryption);
      const url =
        method === "PUT"
          ? await presignPutWithConditions(bucket, key, expiresIn, conditions, encryption)
          : await presignGetWithOverrides(bucket, key, expiresIn, params);
      const headers = method === "PUT" ? requiredPutHeaders(conditions) : {};
      const send = Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}`)
        .join(", ");
      yield text(
        `Presigned ${method} URL for ${bucket.uri(key)}, valid for ${expiresIn} s (until ${expiresAt})${send ? `; send the header${Object.keys(headers).length > 1 ? "s" : ""} ${send}` : ""}.\n`,
      );
      yield json({
        ...facts,
        url,
        expires_in: expiresIn,
        expires_at: expiresAt,
        content_type: method === "PUT" ? (conditions.contentType ?? null) : null,
        ...(send ? { required_headers: headers } : {}),
      });
      yield text(`Presigned URL: ${url}`);
    }),
});

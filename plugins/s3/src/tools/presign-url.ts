/** s3_presign_url: a temporary GET (download) or PUT (upload) URL for one object, usable without credentials. */
import { json, text } from "@dify-ts/runtime";
import { withBucket } from "../bucket.js";
import { checkHeaderValue } from "../content-type.js";
import { t } from "../i18n.js";
import { keyParameters, presignParameters } from "../parameters.js";
import { expirySeconds, presignGet, presignPut } from "../presign.js";
import { provider } from "../provider.js";

export const presignUrl = provider.defineTool({
  identity: { name: "s3_presign_url", label: t("Presign S3 URL", "生成 S3 预签名 URL") },
  description: {
    human: t("Creates a temporary download (GET) or upload (PUT) link for an object", "为对象生成临时下载（GET）或上传（PUT）链接"),
    llm: "Creates a presigned URL for the object s3_key (or filename): GET to download it, PUT to upload to it, valid for presigned_expiration seconds.",
  },
  parameters: {
    ...keyParameters,
    method: {
      type: "select",
      form: "llm",
      default: "GET",
      options: [
        { value: "GET", label: t("GET (download)", "GET（下载）") },
        { value: "PUT", label: t("PUT (upload)", "PUT（上传）") },
      ],
      label: t("Method", "方法"),
      human_description: t("GET to download, PUT to upload", "GET 用于下载，PUT 用于上传"),
      llm_description: "GET for a download link, PUT for an upload link.",
    },
    presigned_expiration: presignParameters.presigned_expiration,
    presign_expiry: presignParameters.presign_expiry,
    content_type: {
      type: "string",
      form: "llm",
      label: t("Content type (PUT)", "内容类型（PUT）"),
      human_description: t("For PUT: the uploader must send exactly this Content-Type header", "用于 PUT：上传方必须发送完全相同的 Content-Type 头"),
      llm_description: "Only for PUT: the Content-Type the uploader will send, e.g. application/pdf.",
    },
  },
  handler: (params, context) =>
    withBucket(context.credentials, async function* (bucket) {
      const key = bucket.keyFrom(params);
      const expiresIn = expirySeconds(params);
      if (params.content_type) checkHeaderValue(params.content_type, 'parameter "content_type" must not contain line breaks (CR, LF) or other control characters: give one MIME type, such as application/pdf');
      const contentType = params.content_type?.trim() || undefined;
      const url = params.method === "PUT" ? await presignPut(bucket, key, expiresIn, contentType) : await presignGet(bucket, key, expiresIn);
      const expiresAt = new Date(Date.now() + expiresIn * 1000).toISOString();
      const header = params.method === "PUT" && contentType ? `; send the header Content-Type: ${contentType}` : "";
      yield text(`Presigned ${params.method} URL for ${bucket.uri(key)}, valid for ${expiresIn} s (until ${expiresAt})${header}.\n`);
      yield json({
        bucket: bucket.name,
        key: bucket.relative(key),
        s3_uri: bucket.uri(key),
        method: params.method,
        url,
        expires_in: expiresIn,
        expires_at: expiresAt,
        content_type: params.method === "PUT" ? contentType ?? null : null,
      });
      yield text(`Presigned URL: ${url}`);
    }),
});

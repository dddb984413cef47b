/** s3_upload_base64: decodes strict base64 (or a base64 data: URL) and stores it. */
import { localized } from "@dify-ts/runtime";
import { withBucket } from "../bucket.js";
import { decodeBase64 } from "../base64.js";
import { contentTypeFor } from "../content-type.js";
import { keyParameters, presignParameters } from "../parameters.js";
import { expirySeconds } from "../presign.js";
import { provider } from "../provider.js";
import { describeSize, objectReport } from "../results.js";
import { encryptionParameters } from "../encryption.js";
import { uploadOptionParameters, writeOptions } from "../upload-options.js";
import { uploadObject } from "../upload.js";

export const uploadBase64 = provider.defineTool({
  identity: { name: "s3_upload_base64", label: localized("Upload base64 to S3", "上传 base64 到 S3") },
  description: {
    human: localized(
      "Decodes base64 content (or a data: URL) and uploads it; the key is s3_key, else filename",
      "解码 base64 内容（或 data: URL）并上传；对象键取 s3_key，否则取 filename",
    ),
    llm: "Uploads base64-encoded content (plain base64 or a data:<type>;base64, URL) to S3-compatible storage under s3_key (or filename).",
  },
  parameters: {
    file_base64: {
      type: "string",
      required: true,
      form: "llm",
      label: localized("Base64 content", "Base64 内容"),
      human_description: localized(
        "Base64 text or a data:<type>;base64,<data> URL",
        "Base64 文本或 data:<type>;base64,<data> URL",
      ),
      llm_description: "The content, base64-encoded, or a data:<type>;base64,<data> URL.",
    },
    ...keyParameters,
    ...presignParameters,
    ...uploadOptionParameters,
    ...encryptionParameters,
  },
  handler: (params, context) =>
    withBucket(context.credentials, async function* (bucket) {
      const key = bucket.keyFrom(params);
      expirySeconds(params);
      const options = writeOptions(params, bucket.settings.encryption);
      const decoded = decodeBase64(params.file_base64);
      const contentType = contentTypeFor(key, decoded.mediaType);
      const uploaded = await uploadObject(bucket, {
        key,
        body: decoded.bytes,
        contentType,
        options,
        signal: context.signal,
        logger: context.logger,
      });
      const confirmation = `Uploaded the decoded base64 to ${bucket.uri(key)}: ${describeSize(uploaded.size)}, ${contentType}.`;
      yield* objectReport(bucket, { key, size: uploaded.size, etag: uploaded.etag, contentType }, confirmation, params);
    }),
});

/** s3_upload_file: streams a Dify file from its signed URL into S3, never holding it whole in memory. */
import { localized, openDifyFile } from "@dify-ts/runtime";
import { withBucket } from "../bucket.js";
import { contentTypeFor } from "../content-type.js";
import { keyParameters, presignParameters } from "../parameters.js";
import { expirySeconds } from "../presign.js";
import { provider } from "../provider.js";
import { describeSize, objectReport } from "../results.js";
import { encryptionParameters } from "../encryption.js";
import { uploadOptionParameters, writeOptions } from "../upload-options.js";
import { uploadObject } from "../upload.js";

export const uploadFile = provider.defineTool({
  identity: { name: "s3_upload_file", label: localized("Upload file to S3", "上传文件到 S3") },
  description: {
    human: localized(
      "Uploads a file from the workflow to the bucket (multipart for large files); the key is s3_key, else filename",
      "将工作流中的文件上传到存储桶（大文件使用分片上传）；对象键取 s3_key，否则取 filename",
    ),
    llm: "Uploads a file to S3-compatible storage under the object key s3_key (or filename) and can return a presigned download URL.",
  },
  parameters: {
    file: {
      type: "file",
      required: true,
      form: "llm",
      label: localized("File", "文件"),
      human_description: localized("The file to upload", "要上传的文件"),
      llm_description: "The file to upload.",
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
      const contentType = contentTypeFor(key, params.file.mime_type);
      const source = await openDifyFile(params.file, { baseUrl: bucket.settings.difyEndpoint, signal: context.signal });
      const uploaded = await uploadObject(bucket, {
        key,
        body: source.body,
        contentType,
        size: source.size,
        options,
        signal: context.signal,
        logger: context.logger,
      });
      const confirmation = `Uploaded ${source.filename ?? "the file"} to ${bucket.uri(key)}: ${describeSize(uploaded.size)}, ${contentType}.`;
      yield* objectReport(bucket, { key, size: uploaded.size, etag: uploaded.etag, contentType }, confirmation, params);
    }),
});

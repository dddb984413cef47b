/** s3_upload_files: several Dify files into one folder in one call, streamed, with a result per file. */
import { json, localized, PluginError, text, ValidationError } from "@dify-ts/runtime";
import { withBucket } from "../bucket.js";
import { encryptionParameters } from "../encryption.js";
import { presignParameters } from "../parameters.js";
import { expirySeconds, wantsPresignedUrl } from "../presign.js";
import { provider } from "../provider.js";
import { MAX_CONCURRENCY, uploadBatch } from "../upload-batch.js";
import { objectOptionParameters, writeOptions } from "../upload-options.js";

export const uploadFiles = provider.defineTool({
  identity: { name: "s3_upload_files", label: localized("Upload files to S3", "批量上传文件到 S3") },
  description: {
    human: localized(
      "Uploads several files from the workflow into one folder, a few at a time; reports each file, and which failed",
      "将工作流中的多个文件上传到同一目录（并发数有限）；逐个报告结果及失败的文件",
    ),
    llm: "Uploads a list of files to S3-compatible storage under key_prefix, each keyed by its file name; returns one result per file.",
  },
  parameters: {
    files: {
      type: "files",
      required: true,
      form: "llm",
      label: localized("Files", "文件"),
      human_description: localized(
        "The files to upload; each is stored under key_prefix + its file name",
        "要上传的文件；每个文件存为 key_prefix + 文件名",
      ),
      llm_description: "The files to upload.",
    },
    key_prefix: {
      type: "string",
      form: "llm",
      label: localized("Key prefix (folder)", "键前缀（目录）"),
      human_description: localized(
        "Folder inside the bucket (and KEY_PREFIX) for the files, e.g. uploads/2025/",
        "文件在存储桶（及 KEY_PREFIX）内的目录，例如 uploads/2025/",
      ),
      llm_description:
        "Folder for the files, e.g. uploads/2025/. Empty puts them at the top of the bucket (or KEY_PREFIX).",
    },
    concurrency: {
      type: "number",
      form: "form",
      default: 4,
      min: 1,
      max: MAX_CONCURRENCY,
      label: localized("Files in parallel", "并行文件数"),
      human_description: localized(
        "How many files upload at once, 1 to 8 (default 4)",
        "同时上传的文件数，1 到 8（默认 4）",
      ),
    },
    ...presignParameters,
    ...objectOptionParameters,
    ...encryptionParameters,
  },
  handler: (params, context) =>
    withBucket(context.credentials, async function* (bucket) {
      const concurrency = params.concurrency;
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
        throw new ValidationError(
          `parameter "concurrency" must be a whole number from 1 to ${MAX_CONCURRENCY}; got ${concurrency}`,
        );
      }
      const prefix = params.key_prefix?.trim() ?? "";
      const folder = prefix
        ? bucket.key(prefix.endsWith("/") ? prefix : `${prefix}/`, "key_prefix")
        : bucket.settings.keyPrefix;
      const expiresIn = expirySeconds(params);
      const presignSeconds = wantsPresignedUrl(params) ? expiresIn : undefined;
      const options = writeOptions(params, bucket.settings.encryption);
      const results = await uploadBatch(bucket, {
        files: params.files,
        folder,
        concurrency,
        options,
        presignSeconds,
        signal: context.signal,
        logger: context.logger,
      });
      const failed = results.filter((result) => result.error !== null);
      const summary = failed.map((result) => `${result.filename}: ${result.error}`).join("; ");
      if (failed.length === results.length) {
        throw new PluginError(
          String(failed[0]!.error_type),
          `none of the ${results.length} file(s) was uploaded to ${bucket.uri(folder)}: ${summary}`,
        );
      }
      const failures = failed.length ? `; ${failed.length} failed: ${summary}` : "";
      yield text(
        `Uploaded ${results.length - failed.length} of ${results.length} file(s) to ${bucket.uri(folder)}${failures}.`,
      );
      yield json({
        bucket: bucket.name,
        prefix: bucket.relative(folder),
        s3_uri: bucket.uri(folder),
        uploaded: results.length - failed.length,
        failed: failed.length,
        ...(presignSeconds === undefined ? {} : { presigned_url_expires_in: presignSeconds }),
        files: results,
      });
    }),
});

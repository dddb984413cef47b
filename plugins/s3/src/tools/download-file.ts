/**
 * s3_download_file: returns the object as a Dify file (a blob streamed in
 * 8 KiB chunks) up to Dify's 30 MB limit. Above it the tool fails with the
 * reason, or, when a presigned URL was asked for, returns the link instead.
 */
import { posix } from "node:path";
import { blob, localized, PluginError } from "@dify-ts/runtime";
import { withBucket } from "../bucket.js";
import { DIFY_FILE_LIMIT_BYTES, limited, openObject } from "../download.js";
import { keyParameters, presignParameters, versionParameters } from "../parameters.js";
import { expirySeconds, wantsPresignedUrl } from "../presign.js";
import { provider } from "../provider.js";
import { describeSize, objectReport } from "../results.js";

export const downloadFile = provider.defineTool({
  identity: { name: "s3_download_file", label: localized("Download file from S3", "从 S3 下载文件") },
  description: {
    human: localized(
      "Returns the object as a file (up to Dify's 30 MB limit; larger objects can be returned as a presigned URL)",
      "以文件形式返回对象（不超过 Dify 的 30 MB 限制；更大的对象可返回预签名 URL）",
    ),
    llm: "Downloads the object s3_key (or filename) from S3-compatible storage and returns it as a file.",
  },
  parameters: { ...keyParameters, ...versionParameters, ...presignParameters },
  handler: (params, context) =>
    withBucket(context.credentials, async function* (bucket) {
      const key = bucket.keyFrom(params);
      expirySeconds(params);
      const versionId = params.version_id || undefined;
      const object = await openObject(bucket, key, context.signal, versionId);
      const facts = { key, size: object.size, etag: object.etag, contentType: object.contentType, versionId };
      const version = { version_id: object.versionId ?? null };
      const tooLarge = (size: string) =>
        `${bucket.uri(key)} is ${size}, above Dify's ${DIFY_FILE_LIMIT_BYTES / 1024 / 1024} MB limit for files a tool returns`;
      if (object.size !== undefined && object.size > DIFY_FILE_LIMIT_BYTES) {
        object.body.destroy();
        if (!wantsPresignedUrl(params)) {
          throw new PluginError(
            "FileTooLargeError",
            `${tooLarge(describeSize(object.size))}: set generate_presigned_url to true to get a download link instead`,
          );
        }
        yield* objectReport(
          bucket,
          { ...facts, extra: { returned_as: "presigned_url", ...version } },
          `${tooLarge(describeSize(object.size))}, so it is returned as a presigned URL instead of a file.`,
          params,
        );
        return;
      }
      const filename = posix.basename(key);
      const data = limited(
        object.body,
        DIFY_FILE_LIMIT_BYTES,
        () =>
          new PluginError(
            "FileTooLargeError",
            `${tooLarge("larger")}: set generate_presigned_url to true to get a download link instead`,
          ),
      );
      yield blob(data, { mime_type: object.contentType, filename }, object.size);
      const size = object.size === undefined ? "size unknown" : describeSize(object.size);
      const confirmation = `Downloaded ${bucket.uri(key, versionId)} as the file ${filename}: ${size}, ${object.contentType}.`;
      yield* objectReport(
        bucket,
        { ...facts, extra: { returned_as: "file", filename, ...version } },
        confirmation,
        params,
      );
    }),
});

/**
 * s3_download_base64: the object as base64 text, capped (max_size_mb, 5 MB by
 * default) because the text travels through Dify's variables and, for agents,
 * the model's context. The base64 is the output variable `base64`, kept out
 * of the text messages: Dify joins a node's texts into one `text` output, and
 * the confirmation appended to the data would corrupt it. It is streamed as
 * it is encoded, so neither the object nor its base64 is ever held whole.
 */
import { localized, PluginError, streamVariable } from "@dify-ts/runtime";
import { encodeBase64 } from "../base64.js";
import { withBucket } from "../bucket.js";
import { limited, openObject } from "../download.js";
import { keyParameters, presignParameters, versionParameters } from "../parameters.js";
import { expirySeconds } from "../presign.js";
import { provider } from "../provider.js";
import { describeSize, objectReport } from "../results.js";

export const DEFAULT_BASE64_CAP_MB = 5;
const MAX_BASE64_CAP_MB = 20;
const MB = 1024 * 1024;

export const downloadBase64 = provider.defineTool({
  identity: { name: "s3_download_base64", label: localized("Download base64 from S3", "从 S3 下载 base64") },
  description: {
    human: localized(
      "Returns the object's content as base64 in the output variable base64 (up to max_size_mb, 5 MB by default)",
      "以 base64 形式在输出变量 base64 中返回对象内容（不超过 max_size_mb，默认 5 MB）",
    ),
    llm: "Downloads the object s3_key (or filename) from S3-compatible storage and returns its content base64-encoded.",
  },
  parameters: {
    ...keyParameters,
    ...versionParameters,
    max_size_mb: {
      type: "number",
      form: "form",
      default: DEFAULT_BASE64_CAP_MB,
      min: 0.001,
      max: MAX_BASE64_CAP_MB,
      label: localized("Size limit (MB)", "大小上限（MB）"),
      human_description: localized(
        `Larger objects fail with an error; default ${DEFAULT_BASE64_CAP_MB}, at most ${MAX_BASE64_CAP_MB}`,
        `超过此大小的对象会报错；默认 ${DEFAULT_BASE64_CAP_MB}，最大 ${MAX_BASE64_CAP_MB}`,
      ),
    },
    ...presignParameters,
  },
  output_schema: {
    type: "object",
    properties: { base64: { type: "string", description: "The object's content, base64-encoded" } },
  },
  handler: (params, context) =>
    withBucket(context.credentials, async function* (bucket) {
      const key = bucket.keyFrom(params);
      expirySeconds(params);
      const cap = Math.floor(params.max_size_mb * MB);
      const tooLarge = (size: string) =>
        new PluginError(
          "FileTooLargeError",
          `${bucket.uri(key)} is ${size}, above the base64 limit of ${params.max_size_mb} MB (max_size_mb): ` +
            `use s3_download_file for a file (up to 30 MB) or s3_presign_url for a link`,
        );
      const versionId = params.version_id || undefined;
      const object = await openObject(bucket, key, context.signal, versionId);
      if (object.size !== undefined && object.size > cap) {
        object.body.destroy();
        throw tooLarge(describeSize(object.size));
      }
      let size = 0;
      let characters = 0;
      const counted = async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          size += chunk.byteLength;
          yield chunk;
        }
      };
      for await (const piece of encodeBase64(counted(limited(object.body, cap, () => tooLarge("larger"))))) {
        characters += piece.length;
        yield streamVariable("base64", piece);
      }
      const where = bucket.uri(key, versionId);
      const confirmation = `Downloaded ${where} as ${characters} base64 characters in the variable "base64": ${describeSize(size)}, ${object.contentType}.`;
      const facts = {
        key,
        size,
        etag: object.etag,
        contentType: object.contentType,
        versionId,
        extra: { base64_length: characters, version_id: object.versionId ?? null },
      };
      yield* objectReport(bucket, facts, confirmation, params);
    }),
});

/** s3_copy_object: a server-side copy within or across buckets the credentials reach (multipart above 5 GiB). */
import { localized } from "@dify-ts/runtime";
import { withBucket } from "../bucket.js";
import { copyParameters, copyTool } from "../copy.js";
import { provider } from "../provider.js";

export const copyObject = provider.defineTool({
  identity: { name: "s3_copy_object", label: localized("Copy S3 object", "复制 S3 对象") },
  description: {
    human: localized(
      "Copies an object server-side, within the bucket or to another bucket; the source stays",
      "在服务端复制对象（同一存储桶内或到其他存储桶），源对象保留",
    ),
    llm: "Copies the object source_key to destination_key on the server (optionally across buckets); the source is kept.",
  },
  parameters: copyParameters,
  handler: (params, context) =>
    withBucket(context.credentials, (bucket) => copyTool(bucket, params, context.signal, context.logger, false)),
});

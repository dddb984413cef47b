/** s3_move_object: a server-side copy, then the source's deletion once the copy succeeded. */
import { localized } from "@dify-ts/runtime";
import { withBucket } from "../bucket.js";
import { copyParameters, copyTool } from "../copy.js";
import { provider } from "../provider.js";

export const moveObject = provider.defineTool({
  identity: { name: "s3_move_object", label: localized("Move S3 object", "移动 S3 对象") },
  description: {
    human: localized(
      "Moves (renames) an object server-side: copies it, then deletes the source",
      "在服务端移动（重命名）对象：先复制，再删除源对象",
    ),
    llm: "Moves the object source_key to destination_key (optionally across buckets): server-side copy, then the source is deleted.",
  },
  parameters: copyParameters,
  handler: (params, context) =>
    withBucket(context.credentials, (bucket) => copyTool(bucket, params, context.signal, context.logger, true)),
});

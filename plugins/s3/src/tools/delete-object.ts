/** s3_delete_object: deletes one object. S3 answers the same whether or not it existed. */
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { json, localized, text } from "@dify-ts/runtime";
import { withBucket } from "../bucket.js";
import { keyParameters } from "../parameters.js";
import { provider } from "../provider.js";

export const deleteObject = provider.defineTool({
  identity: { name: "s3_delete_object", label: localized("Delete S3 object", "删除 S3 对象") },
  description: {
    human: localized("Deletes an object (succeeds also when it did not exist)", "删除对象（对象不存在时同样成功）"),
    llm: "Deletes the object s3_key (or filename) from the bucket.",
  },
  parameters: { ...keyParameters },
  handler: (params, context) =>
    withBucket(context.credentials, async function* (bucket) {
      const key = bucket.keyFrom(params);
      const result = await bucket.call("delete", bucket.uri(key), () =>
        bucket.client.send(new DeleteObjectCommand({ Bucket: bucket.name, Key: key }), { abortSignal: context.signal }),
      );
      yield text(`Deleted ${bucket.uri(key)} (S3 does not say whether it existed).`);
      yield json({
        bucket: bucket.name,
        key: bucket.relative(key),
        s3_uri: bucket.uri(key),
        deleted: true,
        version_id: result.VersionId ?? null,
      });
    }),
});

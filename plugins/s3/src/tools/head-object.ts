/** s3_head_object: an object's size, type, ETag, dates and user metadata, without its content. */
import { localized } from "@dify-ts/runtime";
import { GetObjectTaggingCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { withBucket } from "../bucket.js";
import { storedContentType } from "../content-type.js";
import { keyParameters, versionParameters } from "../parameters.js";
import { provider } from "../provider.js";
import { describeSize, objectReport } from "../results.js";

export const headObject = provider.defineTool({
  identity: { name: "s3_head_object", label: localized("Get S3 object info", "获取 S3 对象信息") },
  description: {
    human: localized(
      "Returns an object's size, content type, ETag, last-modified date and metadata",
      "返回对象的大小、内容类型、ETag、最后修改时间和元数据",
    ),
    llm: "Returns metadata (size, content type, ETag, last modified, user metadata) of the object s3_key (or filename); fails if it does not exist.",
  },
  parameters: { ...keyParameters, ...versionParameters },
  handler: (params, context) =>
    withBucket(context.credentials, async function* (bucket) {
      const key = bucket.keyFrom(params);
      const versionId = params.version_id || undefined;
      const head = await bucket.call("inspect", bucket.uri(key, versionId), () =>
        bucket.client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: key, VersionId: versionId }), {
          abortSignal: context.signal,
        }),
      );
      // Tags need their own request (and s3:GetObjectTagging); without that permission the rest is still worth reporting.
      const tags = await bucket
        .call("read the tags of", bucket.uri(key, versionId), () =>
          bucket.client.send(new GetObjectTaggingCommand({ Bucket: bucket.name, Key: key, VersionId: versionId }), {
            abortSignal: context.signal,
          }),
        )
        .then((answer) => ({
          tags: Object.fromEntries((answer.TagSet ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""])),
          problem: undefined,
        }))
        .catch((error: Error) => ({ tags: null, problem: error.message }));
      const contentType = storedContentType(key, head.ContentType);
      const facts = {
        key,
        size: head.ContentLength,
        etag: head.ETag,
        contentType,
        extra: {
          last_modified: head.LastModified?.toISOString() ?? null,
          metadata: head.Metadata ?? {},
          cache_control: head.CacheControl ?? null,
          content_disposition: head.ContentDisposition ?? null,
          storage_class: head.StorageClass ?? null,
          version_id: head.VersionId ?? null,
          server_side_encryption: head.ServerSideEncryption ?? null,
          sse_kms_key_id: head.SSEKMSKeyId ?? null,
          bucket_key_enabled: head.BucketKeyEnabled ?? false,
          tags: tags.tags,
        },
      };
      const size = head.ContentLength === undefined ? "size unknown" : describeSize(head.ContentLength);
      const unreadTags = tags.problem ? ` Its tags could not be read: ${tags.problem}` : "";
      yield* objectReport(
        bucket,
        facts,
        `${bucket.uri(key, versionId)} exists: ${size}, ${contentType}.${unreadTags}`,
        {},
      );
    }),
});

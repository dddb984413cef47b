/** s3_list_buckets: the buckets the credentials can list (ListBuckets), for access that covers more than the configured one. */
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import { json, localized, text } from "@dify-ts/runtime";
import { withBucket } from "../bucket.js";
import { provider } from "../provider.js";

export const listBuckets = provider.defineTool({
  identity: { name: "s3_list_buckets", label: localized("List S3 buckets", "列出 S3 存储桶") },
  description: {
    human: localized(
      "Lists the buckets these credentials can see, marking the configured one",
      "列出这些凭证可见的存储桶，并标出已配置的存储桶",
    ),
    llm: "Lists the names and creation dates of the buckets the configured credentials can access; the other tools work in the configured bucket.",
  },
  parameters: {},
  handler: (_params, context) =>
    withBucket(context.credentials, async function* (bucket) {
      const listed = await bucket.call("list the buckets of", "the credentials", () =>
        bucket.client.send(new ListBucketsCommand({}), { abortSignal: context.signal }),
      );
      const buckets = (listed.Buckets ?? []).map((entry) => ({
        name: entry.Name ?? "",
        creation_date: entry.CreationDate?.toISOString() ?? null,
        configured: entry.Name === bucket.name,
      }));
      const configured = buckets.some((entry) => entry.configured)
        ? `; the tools work in "${bucket.name}"`
        : `; the configured bucket "${bucket.name}" is not among them`;
      yield text(`The credentials can see ${buckets.length} bucket(s)${configured}.`);
      yield json({ buckets, configured_bucket: bucket.name });
    }),
});

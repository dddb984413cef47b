/**
 * s3_list_objects: one page of ListObjectsV2 (or, with include_versions, of
 * ListObjectVersions) under KEY_PREFIX + prefix, keys reported relative to KEY_PREFIX.
 */
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { json, localized, text } from "@dify-ts/runtime";
import { withBucket } from "../bucket.js";
import { provider } from "../provider.js";
import { unquote } from "../results.js";
import { listVersions } from "../versions.js";

export const listObjects = provider.defineTool({
  identity: { name: "s3_list_objects", label: localized("List S3 objects", "列出 S3 对象") },
  description: {
    human: localized("Lists objects under a prefix, one page at a time", "按前缀分页列出对象"),
    llm: "Lists objects in the bucket whose keys start with prefix; use delimiter '/' to list one folder level, and continuation_token for the next page.",
  },
  parameters: {
    prefix: {
      type: "string",
      form: "llm",
      label: localized("Prefix", "前缀"),
      human_description: localized(
        "Only keys starting with this, e.g. reports/2025/",
        "仅列出以此开头的键，例如 reports/2025/",
      ),
      llm_description: "Only list keys starting with this, e.g. reports/2025/. Empty lists everything.",
    },
    delimiter: {
      type: "string",
      form: "llm",
      label: localized("Delimiter", "分隔符"),
      human_description: localized(
        "'/' groups deeper keys into folders (common_prefixes)",
        "'/' 会把更深层的键归为文件夹（common_prefixes）",
      ),
      llm_description: "Set to '/' to list a single folder level; deeper keys are returned as common_prefixes.",
    },
    max_keys: {
      type: "number",
      form: "llm",
      default: 100,
      min: 1,
      max: 1000,
      label: localized("Max keys", "最大数量"),
      human_description: localized("Objects per page, 1 to 1000", "每页对象数，1 到 1000"),
      llm_description: "Maximum number of keys to return, 1 to 1000 (default 100).",
    },
    continuation_token: {
      type: "string",
      form: "llm",
      label: localized("Continuation token", "续页令牌"),
      human_description: localized(
        "next_continuation_token from the previous page",
        "上一页返回的 next_continuation_token",
      ),
      llm_description: "The next_continuation_token of the previous call, to get the next page.",
    },
    include_versions: {
      type: "boolean",
      form: "llm",
      default: false,
      label: localized("Include versions", "包含版本"),
      human_description: localized(
        "List every version of each object (and delete markers) with its version_id, in a versioned bucket",
        "列出每个对象的所有版本（以及删除标记）及其 version_id，用于启用版本控制的存储桶",
      ),
      llm_description:
        "Set true to list all versions of each object (with version_id, is_latest) and delete markers instead of only current objects.",
    },
  },
  handler: (params, context) =>
    withBucket(context.credentials, async function* (bucket) {
      const prefix = params.prefix ? bucket.key(params.prefix, "prefix") : bucket.settings.keyPrefix;
      if (params.include_versions) {
        yield* listVersions(
          bucket,
          {
            prefix,
            delimiter: params.delimiter,
            maxKeys: Math.floor(params.max_keys),
            token: params.continuation_token,
          },
          context.signal,
        );
        return;
      }
      const page = await bucket.call("list", bucket.uri(prefix), () =>
        bucket.client.send(
          new ListObjectsV2Command({
            Bucket: bucket.name,
            Prefix: prefix || undefined,
            Delimiter: params.delimiter || undefined,
            MaxKeys: Math.floor(params.max_keys),
            ContinuationToken: params.continuation_token || undefined,
          }),
          { abortSignal: context.signal },
        ),
      );
      const objects = (page.Contents ?? []).map((object) => ({
        key: bucket.relative(object.Key ?? ""),
        size: object.Size ?? null,
        etag: unquote(object.ETag),
        last_modified: object.LastModified?.toISOString() ?? null,
      }));
      const folders = (page.CommonPrefixes ?? []).map((entry) => bucket.relative(entry.Prefix ?? ""));
      const more = page.IsTruncated ? "; more remain: pass next_continuation_token to get the next page" : "";
      yield text(
        `Listed ${objects.length} object(s)${folders.length ? ` and ${folders.length} folder(s)` : ""} under ${bucket.uri(prefix)}${more}.`,
      );
      yield json({
        bucket: bucket.name,
        prefix: params.prefix ?? "",
        s3_uri: bucket.uri(prefix),
        objects,
        common_prefixes: folders,
        is_truncated: page.IsTruncated ?? false,
        next_continuation_token: page.NextContinuationToken ?? null,
      });
    }),
});

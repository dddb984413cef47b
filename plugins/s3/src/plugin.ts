import { definePlugin, localized } from "@dify-ts/runtime";
import { provider } from "./provider.js";
import { copyObject } from "./tools/copy-object.js";
import { deleteObject } from "./tools/delete-object.js";
import { downloadBase64 } from "./tools/download-base64.js";
import { downloadFile } from "./tools/download-file.js";
import { headObject } from "./tools/head-object.js";
import { listBuckets } from "./tools/list-buckets.js";
import { listObjects } from "./tools/list-objects.js";
import { moveObject } from "./tools/move-object.js";
import { presignUrl } from "./tools/presign-url.js";
import { uploadBase64 } from "./tools/upload-base64.js";
import { uploadFile } from "./tools/upload-file.js";
import { uploadFiles } from "./tools/upload-files.js";

export default definePlugin({
  manifest: {
    author: "dify-ts",
    name: "s3",
    version: "0.1.0",
    label: localized("S3 storage", "S3 存储"),
    description: localized(
      "Upload, download, list, inspect, delete and presign objects in AWS S3 or any S3-compatible storage",
      "在 AWS S3 或任意 S3 兼容存储中上传、下载、列出、查看、删除对象并生成预签名链接",
    ),
    icon: "icon.svg",
    created_at: "2026-11-22T00:00:00Z",
    tags: ["utilities", "productivity"],
    // Uploads stream with a few 8 MiB parts in flight and downloads stream in 8 KiB chunks.
    resource: { memory: 268435456, permission: { tool: { enabled: true } } },
    privacy: "PRIVACY.md",
  },
  provider,
  tools: [
    uploadFile,
    uploadBase64,
    downloadFile,
    downloadBase64,
    listObjects,
    headObject,
    deleteObject,
    presignUrl,
    listBuckets,
    copyObject,
    moveObject,
    uploadFiles,
  ],
});

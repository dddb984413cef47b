import { defineProvider, localized } from "@dify-ts/runtime";
import { credentialFields } from "./credentials.js";
import { validateS3Credentials } from "./validate.js";

export const provider = defineProvider({
  identity: {
    name: "s3",
    author: "dify-ts",
    label: localized("S3 storage", "S3 存储"),
    description: localized(
      "Upload, download, list, inspect, delete and presign objects in AWS S3 or any S3-compatible storage (MinIO, Ceph, R2, OSS...)",
      "在 AWS S3 或任意 S3 兼容存储（MinIO、Ceph、R2、OSS 等）中上传、下载、列出、查看、删除对象并生成预签名链接",
    ),
    icon: "icon.svg",
    tags: ["utilities", "productivity"],
  },
  credentials: credentialFields,
  validateCredentials: validateS3Credentials,
});

/**
 * The provider's credential form. The names are botos3's, so existing setups
 * carry over; S3_REGION, S3_SESSION_TOKEN, S3_FORCE_PATH_STYLE and KEY_PREFIX
 * are additions. TLS verification has no switch on purpose: a private CA goes
 * into S3_CA_BUNDLE instead. Text inputs are `public` (not secrets), so error
 * messages can name the bucket, endpoint and region; the keys stay masked.
 */
import type { CredentialFields, Credentials } from "@dify-ts/runtime";
import { encryptionCredentialFields } from "./encryption.js";

export const credentialFields = {
  DIFY_ENDPOINT: {
    type: "text-input",
    public: true,
    label: { en_US: "Dify base URL", zh_Hans: "Dify 服务地址" },
    placeholder: { en_US: "http://api:5001", zh_Hans: "http://api:5001" },
    help: {
      en_US:
        "Used only when Dify sends relative file links (FILES_URL and INTERNAL_FILES_URL unset): the URL the plugin can reach Dify's API at.",
      zh_Hans:
        "仅在 Dify 发送相对文件链接时使用（未设置 FILES_URL 与 INTERNAL_FILES_URL）：插件可访问的 Dify API 地址。",
    },
  },
  S3_ENDPOINT: {
    type: "text-input",
    public: true,
    label: { en_US: "S3 endpoint", zh_Hans: "S3 服务端点" },
    placeholder: {
      en_US: "https://minio.example.com:9000 (empty for AWS)",
      zh_Hans: "https://minio.example.com:9000（AWS 留空）",
    },
    help: {
      en_US: "URL of an S3-compatible service (MinIO, Ceph, R2, OSS...). Leave empty for AWS S3.",
      zh_Hans: "S3 兼容服务的地址（MinIO、Ceph、R2、OSS 等）。使用 AWS S3 时留空。",
    },
  },
  S3_REGION: {
    type: "text-input",
    public: true,
    default: "us-east-1",
    label: { en_US: "Region", zh_Hans: "区域" },
    placeholder: { en_US: "us-east-1", zh_Hans: "us-east-1" },
    help: {
      en_US: "The bucket's region; it is part of every request signature. Most S3-compatible servers accept us-east-1.",
      zh_Hans: "存储桶所在区域，参与请求签名。多数 S3 兼容服务接受 us-east-1。",
    },
  },
  S3_ACCESS_KEY: {
    type: "secret-input",
    required: true,
    label: { en_US: "Access key ID", zh_Hans: "Access Key ID" },
    placeholder: { en_US: "AKIA...", zh_Hans: "AKIA..." },
  },
  S3_SECRET_KEY: {
    type: "secret-input",
    required: true,
    label: { en_US: "Secret access key", zh_Hans: "Secret Access Key" },
  },
  S3_SESSION_TOKEN: {
    type: "secret-input",
    label: { en_US: "Session token (optional)", zh_Hans: "会话令牌（可选）" },
    help: { en_US: "Only for temporary (STS) credentials.", zh_Hans: "仅用于临时（STS）凭证。" },
  },
  BUCKET_NAME: {
    type: "text-input",
    public: true,
    required: true,
    label: { en_US: "Bucket", zh_Hans: "存储桶" },
    placeholder: { en_US: "my-bucket", zh_Hans: "my-bucket" },
  },
  S3_CA_BUNDLE: {
    type: "text-input",
    public: true,
    label: { en_US: "CA bundle (PEM, optional)", zh_Hans: "CA 证书链（PEM，可选）" },
    placeholder: {
      en_US: "-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----",
      zh_Hans: "-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----",
    },
    help: {
      en_US:
        "Paste the PEM chain (root and intermediates) of a private CA. Line breaks lost when pasting are restored. It is trusted in addition to the public CAs.",
      zh_Hans: "粘贴私有 CA 的 PEM 证书链（根证书和中间证书）。粘贴时丢失的换行会被自动恢复。它与公共 CA 一起被信任。",
    },
    url: "https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-options.html#cli-configure-options-ca_bundle",
  },
  S3_FORCE_PATH_STYLE: {
    type: "boolean",
    label: { en_US: "Path-style addressing", zh_Hans: "路径风格寻址" },
    help: {
      en_US:
        "On: https://host/bucket/key. Off: https://bucket.host/key. Unset: on when an S3 endpoint is set, off for AWS.",
      zh_Hans:
        "开启：https://host/bucket/key；关闭：https://bucket.host/key。未设置时：设置了 S3 端点则开启，AWS 则关闭。",
    },
  },
  KEY_PREFIX: {
    type: "text-input",
    public: true,
    label: { en_US: "Key prefix (optional)", zh_Hans: "键前缀（可选）" },
    placeholder: { en_US: "dify/uploads/", zh_Hans: "dify/uploads/" },
    help: {
      en_US: "A folder every tool works inside: keys given to tools and returned by them are relative to it.",
      zh_Hans: "所有工具都在此目录下工作：传给工具和工具返回的键都相对于它。",
    },
  },
  ...encryptionCredentialFields,
} as const satisfies CredentialFields;

export type S3Credentials = Credentials<typeof credentialFields>;

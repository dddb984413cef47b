/**
 * Turns the credentials Dify sends into checked connection settings: the
 * endpoint as a URL (empty means AWS), the region, path-style addressing
 * (S3_FORCE_PATH_STYLE, defaulting to on when an endpoint is set), the CA
 * bundle as PEM certificates and KEY_PREFIX as a folder.
 */
import { CredentialValidationError } from "@dify-ts/runtime";
import { parseCaBundle } from "./ca-bundle.js";
import type { S3Credentials } from "./credentials.js";
import { readEncryptionDefault, type EncryptionDefault } from "./encryption.js";
import { normalizePrefix } from "./keys.js";

export interface S3Settings {
  /** Undefined for AWS, where the SDK derives the endpoint from the region. */
  endpoint: URL | undefined;
  region: string;
  bucket: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | undefined;
  /** Extra trusted CA certificates (PEM), from S3_CA_BUNDLE. */
  caCertificates: string[] | undefined;
  keyPrefix: string;
  /** Base URL for relative Dify file links. */
  difyEndpoint: string | undefined;
  /** Server-side encryption of writes when a tool's parameters do not choose one. */
  encryption: EncryptionDefault;
}

export function readSettings(credentials: S3Credentials): S3Settings {
  const endpoint = parseEndpoint(credentials.S3_ENDPOINT);
  return {
    endpoint,
    region: credentials.S3_REGION.trim() || "us-east-1",
    bucket: parseBucket(credentials.BUCKET_NAME),
    forcePathStyle: credentials.S3_FORCE_PATH_STYLE ?? endpoint !== undefined,
    accessKeyId: credentials.S3_ACCESS_KEY,
    secretAccessKey: credentials.S3_SECRET_KEY,
    sessionToken: credentials.S3_SESSION_TOKEN || undefined,
    caCertificates: credentials.S3_CA_BUNDLE ? parseCaBundle(credentials.S3_CA_BUNDLE) : undefined,
    keyPrefix: normalizePrefix(credentials.KEY_PREFIX),
    difyEndpoint: credentials.DIFY_ENDPOINT || undefined,
    encryption: readEncryptionDefault(credentials),
  };
}

/** How messages name the server: the endpoint's origin, or AWS S3 in its region. */
export function describeEndpoint(settings: S3Settings): string {
  return settings.endpoint ? settings.endpoint.origin : `AWS S3 (${settings.region})`;
}

function parseEndpoint(raw: string | undefined): URL | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CredentialValidationError(
      `S3_ENDPOINT ${JSON.stringify(value)} is not a URL: write it like https://minio.example.com:9000`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CredentialValidationError(`S3_ENDPOINT must start with http:// or https://; got ${url.protocol}//`);
  }
  if (url.pathname !== "/" || url.search) {
    throw new CredentialValidationError(
      `S3_ENDPOINT must be the server's address only (like ${url.origin}); put the bucket in BUCKET_NAME and folders in KEY_PREFIX`,
    );
  }
  return url;
}

function parseBucket(raw: string): string {
  const bucket = raw.trim();
  if (!/^[a-z0-9][a-z0-9.\-_]{1,254}$/i.test(bucket)) {
    throw new CredentialValidationError(
      `BUCKET_NAME ${JSON.stringify(bucket)} is not a bucket name: use the bucket's name only (letters, digits, ".", "-"), not a URL or a path`,
    );
  }
  return bucket;
}

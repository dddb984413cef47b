/**
 * Every failure becomes one PluginError whose message names the cause and the
 * fix, so the workflow node fails visibly (the plugin's error policy: tools
 * never report failures as ordinary text). Network and TLS errors come from
 * Node, service errors from the SDK (`name` is S3's error code); HEAD
 * responses carry no body, so their 403/404 arrive without a code.
 */
import { PluginError } from "@dify-ts/runtime";

export type FailureKind =
  | "tls"
  | "unreachable"
  | "refused"
  | "reset"
  | "timeout"
  | "wrong-access-key"
  | "session-token"
  | "wrong-secret"
  | "forbidden"
  | "ambiguous-403"
  | "no-bucket"
  | "no-object"
  | "bad-version"
  | "wrong-region"
  | "aborted"
  | "other";

export interface Failure {
  kind: FailureKind;
  message: string;
}

export interface FailureContext {
  /** What was being done, e.g. "upload" or "check bucket". */
  operation: string;
  /** What it was done to, e.g. "s3://bucket/key". */
  target: string;
  endpoint: string;
  bucket: string;
  region: string;
  /** Virtual-host addressing against a custom endpoint: the bucket is part of the host name. */
  bucketInHostName: boolean;
  /** S3_SESSION_TOKEN is set: the keys are temporary. */
  temporaryCredentials: boolean;
}

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  /** The bucket's region, in AWS's AuthorizationHeaderMalformed and PermanentRedirect bodies. */
  Region?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
  cause?: unknown;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME|ALTNAME/i;
const UNREACHABLE_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
/** The server closed a connection in the middle of a request: it crashed, restarted, or a proxy cut it. */
const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);
/** S3's codes for a session token that is unknown, malformed or expired. */
const SESSION_TOKEN_CODES = new Set(["InvalidToken", "ExpiredToken", "TokenRefreshRequired", "InvalidClientTokenId"]);

export function classify(error: unknown, context: FailureContext): Failure {
  const shape = (error ?? {}) as SdkErrorShape;
  const code = networkCode(error);
  const name = shape.Code ?? shape.name ?? "";
  const status = shape.$metadata?.httpStatusCode;
  const where = context.endpoint;
  const tail = `(while trying to ${context.operation} ${context.target})`;

  if (code && TLS_CODES.test(code)) {
    const hostname = /ALTNAME|HOSTNAME/i.test(code);
    return {
      kind: "tls",
      message: hostname
        ? `TLS failed for ${where}: the certificate does not name this host (${code}). Set S3_ENDPOINT to a host name the certificate covers ${tail}`
        : `TLS verification failed for ${where}: the server's certificate is not trusted (${code}). If the storage uses a private CA, paste its PEM chain (root and intermediates) into S3_CA_BUNDLE; verification cannot be turned off ${tail}`,
    };
  }
  if (name === "AbortError") return { kind: "aborted", message: `the request was cancelled ${tail}` };
  if (code === "ECONNREFUSED") {
    return {
      kind: "refused",
      message:
        `could not reach ${where} (ECONNREFUSED): the connection was refused, so nothing listens there or the server is down; ` +
        `check S3_ENDPOINT (scheme, host and port) and that the server runs ${tail}`,
    };
  }
  // Before the timeout check: the SDK's request handler renames ECONNRESET and EPIPE errors TimeoutError (to retry them).
  if (code && RESET_CODES.has(code)) {
    return {
      kind: "reset",
      message:
        `the connection to ${where} was reset in the middle of the request (${code}): the server closed it (it may have crashed or restarted, ` +
        `or a proxy cut the connection); run the tool again once the server is up ${tail}`,
    };
  }
  if (name === "TimeoutError" || code === "ETIMEDOUT") {
    return {
      kind: "timeout",
      message: `${where} did not answer in time: check S3_ENDPOINT and that the plugin's network can reach it ${tail}`,
    };
  }
  if (code && UNREACHABLE_CODES.has(code)) {
    const hint =
      (code === "ENOTFOUND" || code === "EAI_AGAIN") && context.bucketInHostName
        ? `; with path-style addressing off the host is ${context.bucket}.${new URL(where).host}: turn S3_FORCE_PATH_STYLE on unless that name exists`
        : "";
    return {
      kind: "unreachable",
      message: `could not reach ${where} (${code}): check S3_ENDPOINT (scheme, host and port) and that the plugin's network can reach it${hint} ${tail}`,
    };
  }
  // Targets name a version the way S3Bucket.uri writes it: s3://bucket/key?versionId=...
  const versioned = context.target.includes("?versionId=");
  if (versioned && status === 400 && (name === "InvalidArgument" || shape.Code === undefined)) {
    return {
      kind: "bad-version",
      message:
        `${context.target} was refused (HTTP 400${shape.Code ? `, ${shape.Code}` : ""}): version_id is not a version id this server knows; ` +
        "pass a version_id from s3_list_objects with include_versions",
    };
  }
  if (SESSION_TOKEN_CODES.has(name) || (status === 400 && shape.Code === undefined && context.temporaryCredentials)) {
    const why =
      name === "ExpiredToken"
        ? "has expired"
        : SESSION_TOKEN_CODES.has(name)
          ? `was rejected (${name})`
          : "is the likely cause of a bare HTTP 400";
    return {
      kind: "session-token",
      message:
        `the session token ${why}: S3_SESSION_TOKEN (the temporary credentials' aws_session_token) must be the current token issued ` +
        `with S3_ACCESS_KEY; paste a fresh one, or leave it empty with permanent keys ${tail}`,
    };
  }
  // versitygw answers an unknown key with its own XAdminUserNotFound.
  if (name === "InvalidAccessKeyId" || name === "XAdminUserNotFound") {
    return {
      kind: "wrong-access-key",
      message: `the server does not know this access key: check S3_ACCESS_KEY ${tail}`,
    };
  }
  if (name === "SignatureDoesNotMatch") {
    return {
      kind: "wrong-secret",
      message: `the request signature was rejected: S3_SECRET_KEY does not match S3_ACCESS_KEY (or S3_SESSION_TOKEN is stale, or the clock is off) ${tail}`,
    };
  }
  const bucketRegion =
    shape.Region ??
    shape.$response?.headers?.["x-amz-bucket-region"] ??
    /expecting ['"]([a-z0-9-]+)['"]/.exec(shape.message ?? "")?.[1];
  if (
    status === 301 ||
    name === "PermanentRedirect" ||
    name === "AuthorizationHeaderMalformed" ||
    name === "IllegalLocationConstraintException" ||
    (bucketRegion && bucketRegion !== context.region && (status === 400 || status === 403))
  ) {
    const actual = bucketRegion ? `is in region ${bucketRegion}` : "is in another region";
    return {
      kind: "wrong-region",
      message: `bucket "${context.bucket}" ${actual} but S3_REGION is ${context.region}: set S3_REGION${bucketRegion ? ` to ${bucketRegion}` : " to the bucket's region"} ${tail}`,
    };
  }
  if (name === "NoSuchBucket" || (status === 404 && context.operation === "check bucket")) {
    return {
      kind: "no-bucket",
      message: `bucket "${context.bucket}" does not exist at ${where}: check BUCKET_NAME (and S3_ENDPOINT) ${tail}`,
    };
  }
  if (name === "NoSuchKey" || name === "NotFound" || status === 404) {
    return {
      kind: "no-object",
      message: `${context.target} does not exist: check the key${versioned ? ", version_id" : ""} and KEY_PREFIX`,
    };
  }
  if (name === "AccessDenied" || name === "AllAccessDisabled") {
    return {
      kind: "forbidden",
      message: `access denied: the keys are valid but lack permission on bucket "${context.bucket}"; grant them the S3 action this needs ${tail}`,
    };
  }
  if (status === 403) {
    return {
      kind: "ambiguous-403",
      message:
        `access denied (HTTP 403) by ${where}: the response has no detail, so either S3_ACCESS_KEY / S3_SECRET_KEY are wrong ` +
        `or the keys lack permission on bucket "${context.bucket}" ${tail}`,
    };
  }
  const detail = [name && name !== "Error" ? name : undefined, status ? `HTTP ${status}` : undefined]
    .filter(Boolean)
    .join(", ");
  return {
    kind: "other",
    message: `S3 request failed${detail ? ` (${detail})` : ""}: ${shape.message || String(error)} ${tail}`,
  };
}

/** HEAD answers carry no body: the SDK knows the status but no S3 error code. */
export function lacksErrorCode(error: unknown): boolean {
  const shape = (error ?? {}) as SdkErrorShape;
  return shape.$metadata?.httpStatusCode !== undefined && shape.Code === undefined;
}

/** The error a tool throws. */
export function s3Failure(error: unknown, context: FailureContext): PluginError {
  if (error instanceof PluginError) return error;
  return new PluginError("S3Error", classify(error, context).message, { cause: error });
}

/** The source of an upload (a Dify file download) broke off: name that, not S3. */
export function sourceFailure(error: unknown, bytesRead: number): PluginError {
  if (error instanceof PluginError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new PluginError(
    "FileDownloadError",
    `the file download broke off after ${bytesRead} bytes (${detail}); nothing was stored: run the tool again, and check that Dify's file server stays reachable`,
    { cause: error },
  );
}

/** Node puts socket and TLS codes on the error or on its cause. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[A-Z_0-9]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

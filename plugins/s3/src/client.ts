/**
 * One S3 client per invocation: credentials differ per tenant, and a client
 * cached on a module would leak one tenant's keys into another's calls.
 * Checksums are WHEN_REQUIRED because the SDK defaults (CRC32 on presigned PUT
 * URLs, aws-chunked streaming bodies) break MinIO, R2, SeaweedFS and others.
 * TLS verification is always on; S3_CA_BUNDLE adds trusted CAs to Node's own.
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { rootCertificates } from "node:tls";
import { S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { S3Settings } from "./settings.js";

export const CONNECT_TIMEOUT_MS = 10_000;
/**
 * Longest silence on a socket before a request fails (a stalled server, not a slow transfer). With every attempt
 * timing out, a call must still fail before the daemon's MAX_REQUEST_TIMEOUT (300 s by default) ends the session,
 * or the plugin's own "did not answer in time" message is never seen: 3 x (10 + 60) s plus the SDK's backoff fits.
 */
export const SOCKET_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_ATTEMPTS = 3;
const MAX_SOCKETS = 16;

export interface ClientOptions {
  /** Attempts per request, retries included (the SDK's maxAttempts). */
  maxAttempts?: number;
}

export function createS3Client(settings: S3Settings, options: ClientOptions = {}): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS };
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint?.href,
    forcePathStyle: settings.forcePathStyle,
    credentials: {
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
      sessionToken: settings.sessionToken,
    },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: CONNECT_TIMEOUT_MS,
      socketTimeout: SOCKET_IDLE_TIMEOUT_MS,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent({
        ...agentOptions,
        // Explicit, so NODE_TLS_REJECT_UNAUTHORIZED=0 in the plugin's environment cannot turn verification off.
        rejectUnauthorized: true,
        ca: settings.caCertificates ? [...rootCertificates, ...settings.caCertificates] : undefined,
      }),
    }),
  });
}

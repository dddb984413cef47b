/**
 * One test file's world: versitygw on 127.0.0.1 (optionally TLS or IAM), a
 * bucket, a stand-in for Dify's file server, and the plugin's real entry
 * spawned as the daemon would. Call inside a describe; hooks start and stop it.
 */
import { afterAll, beforeAll } from "vitest";
import type { JsonObject } from "@dify-ts/runtime";
import type { PluginProcess, SessionResult } from "@dify-ts/host";
import type { S3Bucket } from "../../src/bucket.js";
import type { S3Credentials } from "../../src/credentials.js";
import { createBucket, s3Credentials } from "./admin.js";
import { makeCertificates, type TestCertificates } from "./certificates.js";
import { packagePluginForTest, packagedUnavailable, type PackagedPlugin } from "./packaged.js";
import { startFileServer, type FileServer } from "./file-server.js";
import { invokeTool, startPlugin, validateCredentials, type Credentials } from "./plugin.js";
import { startVersitygw, versitygwUnavailable, type RunningS3, type VersitygwOptions } from "./versitygw.js";

export interface S3Environment {
  s3: RunningS3;
  certificates?: TestCertificates;
  plugin: PluginProcess;
  files: FileServer;
  /** Direct SDK access with the root keys. */
  admin: S3Bucket;
  credentials: S3Credentials;
  invoke(tool: string, parameters?: JsonObject, credentials?: Partial<Credentials>): Promise<SessionResult>;
  validate(credentials?: Partial<Credentials>): Promise<SessionResult>;
}

/** The describe-level skip reason, printed so a skip never passes silently. */
export function skipReason(): string | undefined {
  if (versitygwUnavailable) console.warn(`S3 tests skipped: ${versitygwUnavailable}`);
  return versitygwUnavailable;
}

export interface EnvironmentOptions {
  /** HTTPS with a CA made for the run, passed in S3_CA_BUNDLE with its line breaks turned into spaces. */
  tls?: boolean;
  iam?: boolean;
  /** A versitygw that keeps object versions, so buckets can be versioned. */
  versioning?: boolean;
  /** Drive the packaged plugin (dify-ts package, run by the wheel's Python and Node) instead of the TypeScript entry. */
  packaged?: boolean;
}

/** The skip reason of a suite that drives the packaged plugin. */
export function packagedSkipReason(): string | undefined {
  const reason = skipReason() ?? packagedUnavailable;
  if (reason && !versitygwUnavailable) console.warn(`packaged S3 tests skipped: ${reason}`);
  return reason;
}

export function useS3Environment(options: EnvironmentOptions = {}): S3Environment {
  const environment = {} as S3Environment;
  let packaged: PackagedPlugin | undefined;
  beforeAll(async () => {
    const versitygwOptions: VersitygwOptions = { iam: options.iam, versioning: options.versioning };
    if (options.tls) {
      environment.certificates = await makeCertificates();
      versitygwOptions.tls = environment.certificates;
    }
    environment.s3 = await startVersitygw(versitygwOptions);
    environment.files = await startFileServer();
    environment.credentials = s3Credentials(environment.s3.endpoint, "dify-test", {
      DIFY_ENDPOINT: environment.files.origin,
      S3_CA_BUNDLE: environment.certificates?.caPem.replace(/\n/g, " "),
    });
    environment.admin = await createBucket(environment.credentials);
    if (options.packaged) packaged = await packagePluginForTest();
    environment.plugin = packaged ? await packaged.start() : startPlugin();
    environment.invoke = (tool, parameters = {}, credentials = {}) =>
      invokeTool(environment.plugin, { ...environment.credentials, ...credentials }, tool, parameters);
    environment.validate = (credentials = {}) =>
      validateCredentials(environment.plugin, { ...environment.credentials, ...credentials });
  });
  afterAll(async () => {
    environment.plugin?.kill();
    environment.admin?.close();
    await environment.files?.close();
    await environment.s3?.stop();
    await environment.certificates?.remove();
    await packaged?.remove();
  });
  return environment;
}

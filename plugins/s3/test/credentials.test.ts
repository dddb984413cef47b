/** Credential validation over stdio, against versitygw (which verifies SigV4): one distinct, actionable message per cause. */
import { describe, expect, it } from "vitest";
import { useS3Environment, skipReason } from "./support/environment.js";
import { freePort } from "./support/versitygw.js";

const reason = skipReason();

describe.skipIf(reason)(`credential validation against versitygw${reason ? ` (skipped: ${reason})` : ""}`, () => {
  const env = useS3Environment({ iam: true });
  const failure = async (credentials: Record<string, string | boolean>) => {
    const result = await env.validate(credentials);
    expect(result.stream).toEqual([]);
    expect(result.error?.error_type).toBe("ToolProviderCredentialValidationError");
    return result.error!.message;
  };

  it("accepts working credentials with the SDK's answer {result: true}", async () => {
    const result = await env.validate();
    expect(result.error).toBeUndefined();
    expect(result.stream).toEqual([{ result: true }]);
  });

  it("names S3_SECRET_KEY when the signature is really rejected", async () => {
    const message = await failure({ S3_SECRET_KEY: "not-the-secret" });
    expect(message).toContain("S3_SECRET_KEY does not match S3_ACCESS_KEY");
    expect(message).not.toContain("not-the-secret");
  });

  it("names S3_ACCESS_KEY for an unknown access key", async () => {
    expect(await failure({ S3_ACCESS_KEY: "AKIDUNKNOWN" })).toContain(
      "does not know this access key: check S3_ACCESS_KEY",
    );
  });

  it("says the bucket does not exist", async () => {
    expect(await failure({ BUCKET_NAME: "no-such-bucket" })).toContain('bucket "no-such-bucket" does not exist');
  });

  it("tells missing permission apart from wrong keys", async () => {
    env.s3.createUser("AKIDLIMITED", "limited-secret-0123456789");
    const message = await failure({ S3_ACCESS_KEY: "AKIDLIMITED", S3_SECRET_KEY: "limited-secret-0123456789" });
    expect(message).toContain("the keys are valid but lack permission");
  });

  it("names S3_REGION when the region is wrong", async () => {
    expect(await failure({ S3_REGION: "eu-west-3" })).toMatch(/S3_REGION is eu-west-3: set S3_REGION to us-east-1/);
  });

  it("says the endpoint is unreachable", async () => {
    const port = await freePort();
    const message = await failure({ S3_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(message).toContain(`could not reach http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(message).toContain("check S3_ENDPOINT");
  });

  it("refuses malformed settings before any request", async () => {
    expect(await failure({ S3_ENDPOINT: "http://127.0.0.1:9000/bucket/path" })).toContain(
      "S3_ENDPOINT must be the server's address only",
    );
    expect(await failure({ BUCKET_NAME: "s3://dify-test" })).toContain("BUCKET_NAME");
    expect(await failure({ S3_CA_BUNDLE: "not a certificate" })).toContain(
      "S3_CA_BUNDLE is not a usable PEM CA bundle: no certificate was found",
    );
    expect(await failure({ KEY_PREFIX: "../escape" })).toContain(
      'credential "KEY_PREFIX" must not contain ".." segments',
    );
  });

  it("reads S3_FORCE_PATH_STYLE sent as a string, as Dify may send booleans", async () => {
    const localhost = env.s3.endpoint.replace("127.0.0.1", "localhost");
    expect((await env.validate({ S3_ENDPOINT: localhost, S3_FORCE_PATH_STYLE: "true" })).stream).toEqual([
      { result: true },
    ]);
    // "false" selects virtual-host style: the bucket moves into the host name, dify-test.localhost, which does not resolve here.
    const message = await failure({ S3_ENDPOINT: localhost, S3_FORCE_PATH_STYLE: "false" });
    expect(message).toMatch(/could not reach http:\/\/localhost:\d+ \((ENOTFOUND|EAI_AGAIN)\)/);
    expect(message).toMatch(/the host is dify-test.localhost:\d+: turn S3_FORCE_PATH_STYLE on/);
  });
});

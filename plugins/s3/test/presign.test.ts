/** s3_presign_url over stdio; the URLs are used with plain fetch against versitygw, which checks signatures and expiry. */
import { describe, expect, it } from "vitest";
import { reassemble } from "@dify-ts/host";
import { getObject, putObject } from "./support/admin.js";
import { useS3Environment, skipReason } from "./support/environment.js";

const reason = skipReason();

describe.skipIf(reason)(`presigned URLs against versitygw${reason ? ` (skipped: ${reason})` : ""}`, () => {
  const env = useS3Environment();
  const presign = async (parameters: Record<string, string | number>) => {
    const result = await env.invoke("s3_presign_url", parameters);
    expect(result.error).toBeUndefined();
    const seen = reassemble(result.stream);
    const json = seen.jsons[0] as { url: string; expires_in: number; method: string };
    expect(seen.texts.at(-1)).toBe(`Presigned URL: ${json.url}`);
    return { json, seen };
  };

  it("GET downloads the object; a tampered signature is refused", async () => {
    await putObject(env.admin, "share/a.txt", Buffer.from("shared content"), "text/plain");
    const { json, seen } = await presign({ s3_key: "share/a.txt", presigned_expiration: 300 });
    expect(json).toMatchObject({
      method: "GET",
      expires_in: 300,
      key: "share/a.txt",
      s3_uri: "s3://dify-test/share/a.txt",
    });
    expect(seen.texts[0]).toMatch(
      /^Presigned GET URL for s3:\/\/dify-test\/share\/a\.txt, valid for 300 s \(until .+Z\)\.\n$/,
    );
    expect(json.url).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum/i);
    const response = await fetch(json.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("shared content");
    const tampered = json.url.replace(
      /X-Amz-Signature=([0-9a-f])/,
      (_match, digit: string) => `X-Amz-Signature=${digit === "0" ? "1" : "0"}`,
    );
    expect((await fetch(tampered)).status).toBe(403);
  });

  it("PUT uploads with the signed content type and carries no checksum parameters", async () => {
    const { json, seen } = await presign({
      filename: "drop/in.json",
      method: "PUT",
      content_type: "application/json",
      presign_expiry: 120,
    });
    expect(json).toMatchObject({ method: "PUT", expires_in: 120, content_type: "application/json" });
    expect(seen.texts[0]).toContain("send the header Content-Type: application/json");
    expect(json.url).not.toMatch(/x-amz-checksum|x-amz-sdk-checksum/i);
    const wrongType = await fetch(json.url, { method: "PUT", body: "{}", headers: { "content-type": "text/plain" } });
    expect(wrongType.status).toBe(403);
    const upload = await fetch(json.url, {
      method: "PUT",
      body: '{"ok":true}',
      headers: { "content-type": "application/json" },
    });
    expect(upload.status).toBe(200);
    const stored = await getObject(env.admin, "drop/in.json");
    expect(stored.bytes.toString()).toBe('{"ok":true}');
    expect(stored.contentType).toBe("application/json");
  });

  it("an expired URL is refused", async () => {
    await putObject(env.admin, "short.txt", Buffer.from("x"));
    const { json } = await presign({ s3_key: "short.txt", presigned_expiration: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const response = await fetch(json.url);
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/expired/i);
  });

  it("refuses expiries outside 1 s to 7 days", async () => {
    const tooLong = await env.invoke("s3_presign_url", { s3_key: "a", presigned_expiration: 604_801 });
    expect(tooLong.error?.message).toContain('parameter "presigned_expiration" must be at most 604800');
    const zero = await env.invoke("s3_presign_url", { s3_key: "a", presign_expiry: 0 });
    expect(zero.error?.message).toContain('parameter "presign_expiry" must be at least 1');
  });
});

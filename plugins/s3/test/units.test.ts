/** The pure parts: CA bundle re-wrapping, key rules, strict base64, presign expiry, settings defaults, upload options, copy parts. */
import { describe, expect, it } from "vitest";
import { X509Certificate } from "node:crypto";
import { parseCaBundle } from "../src/ca-bundle.js";
import { decodeBase64, encodeBase64 } from "../src/base64.js";
import { chooseKey, normalizePrefix, objectKey, relativeKey } from "../src/keys.js";
import { expirySeconds, wantsPresignedUrl } from "../src/presign.js";
import { readSettings } from "../src/settings.js";
import { contentTypeFor } from "../src/content-type.js";
import { classify, type FailureContext } from "../src/errors.js";
import { CONNECT_TIMEOUT_MS, DEFAULT_MAX_ATTEMPTS, SOCKET_IDLE_TIMEOUT_MS } from "../src/client.js";
import { makeCertificates } from "./support/certificates.js";
import { forEachLimited } from "../src/concurrency.js";
import { copyPartSize } from "../src/copy.js";
import { encryptionHeaders, readEncryptionDefault } from "../src/encryption.js";
import { contentDisposition } from "../src/upload-options.js";
import type { S3Credentials } from "../src/credentials.js";

describe("S3_CA_BUNDLE", () => {
  it("rebuilds a chain whose line breaks became spaces, vanished or arrived as \\n escapes", async () => {
    const certificates = await makeCertificates();
    try {
      const chain = certificates.caPem + certificates.otherCaPem;
      const originals = [certificates.caPem, certificates.otherCaPem].map(
        (pem) => new X509Certificate(pem).fingerprint256,
      );
      for (const mangled of [
        chain,
        chain.replace(/\n/g, " "),
        chain.replace(/\n/g, ""),
        chain.replace(/\n/g, "\\n"),
        `  ${chain.replace(/\n/g, "\r\n")}  `,
      ]) {
        const parsed = parseCaBundle(mangled);
        expect(parsed.map((pem) => new X509Certificate(pem).fingerprint256)).toEqual(originals);
        expect(parsed[0]!.split("\n").every((line) => line.length <= 64)).toBe(true);
      }
    } finally {
      await certificates.remove();
    }
  });

  it("refuses text without a certificate, private keys and broken base64, saying why", () => {
    expect(() => parseCaBundle("hello")).toThrow(/no certificate was found/);
    expect(() => parseCaBundle("-----BEGIN PRIVATE KEY----- abc -----END PRIVATE KEY-----")).toThrow(
      /only certificates belong there \(never a private key\)/,
    );
    expect(() => parseCaBundle("-----BEGIN CERTIFICATE----- ab!c -----END CERTIFICATE-----")).toThrow(
      /certificate 1 is not valid base64/,
    );
    expect(() => parseCaBundle("-----BEGIN CERTIFICATE----- QUJD -----END CERTIFICATE-----")).toThrow(
      /certificate 1 could not be parsed/,
    );
  });
});

describe("object keys", () => {
  it("takes s3_key, else filename, else names both", () => {
    expect(chooseKey({ s3_key: " a/b.txt ", filename: "c.txt" })).toEqual({ key: "a/b.txt", from: "s3_key" });
    expect(chooseKey({ s3_key: "", filename: "c.txt" })).toEqual({ key: "c.txt", from: "filename" });
    expect(() => chooseKey({})).toThrow(
      'no object key: set "s3_key" (for example reports/2025/summary.pdf) or "filename"',
    );
  });

  it("checks keys and applies KEY_PREFIX as a folder", () => {
    const prefix = normalizePrefix("tenant-1");
    expect(prefix).toBe("tenant-1/");
    expect(normalizePrefix("  ")).toBe("");
    expect(objectKey(prefix, "a/b.txt")).toBe("tenant-1/a/b.txt");
    expect(relativeKey(prefix, "tenant-1/a/b.txt")).toBe("a/b.txt");
    expect(() => objectKey("", "/etc/passwd")).toThrow(
      'parameter "s3_key" must not start with "/" (got "/etc/passwd"): S3 keys are relative, write "etc/passwd"',
    );
    expect(() => objectKey("", "a/../../b", "filename")).toThrow('parameter "filename" must not contain ".." segments');
    expect(objectKey("", "a..b/c..")).toBe("a..b/c..");
    expect(() => objectKey("", "a\nb")).toThrow(/control characters/);
    expect(() => objectKey("", "x\ud83d")).toThrow('parameter "s3_key" contains a lone UTF-16 surrogate');
    expect(objectKey("", "x\ud83d\ude00")).toBe("x😀");
    expect(objectKey("", "é".repeat(512))).toHaveLength(512);
    expect(() => objectKey("", "é".repeat(513))).toThrow(/longer than 1024 bytes/);
    expect(() => objectKey("p/", "x".repeat(1023))).toThrow(
      'parameter "s3_key" is too long: with KEY_PREFIX the key is 1025 bytes (UTF-8), S3 allows at most 1024',
    );
  });
});

describe("file_base64", () => {
  it("accepts plain, wrapped, unpadded, URL-safe and data: URL forms", () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xfe, 0x00, 0x41]);
    expect(decodeBase64(bytes.toString("base64")).bytes).toEqual(bytes);
    expect(decodeBase64("+/\n/+AE\nE=").bytes).toEqual(bytes);
    expect(decodeBase64(bytes.toString("base64").replace(/=+$/, "")).bytes).toEqual(bytes);
    expect(decodeBase64(bytes.toString("base64url")).bytes).toEqual(bytes);
    expect(decodeBase64(`data:image/png;base64,${bytes.toString("base64")}`)).toEqual({
      bytes,
      mediaType: "image/png",
    });
    expect(decodeBase64(`data:;base64,${bytes.toString("base64")}`).mediaType).toBeUndefined();
  });

  it("refuses anything else with the reason", () => {
    expect(() => decodeBase64("aGVsbG8*d29ybGQ=")).toThrow('character "*" at position 8 is not in the base64 alphabet');
    expect(() => decodeBase64("ab-+")).toThrow(/mixes the standard/);
    expect(() => decodeBase64("aGk=aGk=")).toThrow(/padding may only close the data/);
    expect(() => decodeBase64("aGVsb")).toThrow(/was it truncated/);
    expect(() => decodeBase64("data:text/plain,hello")).toThrow(/without ";base64"/);
    expect(() => decodeBase64("  \n ")).toThrow(/holds no data/);
    for (const broken of [
      "data:text/plain\r\nX-A: 1;base64,aGk=",
      "data:text/plain\n;base64,aGk=",
      "data:\rtext/plain;base64,aGk=",
    ]) {
      expect(() => decodeBase64(broken)).toThrow(
        'parameter "file_base64" is a data: URL whose MIME type contains a line break (CR or LF)',
      );
    }
  });
});

describe("base64 of a stream", () => {
  it("joins into the base64 of the whole, however the bytes are chunked", async () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, index) => (index * 7) % 256));
    for (const sizes of [[1000], [1, 2, 3, 994], [5, 5, 5, 985], [999, 1], [2, 2, 2, 2, 992]]) {
      const chunks = async function* () {
        let offset = 0;
        for (const size of sizes) yield bytes.subarray(offset, (offset += size));
      };
      const pieces: string[] = [];
      for await (const piece of encodeBase64(chunks())) pieces.push(piece);
      expect(pieces.join("")).toBe(bytes.toString("base64"));
      expect(pieces.slice(0, -1).every((piece) => !piece.includes("="))).toBe(true);
    }
  });
});

describe("presign options", () => {
  it("reads either spelling, defaults to one hour and refuses fractions", () => {
    expect(expirySeconds({})).toBe(3600);
    expect(expirySeconds({ presign_expiry: 60 })).toBe(60);
    expect(expirySeconds({ presigned_expiration: 30, presign_expiry: 60 })).toBe(30);
    expect(() => expirySeconds({ presigned_expiration: 1.5 })).toThrow(
      'parameter "presigned_expiration" must be a whole number of seconds from 1 to 604800',
    );
    expect(wantsPresignedUrl({ generate_presign_url: true })).toBe(true);
    expect(wantsPresignedUrl({ generate_presigned_url: false, generate_presign_url: false })).toBe(false);
  });
});

describe("settings", () => {
  const base = { S3_REGION: "us-east-1", S3_ACCESS_KEY: "a", S3_SECRET_KEY: "s", BUCKET_NAME: "b-1" } as S3Credentials;

  it("uses path style by default only with a custom endpoint, and respects an explicit choice", () => {
    expect(readSettings(base).forcePathStyle).toBe(false);
    expect(readSettings(base).endpoint).toBeUndefined();
    expect(readSettings({ ...base, S3_ENDPOINT: "minio.local:9000" }).forcePathStyle).toBe(true);
    expect(readSettings({ ...base, S3_ENDPOINT: "minio.local:9000" }).endpoint?.href).toBe("https://minio.local:9000/");
    expect(
      readSettings({ ...base, S3_ENDPOINT: "http://minio.local", S3_FORCE_PATH_STYLE: false }).forcePathStyle,
    ).toBe(false);
    expect(readSettings({ ...base, S3_FORCE_PATH_STYLE: true }).forcePathStyle).toBe(true);
  });

  it("guesses content types from the key when none was declared", () => {
    expect(contentTypeFor("a/report.pdf")).toBe("application/pdf");
    expect(contentTypeFor("a/report.pdf", "text/plain")).toBe("text/plain");
    expect(contentTypeFor("a/noextension")).toBe("application/octet-stream");
  });
});

describe("network failures", () => {
  it("gives up on a server that never answers before the daemon's default MAX_REQUEST_TIMEOUT (300 s) ends the session", () => {
    // Every attempt may wait out both timeouts; the SDK's standard retry waits at most 20 s before each retry.
    const worstCaseMs =
      DEFAULT_MAX_ATTEMPTS * (CONNECT_TIMEOUT_MS + SOCKET_IDLE_TIMEOUT_MS) + (DEFAULT_MAX_ATTEMPTS - 1) * 20_000;
    expect(worstCaseMs).toBeLessThan(300_000);
  });

  const context: FailureContext = {
    operation: "upload to",
    target: "s3://b/k",
    endpoint: "http://s3.local:9000",
    bucket: "b",
    region: "us-east-1",
    bucketInHostName: false,
    temporaryCredentials: false,
  };
  const failure = (fields: Record<string, unknown>) => classify(Object.assign(new Error("failed"), fields), context);

  it("gives refused, reset and timeout their own messages", () => {
    expect(failure({ code: "ECONNREFUSED" })).toMatchObject({
      kind: "refused",
      message: expect.stringContaining("the connection was refused"),
    });
    for (const code of ["ECONNRESET", "EPIPE"]) {
      expect(failure({ code })).toMatchObject({
        kind: "reset",
        message: expect.stringContaining(`was reset in the middle of the request (${code})`),
      });
    }
    // The SDK's request handler names its connect and socket timeouts TimeoutError; Node's own is ETIMEDOUT.
    for (const fields of [{ name: "TimeoutError" }, { code: "ETIMEDOUT" }]) {
      expect(failure(fields)).toMatchObject({
        kind: "timeout",
        message: expect.stringMatching(/^http:\/\/s3\.local:9000 did not answer in time/),
      });
    }
    expect(failure({ cause: { code: "ECONNRESET" } }).kind).toBe("reset");
    // How the SDK's request handler delivers a reset: renamed TimeoutError, its code kept.
    expect(failure({ name: "TimeoutError", code: "ECONNRESET" }).kind).toBe("reset");
  });
});

describe("upload options and copies", () => {
  it("writes Content-Disposition with an ASCII fallback and, for other names, RFC 5987 filename*", () => {
    expect(contentDisposition("report.pdf", "attachment")).toBe('attachment; filename="report.pdf"');
    expect(contentDisposition('a\\b"c.txt', "inline")).toBe(
      "inline; filename=\"a_b_c.txt\"; filename*=UTF-8''a%5Cb%22c.txt",
    );
    expect(contentDisposition("naïve (1)*.txt", "attachment")).toBe(
      "attachment; filename=\"na_ve (1)*.txt\"; filename*=UTF-8''na%C3%AFve%20%281%29%2A.txt",
    );
    expect(contentDisposition("😀.png", "attachment")).toBe(
      "attachment; filename=\"__.png\"; filename*=UTF-8''%F0%9F%98%80.png",
    );
  });

  it("combines the provider's encryption default with a tool's parameters", () => {
    const kms = readEncryptionDefault({
      S3_SERVER_SIDE_ENCRYPTION: "aws:kms",
      S3_SSE_KMS_KEY_ID: " alias/k ",
      S3_SSE_BUCKET_KEY: true,
    });
    expect(encryptionHeaders({}, kms)).toEqual({
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: "alias/k",
      BucketKeyEnabled: true,
    });
    expect(encryptionHeaders({ sse_kms_key_id: "alias/other", sse_bucket_key: false }, kms)).toEqual({
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: "alias/other",
    });
    expect(encryptionHeaders({ server_side_encryption: "AES256" }, kms)).toEqual({ ServerSideEncryption: "AES256" });
    expect(encryptionHeaders({ server_side_encryption: "aws:kms" }, readEncryptionDefault({}))).toEqual({
      ServerSideEncryption: "aws:kms",
    });
    expect(encryptionHeaders({}, readEncryptionDefault({}))).toEqual({});
  });

  it("copies in 512 MiB parts, larger when a source would need more than 9,000", () => {
    const MiB = 1024 ** 2;
    expect(copyPartSize(5 * 1024 ** 3 + 1)).toBe(512 * MiB);
    const largest = 5 * 1024 ** 4;
    expect(copyPartSize(largest)).toBe(583 * MiB);
    expect(Math.ceil(largest / copyPartSize(largest))).toBeLessThanOrEqual(10_000);
  });
});

describe("forEachLimited", () => {
  it("keeps at most `limit` tasks running and starts none after a failure, rejecting once the running ones settled", async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const settled: number[] = [];
    const gates = Array.from({ length: 10 }, () => {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      return { promise, resolve };
    });
    const run = forEachLimited(10, 3, async (index) => {
      started.push(index);
      running += 1;
      most = Math.max(most, running);
      try {
        await gates[index]!.promise;
        if (index === 1) throw new Error("part 2 failed");
      } finally {
        running -= 1;
        settled.push(index);
      }
    });
    const outcome = run.then(
      () => "resolved",
      (error: Error) => error.message,
    );
    gates[0]!.resolve(); // frees a worker: index 3 starts
    await Promise.resolve();
    gates[1]!.resolve(); // fails: nothing more starts
    for (const gate of gates.slice(2)) gate.resolve();
    expect(await outcome).toBe("part 2 failed");
    expect(most).toBe(3);
    expect(settled.sort()).toEqual([...started].sort());
    expect(started).not.toContain(9);
  });
});

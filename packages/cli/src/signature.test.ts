import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture } from "./__fixtures__/copy-fixture.js";
import { checksumOfFiles } from "./checksum.js";
import { packagePlugin } from "./package.js";
import { generateSigningKeys, loadKey, signPackage, verifyPackageSignature, type KeyPair } from "./signature.js";
import { verifyPackage } from "./verify.js";
import { readZip } from "./zip/read.js";
import { writeZip } from "./zip/write.js";

let pkg: Buffer;
let keys: KeyPair;
let other: KeyPair;
let scratch: string;

beforeAll(async () => {
  const plugin = await copyFixture("hello");
  scratch = await mkdtemp(join(tmpdir(), "dify-ts-sign-"));
  try {
    const [built, pair, otherPair] = await Promise.all([
      packagePlugin(plugin.dir, { outDir: scratch }),
      generateSigningKeys(),
      generateSigningKeys(2048),
    ]);
    pkg = await readFile(built.file);
    keys = pair;
    other = otherPair;
  } finally {
    await plugin.remove();
  }
});

afterAll(() => rm(scratch, { recursive: true, force: true }));

const entries = (zip: Buffer) => readZip(zip).entries.map((entry) => ({ path: entry.name, data: entry.read() }));

describe("signatures in the daemon's format", () => {
  it("writes PKCS#1 PEM keys, RSA-4096", () => {
    expect(keys.privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(keys.publicKey).toMatch(/^-----BEGIN RSA PUBLIC KEY-----\n/);
    expect(loadKey(keys.publicKey, "public").asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(() => loadKey(keys.publicKey, "private")).toThrow(/PKCS#1 PEM block \("-----BEGIN RSA PRIVATE KEY-----"\)/);
  });

  it("signs: same files in the same order, .verification.dify.json last, signature JSON in the zip comment", () => {
    const signed = signPackage(pkg, keys.privateKey, "community", 1767225600);
    const archive = readZip(signed);
    const names = archive.entries.map((entry) => entry.name);
    expect(names.slice(0, -1)).toEqual(readZip(pkg).entries.map((entry) => entry.name));
    expect(names.at(-1)).toBe(".verification.dify.json");
    expect(archive.entries.at(-1)!.read().toString()).toBe('{"authorized_category":"community"}');
    expect(JSON.parse(archive.comment)).toEqual({
      signature: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
      time: 1767225600,
    });
    // Signing adds a file, so the checksum (and the unique identifier) changes, as with the official CLI.
    expect(checksumOfFiles(entries(signed))).not.toBe(checksumOfFiles(entries(pkg)));
    expect(verifyPackage(signed).problems).toEqual([]);
  });

  it("verifies with the matching public key, naming the category", () => {
    const signed = signPackage(pkg, keys.privateKey, "partner");
    expect(verifyPackageSignature(signed, keys.publicKey)).toMatchObject({ valid: true, category: "partner" });
  });

  it("re-signing replaces the earlier verification file instead of adding a second", () => {
    const twice = signPackage(signPackage(pkg, keys.privateKey), keys.privateKey, "community");
    expect(readZip(twice).entries.filter((entry) => entry.name === ".verification.dify.json")).toHaveLength(1);
    expect(verifyPackageSignature(twice, keys.publicKey).valid).toBe(true);
  });

  it("fails for a tampered file, a tampered time, another key and an unsigned package", () => {
    const signed = signPackage(pkg, keys.privateKey);
    const archive = readZip(signed);
    const files = entries(signed).map((file) =>
      file.path === "app/main.mjs" ? { ...file, data: Buffer.concat([file.data, Buffer.from("\n// injected")]) } : file,
    );
    const tampered = writeZip(files, archive.comment);
    expect(verifyPackageSignature(tampered, keys.publicKey)).toMatchObject({
      valid: false,
      reason: expect.stringContaining("modified after signing"),
    });

    const comment = JSON.parse(archive.comment) as { signature: string; time: number };
    const retimed = writeZip(entries(signed), JSON.stringify({ ...comment, time: comment.time + 1 }));
    expect(verifyPackageSignature(retimed, keys.publicKey).valid).toBe(false);

    expect(verifyPackageSignature(signed, other.publicKey).valid).toBe(false);
    expect(verifyPackageSignature(pkg, keys.publicKey)).toEqual({
      valid: false,
      reason: "the package is not signed (empty zip comment)",
    });
  });

  it("produces an RSA PKCS#1 v1.5 SHA-256 signature openssl accepts over the documented data", async () => {
    const signed = signPackage(pkg, keys.privateKey, "community", 1767225600);
    const archive = readZip(signed);
    const data = Buffer.concat([
      ...archive.entries.map((entry) => createHash("sha256").update(entry.read()).digest()),
      Buffer.from("1767225600"),
    ]);
    await writeFile(join(scratch, "data.bin"), data);
    await writeFile(
      join(scratch, "sig.bin"),
      Buffer.from((JSON.parse(archive.comment) as { signature: string }).signature, "base64"),
    );
    await writeFile(join(scratch, "public.pem"), keys.publicKey);
    const output = execFileSync(
      "openssl",
      [
        "dgst",
        "-sha256",
        "-verify",
        join(scratch, "public.pem"),
        "-signature",
        join(scratch, "sig.bin"),
        join(scratch, "data.bin"),
      ],
      { encoding: "utf8" },
    );
    expect(output.trim()).toBe("Verified OK");
  });
});

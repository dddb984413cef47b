/**
 * The daemon's package signature (signer/withkey, decoder/verifier.go):
 * RSA PKCS#1 v1.5 over SHA-256 of sha256(file) for every file in zip order,
 * followed by the decimal unix time. The signature and time live in the zip
 * comment as JSON; `.verification.dify.json` ({"authorized_category"}) is
 * appended last and covered too. Keys are RSA-4096 PKCS#1 PEM.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  sign,
  verify,
  type KeyObject,
} from "node:crypto";
import { promisify } from "node:util";
import { readZip, type ZipArchive } from "./zip/read.js";
import { writeZip, type ZipInput } from "./zip/write.js";

export const VERIFICATION_FILE = ".verification.dify.json";
export const CATEGORIES = ["langgenius", "partner", "community"] as const;
export type AuthorizedCategory = (typeof CATEGORIES)[number];

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/** An RSA-4096 key pair as `dify signature generate` writes it: PKCS#1 PEM. */
export async function generateSigningKeys(bits = 4096): Promise<KeyPair> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)("rsa", {
    modulusLength: bits,
    publicKeyEncoding: { type: "pkcs1", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  return { privateKey, publicKey };
}

/** Loads a PKCS#1 PEM key; the daemon accepts no other PEM type. */
export function loadKey(pem: string, kind: "private" | "public"): KeyObject {
  const label = kind === "private" ? "RSA PRIVATE KEY" : "RSA PUBLIC KEY";
  const trimmed = pem.trim();
  if (!trimmed.startsWith(`-----BEGIN ${label}-----`) || !trimmed.endsWith(`-----END ${label}-----`)) {
    throw new Error(
      `the ${kind} key must be a single PKCS#1 PEM block ("-----BEGIN ${label}-----"), as dify-ts keygen and dify signature generate write`,
    );
  }
  return kind === "private" ? createPrivateKey(trimmed) : createPublicKey(trimmed);
}

function signedData(files: readonly { data: Uint8Array }[], time: number): Buffer {
  const parts = files.map((file) => createHash("sha256").update(file.data).digest());
  parts.push(Buffer.from(String(time)));
  return Buffer.concat(parts);
}

/** Re-writes the package in the same order with the verification file last, signed. An earlier signature is replaced. */
export function signPackage(
  pkg: Buffer,
  privateKeyPem: string,
  category: AuthorizedCategory = "community",
  time = Math.floor(Date.now() / 1000),
): Buffer {
  const key = loadKey(privateKeyPem, "private");
  const files: ZipInput[] = readZip(pkg)
    .entries.filter((entry) => entry.name !== VERIFICATION_FILE)
    .map((entry) => ({ path: entry.name, data: entry.read() }));
  files.push({ path: VERIFICATION_FILE, data: Buffer.from(JSON.stringify({ authorized_category: category })) });
  const signature = sign("sha256", signedData(files, time), key).toString("base64");
  return writeZip(files, JSON.stringify({ signature, time }));
}

export interface SignatureCheck {
  valid: boolean;
  /** Why it is invalid, in one line. */
  reason?: string;
  time?: number;
  /** From .verification.dify.json; the daemon assumes langgenius when a verified package has none. */
  category?: string;
}

export function verifyPackageSignature(pkg: Buffer | ZipArchive, publicKeyPem: string): SignatureCheck {
  const key = loadKey(publicKeyPem, "public");
  const archive = Buffer.isBuffer(pkg) ? readZip(pkg) : pkg;
  let comment: { signature?: unknown; time?: unknown };
  try {
    comment = JSON.parse(archive.comment) as typeof comment;
  } catch {
    return {
      valid: false,
      reason:
        archive.comment === ""
          ? "the package is not signed (empty zip comment)"
          : "the zip comment is not the signature JSON {signature, time}",
    };
  }
  if (typeof comment.signature !== "string" || typeof comment.time !== "number")
    return { valid: false, reason: "the zip comment lacks a base64 signature or a numeric time" };
  const files = archive.entries.map((entry) => ({ data: entry.read() }));
  const valid = verify("sha256", signedData(files, comment.time), key, Buffer.from(comment.signature, "base64"));
  const verification = archive.entries.find((entry) => entry.name === VERIFICATION_FILE);
  let category = "langgenius";
  if (verification)
    category = String(
      (JSON.parse(verification.read().toString("utf8")) as { authorized_category?: unknown }).authorized_category,
    );
  return valid
    ? { valid, time: comment.time, category }
    : {
        valid,
        time: comment.time,
        reason: "the signature does not match: the package was modified after signing, or signed with another key",
      };
}

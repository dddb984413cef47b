/**
 * Reads the S3_CA_BUNDLE credential. Dify's credential form is a single-line
 * input, so a pasted PEM chain usually arrives with its line breaks turned into
 * spaces or dropped (or as literal "\n" escapes); each certificate is rebuilt
 * in the canonical 64-column form before Node's TLS sees it.
 */
import { X509Certificate } from "node:crypto";
import { CredentialValidationError } from "@dify-ts/runtime";

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----/gs;

export function parseCaBundle(raw: string): string[] {
  const text = raw.replace(/\\r|\\n/g, "\n");
  const certificates: string[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const label = match[1]!;
    if (label !== "CERTIFICATE" && label !== "TRUSTED CERTIFICATE") {
      throw invalid(`it contains a "${label}" block; only certificates belong there (never a private key)`);
    }
    const body = match[2]!.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body))
      throw invalid(`certificate ${certificates.length + 1} is not valid base64`);
    const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
    try {
      new X509Certificate(pem);
    } catch (error) {
      throw invalid(`certificate ${certificates.length + 1} could not be parsed (${(error as Error).message})`);
    }
    certificates.push(pem);
  }
  if (certificates.length === 0) {
    throw invalid(
      "no certificate was found; paste the PEM text including the -----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines",
    );
  }
  return certificates;
}

function invalid(reason: string): CredentialValidationError {
  return new CredentialValidationError(`S3_CA_BUNDLE is not a usable PEM CA bundle: ${reason}`);
}

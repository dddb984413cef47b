/**
 * Refuses to package anything that looks like a secret: .env files, private
 * keys and credential-looking literals. The plugin's own files get every rule;
 * bundled third-party code only the unambiguous ones (key blocks and
 * vendor-prefixed tokens), since libraries are full of words like "password".
 * Findings name the file and the rule, never the value.
 */
import type { Problem } from "./problems.js";

interface SecretRule {
  name: string;
  pattern: RegExp;
  /** Applied to third-party (bundled dependency) code too. */
  unambiguous: boolean;
}

const RULES: SecretRule[] = [
  {
    name: "a private key block",
    pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY( BLOCK)?-----/,
    unambiguous: true,
  },
  { name: "an AWS access key id", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, unambiguous: true },
  { name: "an OpenAI-style API key", pattern: /\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}\b/, unambiguous: true },
  {
    name: "a GitHub token",
    pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{60,}\b/,
    unambiguous: true,
  },
  { name: "a Slack token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/, unambiguous: true },
  { name: "a Google API key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/, unambiguous: true },
  { name: "a Mem0 API key", pattern: /\bm0-[A-Za-z0-9]{30,}\b/, unambiguous: true },
  {
    name: "a credential-looking literal",
    pattern:
      /\b(?:api[_-]?key|secret(?:[_-]?(?:access)?[_-]?key)?|password|passwd|access[_-]?token|auth[_-]?token|private[_-]?key)\b["']?\s*[:=]\s*["'](?!\s*["'])[^"'\s$<{]{12,}["']/i,
    unambiguous: false,
  },
];

// Documented placeholder values (AWS docs, test fixtures) that are not secrets.
const PLACEHOLDERS = [/AKIAIOSFODNN7EXAMPLE/, /EXAMPLEKEY/, /(?:your|my|example|placeholder|dummy|changeme|xxxx)/i];

export interface ScannedFile {
  path: string;
  data: Uint8Array;
  /** Bundled third-party code: only unambiguous rules apply. */
  thirdParty?: boolean;
}

export function isDotEnvFile(path: string): boolean {
  const base = path.split("/").pop() ?? path;
  return base === ".env" || (base.startsWith(".env.") && !/\.(example|sample|template)$/.test(base));
}

export function scanForSecrets(files: readonly ScannedFile[]): Problem[] {
  const problems: Problem[] = [];
  for (const file of files) {
    const base = file.path.split("/").pop() ?? file.path;
    if (isDotEnvFile(file.path)) {
      problems.push({
        field: file.path,
        message:
          "is a .env file, which holds secrets: remove it from the package (or rename a template to .env.example)",
      });
      continue;
    }
    if (/^id_(rsa|dsa|ecdsa|ed25519)$/.test(base) || /\.(pem|key|p12|pfx)$/.test(base)) {
      problems.push({ field: file.path, message: "looks like a key file: keys must never be packaged" });
      continue;
    }
    if (file.data.includes(0)) continue; // binary (icons, wheels): nothing to read
    const text = Buffer.from(file.data).toString("utf8");
    for (const rule of RULES) {
      if (file.thirdParty && !rule.unambiguous) continue;
      const match = firstRealMatch(text, rule.pattern);
      if (match !== undefined) {
        problems.push({
          field: `${file.path}:${lineOf(text, match)}`,
          message: `contains ${rule.name}: move it to the provider credentials (or an environment variable) and rotate it`,
        });
      }
    }
  }
  return problems;
}

function firstRealMatch(text: string, pattern: RegExp): number | undefined {
  const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : pattern.flags + "g");
  for (const match of text.matchAll(global)) {
    if (!PLACEHOLDERS.some((placeholder) => placeholder.test(match[0]))) return match.index;
  }
  return undefined;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

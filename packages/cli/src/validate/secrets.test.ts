import { describe, expect, it } from "vitest";
import { scanForSecrets } from "./secrets.js";

const scan = (path: string, text: string, thirdParty = false) =>
  scanForSecrets([{ path, data: Buffer.from(text), thirdParty }]);
// Built at run time so this file itself holds no secret-looking literal.
const fake = (prefix: string, length: number) => prefix + "Q7".repeat(length).slice(0, length);

describe("secret scan", () => {
  const cases: [string, string, string, string, RegExp][] = [
    ["a .env file", ".env", "TOKEN=hunter2hunter2", "hunter2hunter2", /is a \.env file/],
    ["a .env.production file", "config/.env.production", "TOKEN=hunter3hunter3", "hunter3hunter3", /is a \.env file/],
    ["a key file", "keys/id_rsa", "opaque-key-material", "opaque-key-material", /key file/],
    [
      "a PEM private key block",
      "src/key.ts",
      `const k = \`-----BEGIN ${"RSA "}PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\`;`,
      "MIIEpAIBAAKCAQEA",
      /private key block/,
    ],
    [
      "an AWS access key id",
      "src/a.ts",
      `const id = "${fake("AKIA", 16).toUpperCase()}";`,
      fake("AKIA", 16).toUpperCase(),
      /AWS access key id/,
    ],
    ["an OpenAI-style key", "src/a.ts", `const k = "${fake("sk-", 40)}";`, fake("sk-", 40), /OpenAI-style API key/],
    ["a GitHub token", "README.md", `token ${fake("ghp_", 36)}`, fake("ghp_", 36), /GitHub token/],
    [
      "a credential-looking literal",
      "src/config.ts",
      `export const config = { password: "${fake("p", 16)}" };`,
      fake("p", 16),
      /credential-looking literal/,
    ],
  ];
  it.each(cases)("refuses %s, naming the file and never the value", (_what, path, text, secret, message) => {
    const problems = scan(path, text);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.field.startsWith(path)).toBe(true);
    expect(problems[0]!.message).toMatch(message);
    expect(JSON.stringify(problems)).not.toContain(secret);
  });

  it("allows templates, placeholders and credential field names without values", () => {
    expect(scan(".env.example", "API_KEY=")).toEqual([]);
    expect(scan("src/a.ts", 'const id = "AKIAIOSFODNN7EXAMPLE";')).toEqual([]);
    expect(
      scan("src/a.ts", 'const field = { api_key: { type: "secret-input" } }; const password = credentials.password;'),
    ).toEqual([]);
    expect(scan("src/a.ts", 'const k = { api_key: "your-api-key-here" };')).toEqual([]);
  });

  it("applies only unambiguous rules to bundled third-party code", () => {
    expect(scan("app/main.mjs", `var defaults = { password: "${fake("p", 16)}" };`, true)).toEqual([]);
    expect(scan("app/main.mjs", `var k = "${fake("sk-", 40)}";`, true)).toHaveLength(1);
  });
});

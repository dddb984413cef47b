import { describe, expect, it } from "vitest";
import { Redactor } from "./redact.js";

describe("Redactor", () => {
  it("masks every occurrence of each secret, and its URL-encoded form", () => {
    const redactor = new Redactor();
    redactor.addCredentials({ key: "sk-abc/123+x", flag: true, short: "ab" });
    expect(redactor.redact("key sk-abc/123+x and url ?k=sk-abc%2F123%2Bx again sk-abc/123+x")).toBe(
      "key [REDACTED] and url ?k=[REDACTED] again [REDACTED]",
    );
    // Values under 4 characters would mask ordinary words.
    expect(redactor.redact("ab cd")).toBe("ab cd");
  });

  it("masks a longer secret whole when it contains a shorter one", () => {
    const redactor = new Redactor();
    redactor.addSecret("token");
    redactor.addSecret("token-extended");
    expect(redactor.redact("x token-extended y token")).toBe("x [REDACTED] y [REDACTED]");
  });

  it("applies the parent's secrets too", () => {
    const parent = new Redactor();
    parent.addSecret("parent-secret");
    const child = new Redactor(parent);
    child.addSecret("child-secret");
    expect(child.redact("parent-secret child-secret")).toBe("[REDACTED] [REDACTED]");
  });

  it("forgets the oldest secret when full, but keeps one that is seen again", () => {
    const redactor = new Redactor(undefined, 2);
    redactor.addSecret("first-secret");
    redactor.addSecret("second-secret");
    redactor.addSecret("first-secret");
    redactor.addSecret("third-secret");
    expect(redactor.redact("first-secret second-secret third-secret")).toBe("[REDACTED] second-secret [REDACTED]");
  });

  it("never forgets a secret that keeps being used, however many others pass", () => {
    const redactor = new Redactor(undefined, 8);
    for (let index = 0; index < 100; index++) {
      redactor.addSecret("in-use-secret");
      redactor.addSecret(`passing-secret-${index}`);
    }
    expect(redactor.redact("in-use-secret passing-secret-0 passing-secret-99")).toBe(
      "[REDACTED] passing-secret-0 [REDACTED]",
    );
  });

  it("masks the userinfo of every URL, registered or not", () => {
    const redactor = new Redactor();
    expect(
      redactor.redact("fetch http://sk-unknown-key@api.example/v1 failed; postgresql://mem0:p%40ss@db:5432/mem0 down"),
    ).toBe("fetch http://[REDACTED]@api.example/v1 failed; postgresql://[REDACTED]@db:5432/mem0 down");
    const child = new Redactor(redactor);
    expect(child.redact('{"url":"https://user:secret@host/x"} and a@b.c mail')).toBe(
      '{"url":"https://[REDACTED]@host/x"} and a@b.c mail',
    );
  });
  it("names the end of a partial text that could begin a secret or a URL's userinfo, so a stream writer holds it back", () => {
    const parent = new Redactor();
    parent.addSecret("sk-parent-secret");
    const redactor = new Redactor(parent);
    redactor.addSecret("sk-canary-0123");
    expect(redactor.pendingSuffixLength("split sk-can")).toBe(6);
    expect(redactor.pendingSuffixLength("split sk-parent-s")).toBe(11);
    expect(redactor.pendingSuffixLength("a whole sk-canary-0123")).toBe(0);
    expect(redactor.pendingSuffixLength("nothing to wait for.")).toBe(0);
    expect(redactor.pendingSuffixLength("see http://user:pa")).toBe("http://user:pa".length);
    expect(redactor.pendingSuffixLength("see http://host/path")).toBe(0);
  });
});

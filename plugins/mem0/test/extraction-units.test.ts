/**
 * The pieces of conversation extraction that need no plugin process: the
 * Service API client against the stand-in (pages of 100 conversations and
 * messages, `user` filtering, a rejected key), the base URL rule and the
 * token budget.
 */
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { startDifyServiceApi, type DifyServiceApiStandIn } from "@dify-ts/test-support";
import { DifyApiError, DifyServiceApi, normalizeBaseUrl } from "../src/extraction/dify-api.js";
import { estimateTokens, fitTokenBudget } from "../src/extraction/tokens.js";

let dify: DifyServiceApiStandIn;
const key = "units-key-1234";
const now = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  dify = await startDifyServiceApi();
});
afterAll(() => dify.close());

describe("Dify Service API client", () => {
  it("pages through 250 conversations newest first, stops at days_back, and sees only the user's own", async () => {
    for (let index = 0; index < 250; index++)
      dify.addConversation(key, "pager", [{ query: `q${index}`, answer: "a", created_at: now - index * 60 }]);
    dify.addConversation(key, "pager", [{ query: "old", answer: "a", created_at: now - 10 * 86_400 }]);
    dify.addConversation(key, "someone-else", [{ query: "not mine", answer: "a", created_at: now }]);
    const api = new DifyServiceApi(dify.url, key, 10_000);
    const seen: number[] = [];
    for await (const conversation of api.conversationsSince("pager", now - 86_400)) seen.push(conversation.updated_at);
    expect(seen).toHaveLength(250);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    const pages = dify.requests.filter((request) => request.path === "/v1/conversations" && request.user === "pager");
    expect(pages).toHaveLength(3);
  });

  it("reads a conversation's 230 messages newest page first, each page oldest first", async () => {
    const messages = Array.from({ length: 230 }, (_, index) => ({
      query: `m${index}`,
      answer: `r${index}`,
      created_at: now - (230 - index),
    }));
    const id = dify.addConversation(key, "reader", messages);
    const api = new DifyServiceApi(dify.url, key, 10_000);
    const pages: string[][] = [];
    for await (const page of api.messagePages("reader", id)) pages.push(page.map((message) => message.query));
    expect(pages.map((page) => page.length)).toEqual([100, 100, 30]);
    expect(pages[0]![0]).toBe("m130");
    expect(pages[0]!.at(-1)).toBe("m229");
    expect(pages.reverse().flat()).toEqual(messages.map((message) => message.query));
    // Another user cannot read it.
    await expect(async () => {
      for await (const page of api.messagePages("intruder", id)) void page;
    }).rejects.toThrow(/HTTP 404/);
  });

  it("names the parameter to fix on a rejected key and never repeats the key", async () => {
    const api = new DifyServiceApi(dify.url, "wrong-key-5678", 10_000);
    dify.faults.push({ status: 401, body: '{"message": "token wrong-key-5678 is invalid"}' });
    const error = await (async () => {
      for await (const conversation of api.conversationsSince("pager", 0)) void conversation;
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DifyApiError);
    expect((error as DifyApiError).transient).toBe(false);
    expect((error as Error).message).toContain("check dify_api_key");
    expect((error as Error).message).not.toContain("wrong-key-5678");
  });

  it("retries a 503 and goes on", async () => {
    dify.faults.push({ status: 503, body: "busy" });
    const api = new DifyServiceApi(dify.url, key, 10_000);
    const seen: string[] = [];
    for await (const conversation of api.conversationsSince("someone-else", 0)) seen.push(conversation.id);
    expect(seen).toHaveLength(1);
  });
});

describe("base URL", () => {
  it("adds /v1 when missing and refuses what is not a Service API URL", () => {
    expect(normalizeBaseUrl("https://api.dify.ai/v1/")).toBe("https://api.dify.ai/v1");
    expect(normalizeBaseUrl("http://dify.internal")).toBe("http://dify.internal/v1");
    expect(normalizeBaseUrl("http://dify.internal/proxy/")).toBe("http://dify.internal/proxy/v1");
    expect(() => normalizeBaseUrl("dify")).toThrow(/dify_base_url is not a URL/);
    expect(() => normalizeBaseUrl("http://k:secret@dify/v1")).toThrow(/must not hold a user name or password/);
    expect(() => normalizeBaseUrl("http://dify/v1?key=x")).toThrow(/query/);
  });
});

describe("token budget", () => {
  it("keeps the newest turns that fit, oldest first, and cuts a single turn over the budget", () => {
    expect(estimateTokens("abcdefgh")).toBe(2);
    expect(estimateTokens("记忆测试")).toBe(4);
    const turns = Array.from({ length: 10 }, (_, index) => ({
      role: index % 2 ? ("assistant" as const) : ("user" as const),
      content: `${index}`.repeat(40),
    }));
    const kept = fitTokenBudget(turns, 35);
    expect(kept.map((turn) => turn.content[0])).toEqual(["7", "8", "9"]);
    const cut = fitTokenBudget([{ role: "user", content: "x".repeat(1000) }], 10);
    expect(cut).toHaveLength(1);
    expect(estimateTokens(cut[0]!.content)).toBeLessThanOrEqual(10);
  });
});

/** The stand-in's tenant storage answers as the daemon's storage invocation does, each tenant seeing only its keys. */
import type { JsonObject } from "@dify-ts/protocol";
import { describe, expect, it } from "vitest";
import { TenantStorage } from "./tenant-storage.js";

const storage = (request: JsonObject): JsonObject => ({ type: "storage", backwards_request_id: "b-1", request });
const hex = (text: string) => Buffer.from(text).toString("hex");

describe("TenantStorage", () => {
  it("keeps values per tenant and plugin, answering get, set, exist and del as the daemon does", () => {
    const daemon = new TenantStorage("author/plugin");
    expect(daemon.answer(storage({ opt: "set", key: "k", value: hex("one") }), "t1")).toEqual([
      { event: "response", data: { data: "ok" } },
      { event: "end" },
    ]);
    expect(daemon.answer(storage({ opt: "get", key: "k" }), "t1")).toEqual([
      { event: "response", data: { data: hex("one") } },
      { event: "end" },
    ]);
    expect(daemon.answer(storage({ opt: "get", key: "k" }), "t2")).toEqual([
      {
        event: "error",
        data: {},
        message: "load data failed, please check if the key is correct or you have not set it",
      },
    ]);
    expect(daemon.answer(storage({ opt: "exist", key: "k" }), "t2")?.[0]).toEqual({
      event: "response",
      data: { data: false, exist_num: 0 },
    });
    expect(new TenantStorage("author/other").read("t1", "k")).toBeUndefined();
    expect(daemon.read("t1", "k")?.toString()).toBe("one");
    expect(daemon.answer(storage({ opt: "del", key: "k" }), "t1")?.[0]).toEqual({
      event: "response",
      data: { data: "ok", deleted_num: 1 },
    });
    expect(daemon.read("t1", "k")).toBeUndefined();
    expect(Object.fromEntries(daemon.answered)).toEqual({ set: 1, get: 2, exist: 1, del: 1 });
  });

  it("refuses a value over the tenant's size, and leaves other invocations to the caller", () => {
    const daemon = new TenantStorage("author/plugin", 4);
    expect(daemon.answer(storage({ opt: "set", key: "k", value: hex("12345") }), "t1")).toEqual([
      { event: "error", data: {}, message: "save data failed: allocated size is greater than max storage size" },
    ]);
    expect(daemon.answer(storage({ opt: "set", key: "k", value: hex("1234") }), "t1")?.[0]?.event).toBe("response");
    expect(daemon.answer(storage({ opt: "set", key: "k", value: hex("4321") }), "t1")?.[0]?.event).toBe("response");
    expect(daemon.answer({ type: "llm", backwards_request_id: "b-2", request: {} }, "t1")).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { TimeoutError, withDeadline } from "./deadline.js";

describe("withDeadline", () => {
  it("returns the work's value when it finishes in time", async () => {
    expect(await withDeadline(async () => 42, { milliseconds: 1000, fallback: 0 })).toEqual({
      status: "ok",
      value: 42,
    });
  });

  it("degrades to the fallback at the deadline and aborts the work's signal", async () => {
    let signal: AbortSignal | undefined;
    const outcome = await withDeadline(
      (workSignal) => {
        signal = workSignal;
        return new Promise<number>(() => {});
      },
      { milliseconds: 50, fallback: -1 },
    );
    expect(outcome.status).toBe("timeout");
    expect(outcome.value).toBe(-1);
    expect(outcome.status === "timeout" && outcome.error).toBeInstanceOf(TimeoutError);
    expect(signal?.aborted).toBe(true);
  });

  it("degrades to the fallback when the work fails or the caller aborts", async () => {
    const failed = await withDeadline(
      async () => {
        throw new Error("backend down");
      },
      { milliseconds: 1000, fallback: "default" },
    );
    expect(failed).toMatchObject({ status: "error", value: "default" });
    const controller = new AbortController();
    const pending = withDeadline(() => new Promise<string>(() => {}), {
      milliseconds: 5000,
      fallback: "default",
      signal: controller.signal,
    });
    controller.abort(new Error("session ended"));
    expect(await pending).toMatchObject({ status: "error", value: "default" });
  });
});

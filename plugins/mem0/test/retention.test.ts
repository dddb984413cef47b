/** The forgetting curve itself: pure arithmetic, checked at the points the README states. */
import { describe, expect, it } from "vitest";
import { DAY_MS, DEFAULT_POLICY, judge } from "../src/lifecycle/retention.js";

const now = Date.UTC(2026, 0, 1);
const ago = (days: number) => now - days * DAY_MS;

describe("judge", () => {
  it("a memory never recalled goes after ln(1/0.1) x 7 = 16.1 days with the defaults", () => {
    expect(judge({ createdAt: ago(16), recalls: 0, lastRecall: undefined }, DEFAULT_POLICY, now).keep).toBe(true);
    expect(judge({ createdAt: ago(16.2), recalls: 0, lastRecall: undefined }, DEFAULT_POLICY, now)).toMatchObject({
      keep: false,
      reason: "decayed",
    });
  });

  it("each recall multiplies stability: recalled 5 times, it lasts 96.7 days after the last recall", () => {
    const life = (days: number) => ({ createdAt: ago(400), recalls: 5, lastRecall: ago(days) });
    expect(judge(life(96), DEFAULT_POLICY, now).keep).toBe(true);
    expect(judge(life(97), DEFAULT_POLICY, now).keep).toBe(false);
  });

  it("the TTL wins over recalls; an unknown age is never forgotten by decay", () => {
    const policy = { ...DEFAULT_POLICY, ttlDays: 30 };
    expect(judge({ createdAt: ago(31), recalls: 100, lastRecall: now }, policy, now)).toMatchObject({
      keep: false,
      reason: "ttl",
    });
    expect(judge({ createdAt: undefined, recalls: 0, lastRecall: undefined }, policy, now).keep).toBe(true);
  });
});

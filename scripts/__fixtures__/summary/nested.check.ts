import { describe, expect, it } from "vitest";

describe("outer", () => {
  describe("inner", () => {
    it("fails", () => expect(1).toBe(2));
    it("passes", () => expect(1).toBe(1));
    it.skip("is skipped", () => {});
  });
});

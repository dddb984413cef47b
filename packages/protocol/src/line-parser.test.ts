import { describe, expect, it } from "vitest";
import { createLineParser, LINE_HEAD_BYTES, type LineParseError } from "./line-parser.js";

function collect(maxLineBytes = 1024) {
  const lines: string[] = [];
  const errors: LineParseError[] = [];
  const parser = createLineParser({
    onLine: (line) => lines.push(line),
    onError: (error) => errors.push(error),
    maxLineBytes,
  });
  return { parser, lines, errors };
}

describe("line parser", () => {
  const input = Buffer.from('{"a":"héllo 中文 😀"}\n\n{"b":2}\r\n   \n{"c":"x"}\n', "utf8");
  const expected = ['{"a":"héllo 中文 😀"}', '{"b":2}', '{"c":"x"}'];

  it("yields the same lines whatever byte the input is split at", () => {
    for (let split = 0; split <= input.length; split++) {
      const { parser, lines, errors } = collect();
      parser.feed(input.subarray(0, split));
      parser.feed(input.subarray(split));
      expect(lines, `split at byte ${split}`).toEqual(expected);
      expect(errors).toEqual([]);
    }
  });

  it("yields the same lines when fed one byte at a time (multibyte characters split across chunks)", () => {
    const { parser, lines } = collect();
    for (let i = 0; i < input.length; i++) parser.feed(input.subarray(i, i + 1));
    expect(lines).toEqual(expected);
  });

  it("keeps an unterminated last line until its newline arrives", () => {
    const { parser, lines } = collect();
    parser.feed(Buffer.from('{"partial":'));
    expect(lines).toEqual([]);
    parser.feed(Buffer.from("1}\n"));
    expect(lines).toEqual(['{"partial":1}']);
  });

  it("reports an overlong line once, drops it, and carries on with the next line", () => {
    const { parser, lines, errors } = collect(16);
    parser.feed(Buffer.from("0123456789"));
    parser.feed(Buffer.from("0123456789"));
    parser.feed(Buffer.from("0123456789\nshort\n"));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.kind).toBe("line-too-long");
    expect(errors[0]!.message).toContain("exceeds 16 bytes");
    // The start of the dropped line is kept (where the daemon writes the session id).
    expect(errors[0]!.head).toBe("01234567890123456789");
    expect(lines).toEqual(["short"]);
  });

  it("accepts a line of exactly the limit and refuses one byte more", () => {
    const { parser, lines, errors } = collect(8);
    parser.feed(Buffer.from("12345678\n123456789\nok\n"));
    expect(lines).toEqual(["12345678", "ok"]);
    expect(errors).toHaveLength(1);
  });

  it("keeps at most LINE_HEAD_BYTES of an overlong line's start", () => {
    const { parser, errors } = collect(LINE_HEAD_BYTES * 2);
    parser.feed(Buffer.alloc(LINE_HEAD_BYTES * 3, 0x61));
    expect(errors[0]!.head).toBe("a".repeat(LINE_HEAD_BYTES));
  });

  it("reset drops a partial line", () => {
    const { parser, lines } = collect();
    parser.feed(Buffer.from("garbage-without-newline"));
    parser.reset();
    parser.feed(Buffer.from("fresh\n"));
    expect(lines).toEqual(["fresh"]);
  });

  it("joins a large line fed in many chunks", () => {
    const { parser, lines } = collect(64 * 1024 * 1024);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 512; i++) parser.feed(chunk);
    parser.feed(Buffer.from("\n"));
    expect(lines[0]!.length).toBe(512 * 64 * 1024);
  });
});

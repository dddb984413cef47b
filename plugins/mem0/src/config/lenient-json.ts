/**
 * Reads a credential's JSON the way people paste it: inside a Markdown code
 * fence, or as a Python dict literal (single quotes, True/False/None), as the
 * Python plugin accepted. Errors say where the problem is but never quote the
 * text, because it holds API keys.
 */

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; problem: string };

export function parseLenientJson(text: string): JsonParseResult {
  const body = stripCodeFence(text.trim());
  const strict = tryParse(body);
  if (strict.ok) return strict;
  const fromPython = pythonLiteralToJson(body);
  if (fromPython !== undefined) {
    const converted = tryParse(fromPython);
    if (converted.ok) return converted;
  }
  return strict;
}

/** "```json\n{...}\n```" (or one line, as a password field flattens it) -> "{...}". */
function stripCodeFence(text: string): string {
  const fenced = /^```[A-Za-z0-9_-]*\s*([\s\S]*?)\s*```$/.exec(text);
  return fenced ? fenced[1]! : text;
}

function tryParse(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, problem: describeSyntaxError(text, error) };
  }
}

/** V8's messages can quote the input; keep only the position, as line and column. */
function describeSyntaxError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : "";
  if (text.trim() === "") return "it is empty";
  if (/Unexpected end of JSON input/.test(message)) return "it ends too early (a missing } or ] or quote?)";
  const position = /position (\d+)/.exec(message)?.[1];
  if (position === undefined) return "it is not valid JSON (check quotes, commas and braces)";
  const before = text.slice(0, Number(position));
  const line = before.split("\n").length;
  const column = Number(position) - before.lastIndexOf("\n");
  return `it is not valid JSON near line ${line}, column ${column} (check quotes, commas and braces)`;
}

/**
 * Rewrites a Python literal into JSON: 'text' -> "text", True/False/None ->
 * true/false/null outside strings. Returns undefined when there is nothing
 * Python-specific to rewrite.
 */
function pythonLiteralToJson(text: string): string | undefined {
  let output = "";
  let changed = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '"' || char === "'") {
      const end = findStringEnd(text, index, char);
      if (end < 0) return undefined;
      const inner = text.slice(index + 1, end);
      if (char === "'") {
        output += JSON.stringify(inner.replace(/\\'/g, "'").replace(/\\"/g, '"'));
        changed = true;
      } else output += text.slice(index, end + 1);
      index = end;
      continue;
    }
    const word = /^(True|False|None)\b/.exec(text.slice(index))?.[1];
    if (word && !/[A-Za-z0-9_]/.test(text[index - 1] ?? "")) {
      output += word === "True" ? "true" : word === "False" ? "false" : "null";
      index += word.length - 1;
      changed = true;
      continue;
    }
    output += char;
  }
  return changed ? output : undefined;
}

function findStringEnd(text: string, start: number, quote: string): number {
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] === "\\") index += 1;
    else if (text[index] === quote) return index;
  }
  return -1;
}

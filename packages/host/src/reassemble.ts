/** Rebuilds what Dify would see from a tool session's stream messages. */
import type { JsonObject, JsonValue } from "@dify-ts/protocol";

export interface ReassembledMessages {
  texts: string[];
  /** Consecutive text messages joined, as Dify shows them. */
  text: string;
  jsons: JsonValue[];
  links: string[];
  images: string[];
  blobs: { data: Buffer; meta: JsonObject }[];
  variables: Record<string, JsonValue>;
  logs: JsonObject[];
}

/** Rebuilds what Dify would see from a tool session's stream: blobs reassembled, streamed variables joined. */
export function reassemble(stream: JsonObject[]): ReassembledMessages {
  const result: ReassembledMessages = {
    texts: [],
    text: "",
    jsons: [],
    links: [],
    images: [],
    blobs: [],
    variables: {},
    logs: [],
  };
  const partial = new Map<string, { chunks: Buffer[]; meta: JsonObject; expected: number }>();
  for (const item of stream) {
    const message = item.message as JsonObject;
    switch (item.type) {
      case "text":
        result.texts.push(String(message.text));
        break;
      case "json":
        result.jsons.push(message.json_object!);
        break;
      case "link":
        result.links.push(String(message.text));
        break;
      case "image":
        result.images.push(String(message.text));
        break;
      case "variable": {
        const name = String(message.variable_name);
        if (message.stream)
          result.variables[name] = String(result.variables[name] ?? "") + String(message.variable_value);
        else result.variables[name] = message.variable_value!;
        break;
      }
      case "log":
        result.logs.push(message);
        break;
      case "blob_chunk": {
        const id = String(message.id);
        const entry = partial.get(id) ?? { chunks: [], meta: (item.meta ?? {}) as JsonObject, expected: 0 };
        partial.set(id, entry);
        if (Number(message.sequence) !== entry.expected)
          throw new Error(`blob ${id}: chunk ${message.sequence} arrived, expected ${entry.expected}`);
        entry.expected += 1;
        const bytes = Buffer.from(String(message.blob), "base64");
        if (bytes.length > 8192) throw new Error(`blob ${id}: chunk of ${bytes.length} bytes exceeds 8192`);
        if (message.end) {
          const data = Buffer.concat(entry.chunks);
          const total = Number(message.total_length);
          if (total >= 0 && total !== data.length)
            throw new Error(`blob ${id}: total_length says ${total} bytes, chunks carried ${data.length}`);
          result.blobs.push({ data, meta: entry.meta });
          partial.delete(id);
        } else entry.chunks.push(bytes);
        break;
      }
    }
  }
  result.text = result.texts.join("");
  return result;
}

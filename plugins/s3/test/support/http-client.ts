/** One HTTP(S) request with a test CA trusted, for using presigned URLs the way a browser or curl would. */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
  ca?: string,
): Promise<Answer> {
  const target = new URL(url);
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  const headers = { ...init.headers, ...(body ? { "content-length": String(body.byteLength) } : {}) };
  return new Promise((resolve, reject) => {
    const options = { method: init.method ?? "GET", headers, ...(ca ? { ca } : {}) };
    const outgoing = (target.protocol === "https:" ? httpsRequest : httpRequest)(target, options, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () =>
        resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) }),
      );
      incoming.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

/** A multipart/form-data body, encoded as a browser would send it. */
export async function formBody(
  fields: Record<string, string>,
  file: { name: string; bytes: Buffer; type: string },
): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", new Blob([file.bytes], { type: file.type }), file.name);
  const encoded = new Request("http://localhost/", { method: "POST", body: form });
  return { body: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get("content-type")! };
}

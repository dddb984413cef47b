/**
 * Stands in for Dify's file endpoint: serves registered content at
 * /files/<id>/file-preview?timestamp=..&nonce=..&sign=.. and refuses a wrong
 * signature with 403, as Dify does. Files on disk are streamed, so the
 * benchmark can serve 1 GiB without holding it.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";

type Source = { bytes: Buffer } | { path: string };

/**
 * How the server answers: normally, without Content-Length (chunked), announcing more bytes than it sends
 * (truncated), or sending the first half and then nothing while the connection stays open (stalled, with or
 * without Content-Length) until `cutStalled`.
 */
export type Delivery = "normal" | "chunked" | "truncated" | "stalled" | "stalled-chunked";

export interface FileServer {
  origin: string;
  /** Registers content and returns the relative, signed URL Dify would send. */
  add(source: Source, contentType?: string, delivery?: Delivery): string;
  /** How many downloads were served. */
  served: number;
  /** Breaks off every stalled download (its connection is destroyed). */
  cutStalled(): void;
  /** The most downloads that were being served at the same time since the start or resetMostAtOnce(). */
  mostAtOnce: number;
  resetMostAtOnce(): void;
  close(): Promise<void>;
}

export async function startFileServer(): Promise<FileServer> {
  const files = new Map<string, { source: Source; contentType: string; sign: string; delivery: Delivery }>();
  const state = { served: 0, active: 0, mostAtOnce: 0 };
  const stalled = new Set<ServerResponse>();
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const id = /^\/files\/([^/]+)\/file-preview$/.exec(url.pathname)?.[1];
    const file = id ? files.get(id) : undefined;
    if (!file) return void response.writeHead(404).end("not found");
    if (url.searchParams.get("sign") !== file.sign) return void response.writeHead(403).end("invalid signature");
    state.served += 1;
    state.active += 1;
    state.mostAtOnce = Math.max(state.mostAtOnce, state.active);
    response.once("close", () => (state.active -= 1));
    if ("bytes" in file.source) {
      const bytes = file.source.bytes;
      if (file.delivery === "stalled-chunked") {
        response.writeHead(200, { "content-type": file.contentType });
        stalled.add(response);
        return void response.write(bytes.subarray(0, bytes.length >> 1));
      }
      if (file.delivery === "chunked") {
        response.writeHead(200, { "content-type": file.contentType });
        for (let offset = 0; offset < bytes.length; offset += 100_000)
          response.write(bytes.subarray(offset, offset + 100_000));
        return void response.end();
      }
      response.writeHead(200, { "content-type": file.contentType, "content-length": bytes.byteLength });
      if (file.delivery === "truncated")
        return void response.write(bytes.subarray(0, bytes.length >> 1), () => response.socket?.destroy());
      if (file.delivery === "stalled") {
        stalled.add(response);
        return void response.write(bytes.subarray(0, bytes.length >> 1));
      }
      return void response.end(bytes);
    }
    const { size } = await stat(file.source.path);
    response.writeHead(200, { "content-type": file.contentType, "content-length": size });
    createReadStream(file.source.path, { highWaterMark: 256 * 1024 }).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("file server has no address");
  return {
    origin: `http://127.0.0.1:${address.port}`,
    add(source, contentType = "application/octet-stream", delivery = "normal") {
      const id = randomUUID();
      const sign = randomUUID().replaceAll("-", "");
      files.set(id, { source, contentType, sign, delivery });
      return `/files/${id}/file-preview?timestamp=${Math.floor(Date.now() / 1000)}&nonce=${randomUUID()}&sign=${sign}`;
    },
    cutStalled() {
      for (const response of stalled) response.socket?.destroy();
      stalled.clear();
    },
    get served() {
      return state.served;
    },
    get mostAtOnce() {
      return state.mostAtOnce;
    },
    resetMostAtOnce() {
      state.mostAtOnce = state.active;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The file object Dify sends for a file parameter, pointing at `url` (a report.pdf of undeclared size unless `fields` say otherwise). */
export function difyFile(url: string, fields: Record<string, string | number> = {}) {
  return { dify_model_identity: "__dify__file__", url, filename: "report.pdf", size: -1, type: "document", ...fields };
}

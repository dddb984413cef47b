import type { IncomingMessage, ServerResponse } from "node:http";
import { LINE_HEAD_BYTES, LineParseError, MAX_INPUT_LINE_BYTES, sessionIdAtLineStart } from "@dify-ts/protocol";
import { ConnectionLostError, type Route, type Transport } from "./transport.js";

export interface HttpTransportOptions {
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** Where lines that belong to no session (logs) go; serverless has no daemon stream for them. */
  log?: (serialized: string) => void;
}

/**
 * Serverless: the daemon POSTs one request line to /invoke and reads the
 * session's events from the streamed response; GET /health answers OK.
 * The transport owns no server: `handleRequest` is a Node request listener
 * for whatever serves it (`http.createServer`, a platform's handler, a test).
 */
export class HttpTransport implements Transport {
  onmessage?: (line: string) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;

  private state: "new" | "started" | "closed" = "new";
  private readonly responses = new Map<string, ServerResponse>();

  constructor(private readonly options: HttpTransportOptions = {}) {}

  async start(): Promise<void> {
    if (this.state !== "new") throw new Error("HttpTransport already started");
    this.state = "started";
  }

  /**
   * A session's lines go to its response. Lines of no session (process logs)
   * go to `log`. A session whose client went away has its lines dropped.
   */
  send(serialized: string, route?: Route): Promise<void> {
    if (!route) {
      this.options.log?.(serialized);
      return Promise.resolve();
    }
    const response = this.responses.get(route.sessionId);
    if (!response || response.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const flushed = response.write(serialized);
      if (route.final) {
        this.responses.delete(route.sessionId);
        response.end(resolve);
      } else if (flushed) resolve();
      else {
        const done = () => {
          response.off("drain", done);
          response.off("close", done);
          resolve();
        };
        response.on("drain", done);
        response.on("close", done);
      }
    });
  }

  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    for (const response of this.responses.values()) response.end();
    this.responses.clear();
    this.onclose?.();
  }

  /** Serves one HTTP request: POST /invoke runs a session, GET /health answers OK. */
  readonly handleRequest = (request: IncomingMessage, response: ServerResponse): void => {
    if (this.state !== "started") {
      response
        .writeHead(503, { "content-type": "text/plain" })
        .end(this.state === "new" ? "the plugin is starting" : "the plugin is shutting down");
      return;
    }
    const path = (request.url ?? "/").split("?")[0];
    if (request.method === "GET" && path === "/health") {
      response.writeHead(200, { "content-type": "text/plain" }).end("OK");
      return;
    }
    if (request.method !== "POST" || path !== "/invoke") {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found: use POST /invoke or GET /health");
      return;
    }
    const limit = this.options.maxBodyBytes ?? MAX_INPUT_LINE_BYTES;
    let chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      const within = size <= limit;
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      // Over the limit: only the start is still needed, for the session id.
      else if (within) chunks = [Buffer.from(Buffer.concat([...chunks, chunk]).subarray(0, LINE_HEAD_BYTES))];
    });
    request.on("end", () => {
      if (size > limit) {
        // As on a stream transport: the session named at the body's start gets its error and end.
        const head = (chunks[0] ?? Buffer.alloc(0)).toString("utf8").trimStart();
        const sessionId = sessionIdAtLineStart(head);
        if (!sessionId || this.responses.has(sessionId)) {
          response.writeHead(413, { "content-type": "text/plain" }).end(`request body exceeds ${limit} bytes`);
          return;
        }
        this.openStream(sessionId, response);
        this.onerror?.(
          new LineParseError("line-too-long", `request body exceeds ${limit} bytes and was dropped`, head),
        );
        return;
      }
      const body = Buffer.concat(chunks).toString("utf8").trim();
      const sessionId = readRequestSessionId(body);
      if (!sessionId) {
        response
          .writeHead(400, { "content-type": "text/plain" })
          .end('request body must be a JSON object with a session_id and "event": "request"');
        return;
      }
      if (this.responses.has(sessionId)) {
        response.writeHead(409, { "content-type": "text/plain" }).end(`session ${sessionId} is already running`);
        return;
      }
      this.openStream(sessionId, response);
      this.onmessage?.(body);
    });
  };

  /** The response that carries the session's events until its final line. */
  private openStream(sessionId: string, response: ServerResponse): void {
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    this.responses.set(sessionId, response);
    response.on("close", () => {
      // Still registered: the client left before the session's last line.
      if (this.responses.get(sessionId) !== response) return;
      this.responses.delete(sessionId);
      this.onerror?.(new ConnectionLostError(`the client of session ${sessionId} disconnected`, sessionId));
    });
  }
}

/** Only requests are served here: a session's other events have no response of their own to stream. */
function readRequestSessionId(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== "object" || parsed === null || (parsed as Record<string, unknown>).event !== "request")
      return undefined;
    const id = (parsed as Record<string, unknown>).session_id;
    return typeof id === "string" && id !== "" ? id : undefined;
  } catch {
    return undefined;
  }
}

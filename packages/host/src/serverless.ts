/**
 * The daemon's side of a serverless plugin (INSTALL_METHOD=serverless): it
 * POSTs each request to the plugin's /invoke and reads the streamed session
 * events, and it serves /backwards-invocation/transaction, where the plugin
 * POSTs each backwards invocation and reads the answers as a stream of
 * `backwards_response` session events.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { backwardsResponseMessage, requestLine, type JsonObject } from "@dify-ts/protocol";
import { SessionCollector, type ReceivedEvent, type SessionResult } from "./sessions.js";

/** One event of the daemon's answer to a backwards invocation. */
export interface BackwardsReply {
  event: "response" | "error" | "end";
  data?: JsonObject;
  message?: string;
}

/** How the stand-in answers an `invoke` payload ({type, backwards_request_id, request}). */
export type BackwardsAnswer = (invoke: JsonObject) => readonly BackwardsReply[];

/** POSTs one request to a serverless plugin's /invoke as the daemon does and collects the session it streams back. */
export async function invokeServerless(
  baseUrl: string,
  sessionId: string,
  data: JsonObject,
  onEvent?: (event: ReceivedEvent) => void,
): Promise<{ status: number; contentType: string | null; result: SessionResult; sessions: SessionCollector }> {
  const action = typeof data.action === "string" ? data.action : "";
  const response = await fetch(`${baseUrl}/invoke?action=${encodeURIComponent(action)}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", "dify-plugin-session-id": sessionId },
    body: requestLine(sessionId, data),
  });
  const sessions = new SessionCollector();
  const done = sessions.expect(sessionId);
  let pending = "";
  const decoder = new TextDecoder();
  const receive = (lines: string[]) => {
    for (const line of lines.filter((text) => text.trim())) {
      const event = JSON.parse(line) as ReceivedEvent;
      onEvent?.(event);
      sessions.receive(event);
    }
  };
  for await (const chunk of response.body!) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop()!;
    receive(lines);
  }
  receive([pending]);
  return { status: response.status, contentType: response.headers.get("content-type"), result: await done, sessions };
}

/** Stands in for the daemon's /backwards-invocation/transaction endpoint (DIFY_PLUGIN_DAEMON_URL). */
export class BackwardsTransactionServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** The invoke payloads received, in order. */
    readonly received: JsonObject[],
  ) {}

  static async start(answer: BackwardsAnswer): Promise<BackwardsTransactionServer> {
    const received: JsonObject[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (request.url !== "/backwards-invocation/transaction") {
          response.writeHead(404).end();
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { session_id: string; data: { data: JsonObject } };
        const invoke = body.data.data;
        received.push(invoke);
        const id = String(invoke.backwards_request_id);
        response.writeHead(200, { "content-type": "text/event-stream" });
        for (const reply of answer(invoke))
          response.write(
            JSON.stringify(backwardsResponseMessage(body.session_id, id, reply.event, reply.data, reply.message)) +
              "\n\n",
          );
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new BackwardsTransactionServer(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      received,
    );
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

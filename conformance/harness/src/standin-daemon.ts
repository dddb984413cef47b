/**
 * A stand-in for the daemon's remote-debug port: accepts one plugin
 * connection on 127.0.0.1 and records its registration (handshake,
 * declarations, asset chunks) up to the `end` message, with the framing
 * (newlines after each message) kept so it can be compared too.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { JsonObject } from "@dify-ts/runtime";

export interface Registration {
  messages: JsonObject[];
  /** The newlines that followed each message ("\n" or "\n\n"). */
  separators: string[];
}

export class StandInDaemon {
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly registration: Promise<Registration>,
  ) {}

  static async start(timeoutMs = 30_000): Promise<StandInDaemon> {
    let resolve!: (registration: Registration) => void;
    let reject!: (error: Error) => void;
    const registration = new Promise<Registration>((ok, fail) => ((resolve = ok), (reject = fail)));
    const timer = setTimeout(() => reject(new Error(`no complete registration within ${timeoutMs} ms`)), timeoutMs);
    const server = createServer((socket) => {
      daemon.sockets.add(socket);
      socket.on("close", () => daemon.sockets.delete(socket));
      socket.on("error", () => {});
      let raw = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        raw += chunk;
        const parsed = parseRegistration(raw);
        if (parsed) {
          clearTimeout(timer);
          resolve(parsed);
        }
      });
    });
    const daemon = new StandInDaemon(server, registration);
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    return daemon;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === "string") throw new Error("the stand-in daemon is not listening");
    return address.port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}

/** The registration once the `end` message and its newlines have arrived, else undefined. */
function parseRegistration(raw: string): Registration | undefined {
  const messages: JsonObject[] = [];
  const separators: string[] = [];
  const pattern = /([^\n]+)(\n+)/g;
  for (let match = pattern.exec(raw); match; match = pattern.exec(raw)) {
    const message = JSON.parse(match[1]!) as JsonObject;
    messages.push(message);
    separators.push(match[2]!);
    // "\n\n" after end: the blank line may still be in flight if only one arrived.
    if (message.type === "end" && (match[2]!.length >= 2 || pattern.lastIndex < raw.length)) return { messages, separators };
  }
  return undefined;
}

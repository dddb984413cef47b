/**
 * The daemon's side of remote debugging (its debugging_runtime): a TCP server
 * that reads the handshake, checks the key, records and checks every
 * declaration and asset chunk against the daemon's rules (@dify-ts/protocol),
 * and after `end` exchanges request and session lines with the plugin. A wrong
 * key gets the daemon's refusal text and a closed connection. Each
 * registration also keeps its messages with the newlines that followed them,
 * so two plugins' framing can be compared.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import {
  backwardsResponseMessage,
  checkAssetChunk,
  checkAssetsComplete,
  checkManifestDeclaration,
  checkToolDeclaration,
  createLineParser,
  requestLine,
  type JsonObject,
} from "@dify-ts/protocol";
import { SessionCollector, type ReceivedEvent, type SessionResult } from "./sessions.js";

export interface Registration {
  key?: string;
  manifest?: JsonObject;
  tools?: JsonObject[];
  /** The endpoint_declaration's groups (settings and routes). */
  endpoints?: JsonObject[];
  assets: Map<string, Buffer>;
  /** Each asset's chunks in arrival order: their byte sizes and `end` flags. */
  chunks: Map<string, { bytes: number; end: boolean }[]>;
  /** The order of registration message types, handshake first. */
  order: string[];
  /** Everything the daemon would refuse, as "path: problem". */
  problems: string[];
  /** Set once `end` arrived: the plugin is registered. */
  complete: boolean;
  /** Set when the daemon refused the handshake; like the daemon, it ignores everything after. */
  refused: boolean;
  /** Every registration message in order, as sent. */
  messages: JsonObject[];
  /** The newlines that followed each message ("\n" or "\n\n"). */
  separators: string[];
}

export class StandInDaemon {
  readonly registrations: Registration[] = [];
  readonly sessions = new SessionCollector();
  private server?: Server;
  private socket?: Socket;
  private readonly sockets = new Set<Socket>();
  private registered: { count: number; resolve: (registration: Registration) => void }[] = [];

  private constructor(
    readonly key: string,
    public port: number,
  ) {}

  /** Listens on 127.0.0.1 (port 0 picks a free port). */
  static async start(key: string, port = 0): Promise<StandInDaemon> {
    const daemon = new StandInDaemon(key, port);
    await daemon.listen();
    return daemon;
  }

  /** Listens again on the same port, after stop(): the daemon restarting. */
  async listen(): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
  }

  /** Closes the server and every connection, as a daemon that goes away. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /**
   * Resolves with the `count`-th completed registration (1 = the first), at once
   * if it already happened: `end` arrived with the newlines that follow it.
   */
  registration(count: number): Promise<Registration> {
    return new Promise((resolve) => {
      this.registered.push({ count, resolve });
      this.notifyRegistered();
    });
  }

  private notifyRegistered(): void {
    const complete = this.registrations.filter((registration) => registration.complete);
    for (const waiter of [...this.registered]) {
      const registration = complete[waiter.count - 1];
      if (registration) {
        this.registered.splice(this.registered.indexOf(waiter), 1);
        waiter.resolve(registration);
      }
    }
  }

  request(
    data: JsonObject,
    options: { sessionId?: string; onInvoke?: (payload: JsonObject) => void } = {},
  ): Promise<SessionResult> {
    const sessionId = options.sessionId ?? randomUUID();
    const done = this.sessions.expect(sessionId, options.onInvoke);
    this.writeLine(requestLine(sessionId, data, { context: {} }));
    return done;
  }

  respondBackwards(
    sessionId: string,
    backwardsRequestId: string,
    event: "response" | "error" | "end",
    data?: JsonObject,
    message = "",
  ): void {
    this.writeLine(JSON.stringify(backwardsResponseMessage(sessionId, backwardsRequestId, event, data, message)));
  }

  waitFor(match: (event: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent> {
    return this.sessions.waitFor(match, timeoutMs);
  }

  /** The daemon writes each line followed by a single newline. */
  private writeLine(line: string): void {
    if (!this.socket || this.socket.destroyed) throw new Error("no plugin is connected to the stand-in daemon");
    this.socket.write(line + "\n");
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => {});
    const registration: Registration = {
      assets: new Map(),
      chunks: new Map(),
      order: [],
      problems: [],
      complete: false,
      refused: false,
      messages: [],
      separators: [],
    };
    this.registrations.push(registration);
    let ended = false;
    const framing = new RegistrationFraming();
    const parser = createLineParser({
      onLine: (line) =>
        ended ? this.receiveEvent(line) : this.register(socket, registration, line, () => (ended = true)),
      onError: (error) => registration.problems.push(`line: ${error.message}`),
      maxLineBytes: 64 * 1024 * 1024,
    });
    socket.on("data", (chunk: Buffer) => {
      if (!registration.complete) framing.append(chunk);
      parser.feed(chunk);
      // Complete once `end` and its newlines arrived (they may come in a later chunk).
      if (ended && !registration.complete && framing.separatorsAfterEnd(registration)) {
        registration.complete = true;
        this.socket = socket;
        this.notifyRegistered();
      }
    });
  }

  private register(socket: Socket, registration: Registration, line: string, onEnd: () => void): void {
    if (registration.refused) return;
    let payload: { type?: unknown; data?: unknown };
    try {
      payload = JSON.parse(line) as typeof payload;
    } catch {
      registration.problems.push(`registration line is not JSON: ${line.slice(0, 120)}`);
      return void this.refuse(socket, registration, "handshake failed, invalid handshake message");
    }
    const type = String(payload.type);
    registration.order.push(type);
    if (payload.data === undefined || payload.data === null) registration.problems.push(`${type}: data is required`);
    const data = payload.data as JsonObject;
    if (registration.order.length === 1 && type !== "handshake")
      registration.problems.push(`the first message must be the handshake, got ${type}`);
    switch (type) {
      case "handshake":
        registration.key = typeof data?.key === "string" ? data.key : undefined;
        if (registration.key !== this.key)
          return void this.refuse(socket, registration, "handshake failed, invalid key");
        return;
      case "manifest_declaration":
        if (registration.manifest) registration.problems.push("declaration already registered");
        registration.manifest = data;
        registration.problems.push(...checkManifestDeclaration(data));
        return;
      case "tool_declaration":
        if (registration.tools) registration.problems.push("tools declaration already registered");
        registration.tools = payload.data as JsonObject[];
        registration.problems.push(...checkToolDeclaration(payload.data));
        return;
      case "endpoint_declaration":
        if (registration.endpoints) registration.problems.push("endpoints declaration already registered");
        if (!Array.isArray(payload.data)) registration.problems.push("endpoint_declaration: must be a list of groups");
        registration.endpoints = payload.data as JsonObject[];
        return;
      case "asset_chunk": {
        registration.problems.push(...checkAssetChunk(data));
        const filename = String(data.filename);
        const bytes = Buffer.from(String(data.data), "base64");
        registration.assets.set(filename, Buffer.concat([registration.assets.get(filename) ?? Buffer.alloc(0), bytes]));
        registration.chunks.set(filename, [
          ...(registration.chunks.get(filename) ?? []),
          { bytes: bytes.length, end: data.end === true },
        ]);
        return;
      }
      case "end":
        if (!registration.manifest) registration.problems.push("end before manifest_declaration");
        if (!registration.tools && !registration.endpoints)
          registration.problems.push("no registration transferred, cannot initialize");
        registration.problems.push(
          ...checkAssetsComplete(registration.manifest, registration.tools, registration.assets),
        );
        onEnd();
        return;
      default:
        registration.problems.push(`unknown registration message type ${type}`);
    }
  }

  private refuse(socket: Socket, registration: Registration, message: string): void {
    registration.refused = true;
    socket.end(`${message}\n`);
  }

  private receiveEvent(line: string): void {
    try {
      this.sessions.receive(JSON.parse(line) as ReceivedEvent);
    } catch {
      this.sessions.violations.push(`not JSON after registration: ${line.slice(0, 120)}`);
    }
  }
}

/** Records the registration's raw text to recover the newlines after each message. */
class RegistrationFraming {
  private raw = "";
  private readonly decoder = new TextDecoder();

  append(chunk: Buffer): void {
    this.raw += this.decoder.decode(chunk, { stream: true });
  }

  /** Fills `messages` and `separators` once `end` has all its newlines (two, or one followed by more bytes). */
  separatorsAfterEnd(registration: Registration): boolean {
    const messages: JsonObject[] = [];
    const separators: string[] = [];
    const pattern = /([^\n]+)(\n+)/g;
    for (let match = pattern.exec(this.raw); match; match = pattern.exec(this.raw)) {
      let message: JsonObject;
      try {
        message = JSON.parse(match[1]!) as JsonObject;
      } catch {
        continue;
      }
      messages.push(message);
      separators.push(match[2]!);
      if (message.type === "end" && (match[2]!.length >= 2 || pattern.lastIndex < this.raw.length)) {
        registration.messages = messages;
        registration.separators = separators;
        return true;
      }
    }
    return false;
  }
}

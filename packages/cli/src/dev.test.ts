import { readFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { manifestDeclaration, registrationLines, toolDeclaration } from "@dify-ts/runtime";
import { afterEach, describe, expect, it } from "vitest";
import { copyFixture, type ScratchPlugin } from "./__fixtures__/copy-fixture.js";
import hello from "./__fixtures__/hello/src/plugin.js";
import { remoteSettings, startDevLoop, type DevLoop } from "./dev.js";
import { UsageError } from "./project.js";

/** A stand-in for the daemon's debugging port: records every line of every connection. */
function standInDaemon(): Promise<{
  server: Server;
  port: number;
  connections: string[][];
  nextConnection(): Promise<string[]>;
}> {
  const connections: string[][] = [];
  const waiters: ((lines: string[]) => void)[] = [];
  const server = createServer((socket: Socket) => {
    const lines: string[] = [];
    connections.push(lines);
    let registered = false;
    let buffer = "";
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      for (const part of parts) if (part.trim() !== "") lines.push(part);
      if (!registered && lines.some((line) => line.includes('"type":"end"'))) {
        registered = true;
        waiters.shift()?.(lines);
      }
    });
    socket.on("error", () => {});
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      resolve({ server, port, connections, nextConnection: () => new Promise((done) => waiters.push(done)) });
    }),
  );
}

let loop: DevLoop | undefined;
let plugin: ScratchPlugin | undefined;
let server: Server | undefined;

afterEach(async () => {
  await loop?.stop();
  await plugin?.remove();
  server?.close();
});

describe("dify-ts dev", () => {
  it("connects with the .env settings, registers like the SDK, and restarts on a source change", async () => {
    const daemon = await standInDaemon();
    server = daemon.server;
    plugin = await copyFixture("hello");
    await plugin.write(
      ".env",
      `INSTALL_METHOD=remote\nREMOTE_INSTALL_URL=127.0.0.1:${daemon.port}\nREMOTE_INSTALL_KEY=debug-key-123\n`,
    );
    const messages: string[] = [];
    const first = daemon.nextConnection();
    loop = await startDevLoop(plugin.dir, {
      io: { out: (line) => messages.push(line), err: (line) => messages.push(line) },
      debounceMs: 100,
    });
    const lines = await first;
    const icon = await readFile(join(plugin.dir, "_assets", "icon.svg"));
    const expected = registrationLines({
      manifest: manifestDeclaration(hello),
      tools: [toolDeclaration(hello)],
      assets: [{ filename: "icon.svg", data: icon }],
    });
    expect(JSON.parse(lines[0]!)).toEqual({ type: "handshake", data: { key: "debug-key-123" } });
    expect(lines.slice(1, expected.length + 1).map((line) => JSON.parse(line))).toEqual(
      expected.map((line) => JSON.parse(line)),
    );

    const second = daemon.nextConnection();
    const greet = await readFile(join(plugin.dir, "src/tools/greet.ts"), "utf8");
    await plugin.write("src/tools/greet.ts", greet.replace('label: { en_US: "Greet"', 'label: { en_US: "Greet again"'));
    const again = await second;
    expect(loop.starts).toBe(2);
    const tools = JSON.parse(again.find((line) => line.includes('"tool_declaration"'))!) as {
      data: { tools: { identity: { label: { en_US: string } } }[] }[];
    };
    expect(tools.data[0]!.tools[0]!.identity.label.en_US).toBe("Greet again");
    expect(messages.some((message) => message.includes("src/tools/greet.ts changed, restarting"))).toBe(true);
    expect(messages.join("\n")).not.toContain("debug-key-123");
  });

  it("names the missing setting and where to find it", () => {
    expect(() => remoteSettings("/nonexistent", { REMOTE_INSTALL_KEY: "k" })).toThrow(UsageError);
    expect(() => remoteSettings("/nonexistent", { REMOTE_INSTALL_KEY: "k" })).toThrow(
      /REMOTE_INSTALL_URL=<host>:<port>.*Debugging/,
    );
    expect(() => remoteSettings("/nonexistent", { REMOTE_INSTALL_URL: "h:1" })).toThrow(/REMOTE_INSTALL_KEY/);
    expect(() =>
      remoteSettings("/nonexistent", { REMOTE_INSTALL_URL: "h:1", REMOTE_INSTALL_KEY: "k", INSTALL_METHOD: "local" }),
    ).toThrow(/needs remote/);
    expect(remoteSettings("/nonexistent", { REMOTE_INSTALL_URL: "h:1", REMOTE_INSTALL_KEY: "k" }).INSTALL_METHOD).toBe(
      "remote",
    );
  });
});

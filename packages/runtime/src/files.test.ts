import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DifyFile } from "./definitions.js";
import { FileDownloadError, openDifyFile, resolveFileUrl } from "./files.js";

const SIGNATURE = "sign=SECRET-SIGNATURE-abc123";
const query = `?timestamp=1700000000&nonce=n1&${SIGNATURE}`;
let server: Server;
let base: string;
const open = new Set<ServerResponse>();

const routes: Record<string, (request: IncomingMessage, response: ServerResponse) => void> = {
  "/files/ok/file-preview": (_request, response) =>
    response.writeHead(200, { "content-type": "text/plain; charset=utf-8", "content-length": "11" }).end("hello world"),
  "/prefix/files/ok/file-preview": (_request, response) =>
    response.writeHead(200, { "content-type": "text/plain" }).end("behind a prefix"),
  "/files/expired/file-preview": (_request, response) => response.writeHead(403).end("Forbidden"),
  "/files/gone/file-preview": (_request, response) => response.writeHead(404).end("Not found"),
  "/files/silent/file-preview": (_request, response) => open.add(response),
  "/files/stall/file-preview": (_request, response) => {
    open.add(response);
    response.writeHead(200, { "content-type": "application/octet-stream" });
    response.write("first part");
  },
  "/files/slow/file-preview": (_request, response) => {
    response.writeHead(200, { "content-type": "application/octet-stream" });
    // The headers go out now, not with the first piece: only the body is slow.
    response.flushHeaders();
    let sent = 0;
    const timer = setInterval(() => {
      response.write(`piece${sent} `);
      if (++sent === 8) {
        clearInterval(timer);
        response.end();
      }
    }, 100);
  },
};

beforeAll(async () => {
  server = createServer((request, response) =>
    (routes[request.url!.split("?")[0]!] ?? routes["/files/gone/file-preview"]!)(request, response),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const response of open) response.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const file = (url: string): DifyFile => ({
  dify_model_identity: "__dify__file__",
  url,
  filename: "report.txt",
  mime_type: null,
  size: -1,
});

/** The error openDifyFile (or reading its body) fails with; asserts the signature is nowhere in it. */
async function failure(work: Promise<unknown>): Promise<FileDownloadError> {
  const error = await work.then(
    () => {
      throw new Error("expected the download to fail");
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FileDownloadError);
  for (const rendering of [
    String(error),
    (error as Error).message,
    (error as Error).stack ?? "",
    JSON.stringify(error),
    String((error as Error).cause ?? ""),
  ]) {
    expect(rendering).not.toContain("SECRET-SIGNATURE");
    expect(rendering).not.toContain("nonce=");
  }
  return error as FileDownloadError;
}

describe("openDifyFile", () => {
  it("streams an absolute URL with its size, type and name", async () => {
    const opened = await openDifyFile(file(`${base}/files/ok/file-preview${query}`));
    expect(await text(opened.body)).toBe("hello world");
    expect(opened).toMatchObject({ size: 11, mimeType: "text/plain", filename: "report.txt" });
  });

  it("keeps every byte for a caller that starts reading later", async () => {
    const opened = await openDifyFile(file(`${base}/files/ok/file-preview${query}`));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await text(opened.body)).toBe("hello world");
  });

  it("resolves a relative URL against the base URL the plugin supplies, path prefix included", async () => {
    expect(await text((await openDifyFile(file(`/files/ok/file-preview${query}`), { baseUrl: base })).body)).toBe(
      "hello world",
    );
    expect(
      await text((await openDifyFile(file(`/files/ok/file-preview${query}`), { baseUrl: `${base}/prefix/` })).body),
    ).toBe("behind a prefix");
    expect(resolveFileUrl("/files/x?sign=1", "http://api:5001/").href).toBe("http://api:5001/files/x?sign=1");
  });

  it("keeps a relative URL on the base URL's host, reading it as the WHATWG URL parser (and fetch) does", () => {
    for (const escape of [
      "\\\\evil.example/files/x",
      "\\/evil.example/files/x",
      " //evil.example/files/x",
      "/\\evil.example/x",
      "/\t/evil.example/x",
      "///evil.example/x",
      "\n//evil.example/x",
    ]) {
      expect(() => resolveFileUrl(`${escape}?sign=1`, "http://api:5001")).toThrow(
        /^the relative file URL ".*" leads to another host \(evil\.example\) than the Dify base URL http:\/\/api:5001: a relative file link is only fetched from the Dify base URL$/s,
      );
    }
    expect(resolveFileUrl(" /files/x?sign=1", "http://api:5001").href).toBe("http://api:5001/files/x?sign=1");
    expect(resolveFileUrl("/files/x?sign=1", "http://api:5001/dify").href).toBe("http://api:5001/dify/files/x?sign=1");
    expect(resolveFileUrl("/.//evil.example/x", "http://api:5001/dify/").href).toBe(
      "http://api:5001/dify/evil.example/x",
    );
    expect(resolveFileUrl(" https://files.example/x?sign=1").href).toBe("https://files.example/x?sign=1");
    expect(() => resolveFileUrl("file:///etc/passwd", "http://api:5001")).toThrow(
      'the file URL has the scheme "file:": only http and https file links are fetched',
    );
  });

  it("explains a relative URL without a base URL", async () => {
    const error = await failure(openDifyFile(file(`/files/ok/file-preview${query}`)));
    expect(error.message).toBe(
      "the file URL \"/files/ok/file-preview\" is relative: set the plugin's Dify base URL credential (for example http://api:5001), or set FILES_URL / INTERNAL_FILES_URL in Dify's environment so it sends absolute URLs",
    );
  });

  it("says an expired link expired (403) and a missing file is missing (404)", async () => {
    expect((await failure(openDifyFile(file(`${base}/files/expired/file-preview${query}`)))).message).toBe(
      `Dify refused the file download (HTTP 403) from ${base}/files/expired/file-preview: the signed link has expired or is invalid (links last FILES_ACCESS_TIMEOUT, 300 s by default); run the tool right after the file is produced`,
    );
    expect((await failure(openDifyFile(file(`${base}/files/gone/file-preview${query}`)))).message).toBe(
      `the file was not found (HTTP 404) at ${base}/files/gone/file-preview: check the Dify base URL credential and that the file still exists`,
    );
  });

  it("gives up when the headers do not come in time", async () => {
    const error = await failure(openDifyFile(file(`${base}/files/silent/file-preview${query}`), { timeoutMs: 200 }));
    expect(error.message).toBe(`the file server at ${base}/files/silent/file-preview did not answer within 0.2 s`);
  });

  it("abandons a download that stalls, but not one that is slow and steady", async () => {
    const stalled = await openDifyFile(file(`${base}/files/stall/file-preview${query}`), { idleTimeoutMs: 200 });
    const error = await failure(text(stalled.body));
    expect(error.message).toBe(`the download of ${base}/files/stall/file-preview stalled for 0.2 s and was abandoned`);
    // 800 ms in total, longer than the header timeout: that timeout must not cut the body short. The idle timeout
    // is 20 pieces long, so only a stall of the whole test process for seconds could look like a stalled network.
    const slow = await openDifyFile(file(`${base}/files/slow/file-preview${query}`), {
      timeoutMs: 200,
      idleTimeoutMs: 2000,
    });
    expect(await text(slow.body)).toBe("piece0 piece1 piece2 piece3 piece4 piece5 piece6 piece7 ");
  });

  it("does not count a caller that stops reading as a stalled network", async () => {
    const opened = await openDifyFile(file(`${base}/files/slow/file-preview${query}`), { idleTimeoutMs: 2000 });
    const chunks: Buffer[] = [];
    for await (const chunk of opened.body) {
      chunks.push(chunk as Buffer);
      // A consumer busy for longer than the idle timeout, as an upload waiting on S3 is (the pause is the behaviour under test).
      if (chunks.length === 1) await new Promise((resolve) => setTimeout(resolve, 3000));
    }
    expect(Buffer.concat(chunks).toString()).toBe("piece0 piece1 piece2 piece3 piece4 piece5 piece6 piece7 ");
  });

  it("names an unreachable server", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(openDifyFile(file(`http://127.0.0.1:${port}/files/x/file-preview${query}`)));
    expect(error.message).toBe(
      `could not reach http://127.0.0.1:${port}/files/x/file-preview (ECONNREFUSED): check the Dify base URL the plugin uses for file links`,
    );
  });

  const openssl = (() => {
    try {
      execFileSync("openssl", ["version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!openssl)(
    "explains a TLS failure against a self-signed certificate (skipped when openssl is missing)",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "dify-tls-"));
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-keyout",
          join(dir, "key.pem"),
          "-out",
          join(dir, "cert.pem"),
          "-days",
          "1",
          "-subj",
          "/CN=127.0.0.1",
        ],
        { stdio: "ignore" },
      );
      const tls = createTlsServer(
        { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) },
        (_request, response) => response.end("secret"),
      );
      await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
      try {
        const port = (tls.address() as AddressInfo).port;
        const error = await failure(openDifyFile(file(`https://127.0.0.1:${port}/files/x/file-preview${query}`)));
        expect(error.message).toMatch(
          new RegExp(
            `^TLS verification failed for https://127\\.0\\.0\\.1:${port}/files/x/file-preview \\((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)[^)]*\\): the file server's certificate is not trusted; use a certificate from a trusted CA or point NODE_EXTRA_CA_CERTS at your CA bundle$`,
          ),
        );
      } finally {
        await new Promise((resolve) => tls.close(resolve));
      }
    },
  );

  it("stops when the caller's signal aborts", async () => {
    const controller = new AbortController();
    const pending = openDifyFile(file(`${base}/files/silent/file-preview${query}`), { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).message).toBe(`the download of ${base}/files/silent/file-preview was cancelled`);
  });
});

/**
 * Downloads a package over HTTP(S) with a progress line on stderr. Its own
 * timeouts, so a server that never answers fails in seconds, not after Node's
 * 5-minute header timeout: one to connect (TLS included), one for the first
 * byte and for any gap between bytes. A bad answer becomes one clear line.
 */
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { CommandIo } from "../commands/command.js";

export class RepackageError extends Error {
  override readonly name = "RepackageError";
}

export interface DownloadTimeouts {
  /** Seconds to open the connection (TCP and TLS). */
  connect: number;
  /** Seconds to wait for the first byte of the answer, and for each next byte. */
  read: number;
}

export const DEFAULT_TIMEOUTS: DownloadTimeouts = { connect: 20, read: 60 };

const MIB = 1024 * 1024;
const MAX_REDIRECTS = 5;
const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;

/** GET `url`, following redirects; resolves with the answer's headers (its body not yet read). */
function get(url: URL, timeouts: DownloadTimeouts, redirects = 0): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
      headers: { "user-agent": "dify-ts repackage" },
    });
    let timer = setTimeout(
      () =>
        request.destroy(
          new RepackageError(`could not connect to ${url.host} within ${timeouts.connect} s (--connect-timeout)`),
        ),
      timeouts.connect * 1000,
    );
    const awaitAnswer = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          request.destroy(
            new RepackageError(
              `${url.host} accepted the connection but sent no answer within ${timeouts.read} s (--read-timeout)`,
            ),
          ),
        timeouts.read * 1000,
      );
    };
    request.on("socket", (socket) => {
      if (!socket.connecting) awaitAnswer();
      else socket.once(url.protocol === "https:" ? "secureConnect" : "connect", awaitAnswer);
    });
    request.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.on("response", (response) => {
      clearTimeout(timer);
      const location = response.headers.location;
      if (response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && location) {
        response.resume();
        if (redirects >= MAX_REDIRECTS)
          reject(new RepackageError(`more than ${MAX_REDIRECTS} redirects, the last to ${location}`));
        else get(new URL(location, url), timeouts, redirects + 1).then(resolve, reject);
        return;
      }
      resolve(response);
    });
    request.end();
  });
}

export async function download(
  url: string,
  file: string,
  io: CommandIo,
  what: string,
  timeouts: DownloadTimeouts = DEFAULT_TIMEOUTS,
): Promise<void> {
  let response: IncomingMessage;
  try {
    response = await get(new URL(url), timeouts);
  } catch (error) {
    const cause =
      error instanceof RepackageError
        ? error.message
        : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
    throw new RepackageError(`cannot download ${what} from ${url}: ${cause}`);
  }
  const status = response.statusCode ?? 0;
  if (status === 404) {
    response.resume();
    throw new RepackageError(`${what} was not found: ${url} answered 404 Not Found`);
  }
  if (status < 200 || status >= 300) {
    response.resume();
    throw new RepackageError(
      `cannot download ${what}: ${url} answered ${status} ${response.statusMessage ?? ""}`.trimEnd(),
    );
  }
  const total = Number(response.headers["content-length"] ?? 0);
  io.err(`downloading ${what} from ${url}${total ? ` (${mib(total)})` : ""}`);
  const started = Date.now();
  const speed = (bytes: number) => `${mib(bytes / Math.max((Date.now() - started) / 1000, 0.001))}/s`;
  const output = createWriteStream(file);
  let received = 0;
  let reported = started;
  // A gap of --read-timeout between two chunks ends the download with a message saying so.
  let stall: NodeJS.Timeout | undefined;
  const watch = () => {
    clearTimeout(stall);
    stall = setTimeout(
      () => response.destroy(new RepackageError(`stalled: nothing received for ${timeouts.read} s (--read-timeout)`)),
      timeouts.read * 1000,
    );
  };
  try {
    watch();
    for await (const chunk of response as AsyncIterable<Buffer>) {
      watch();
      received += chunk.length;
      if (!output.write(chunk)) await new Promise<void>((resolve) => output.once("drain", () => resolve()));
      if (Date.now() - reported > 1000) {
        reported = Date.now();
        io.err(
          `  ${mib(received)}${total ? ` of ${mib(total)} (${Math.floor((received / total) * 100)}%)` : ""}, ${speed(received)}`,
        );
      }
    }
    clearTimeout(stall);
    if (total && received !== total) throw new RepackageError(`the connection closed at ${received} of ${total} bytes`);
    await new Promise<void>((resolve, reject) =>
      output.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  } catch (error) {
    clearTimeout(stall);
    output.destroy();
    await rm(file, { force: true });
    throw new RepackageError(
      `download of ${what} from ${url} broke off after ${received} bytes: ${(error as Error).message}`,
    );
  }
  io.err(`  done: ${mib(received)} in ${((Date.now() - started) / 1000).toFixed(1)} s (${speed(received)})`);
}

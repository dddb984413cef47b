/** Downloads a package over HTTP with progress on stderr; a bad answer becomes one clear line. */
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import type { CommandIo } from "../commands/command.js";

export class RepackageError extends Error {
  override readonly name = "RepackageError";
}

const MIB = 1024 * 1024;

export async function download(url: string, file: string, io: CommandIo, what: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(30 * 60_000) });
  } catch (error) {
    throw new RepackageError(`cannot download ${what} from ${url}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`);
  }
  if (response.status === 404) throw new RepackageError(`${what} was not found: ${url} answered 404 Not Found`);
  if (!response.ok || !response.body) throw new RepackageError(`cannot download ${what}: ${url} answered ${response.status} ${response.statusText}`);
  const total = Number(response.headers.get("content-length") ?? 0);
  io.err(`downloading ${what} from ${url}${total ? ` (${(total / MIB).toFixed(1)} MiB)` : ""}`);
  const output = createWriteStream(file);
  let received = 0;
  let reported = Date.now();
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      received += chunk.length;
      if (!output.write(chunk)) await new Promise<void>((resolve) => output.once("drain", () => resolve()));
      if (Date.now() - reported > 1000) {
        reported = Date.now();
        io.err(`  ${(received / MIB).toFixed(1)} MiB${total ? ` of ${(total / MIB).toFixed(1)} MiB (${Math.floor((received / total) * 100)}%)` : ""}`);
      }
    }
    await new Promise<void>((resolve, reject) => output.end((error?: Error | null) => (error ? reject(error) : resolve())));
  } catch (error) {
    output.destroy();
    await rm(file, { force: true });
    throw new RepackageError(`download of ${what} from ${url} broke off after ${received} bytes: ${(error as Error).message}`);
  }
  io.err(`  done: ${(received / MIB).toFixed(1)} MiB`);
}

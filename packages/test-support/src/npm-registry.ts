/**
 * A real npm registry (verdaccio) for tests, on 127.0.0.1 with its storage in a
 * temporary directory: packages of `localScope` live only there, everything
 * else comes through its uplink to registry.npmjs.org.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface NpmRegistry {
  /** e.g. http://127.0.0.1:40123/ (with the trailing slash npm writes in .npmrc keys). */
  url: string;
  /** A publish token of a user created for this registry. */
  token: string;
  /** The registry's stderr so far (warnings and errors), for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

const serverScript = fileURLToPath(new URL("./verdaccio-server.mjs", import.meta.url));

export async function startNpmRegistry(verdaccioDir: string, localScope: string): Promise<NpmRegistry> {
  const storage = await mkdtemp(join(tmpdir(), "dify-ts-registry-"));
  const child = spawn(process.execPath, [serverScript, verdaccioDir, storage, localScope], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = once(child, "exit");
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill();
      await exited;
    }
    await rm(storage, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        const match = /^listening (\d+)$/.exec(line);
        if (match) resolve(Number(match[1]));
      });
      void exited.then(([code]) =>
        reject(new Error(`verdaccio exited (${String(code)}) before listening:\n${stderr}`)),
      );
    });
    const url = `http://127.0.0.1:${port}/`;
    // npm's `adduser` request: creates the user and answers with its token.
    const response = await fetch(`${url}-/user/org.couchdb.user:tests`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "tests", password: "tests-password" }),
    });
    const body = (await response.json()) as { token?: string };
    if (!response.ok || !body.token) throw new Error(`verdaccio refused to create a user: ${JSON.stringify(body)}`);
    return { url, token: body.token, log: () => stderr, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

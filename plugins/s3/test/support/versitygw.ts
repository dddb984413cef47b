/**
 * Starts versitygw (a real S3 server that verifies SigV4 signatures) on
 * 127.0.0.1 with a temporary posix root, over HTTP or HTTPS, and stops it.
 * Its path comes from scripts/setup/versitygw.sh; when it is missing, tests
 * skip with the reason `versitygwUnavailable` holds.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readlinkSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { versitygw } from "@dify-ts/test-support";

const lookup = versitygw();
export const versitygwUnavailable: string | undefined = lookup.reason;

export const ACCESS_KEY = "AKIDIFYTSTEST0001";
export const SECRET_KEY = "s3cr3t-for-tests-only-0123456789abcdef";

export interface RunningS3 {
  endpoint: string;
  root: string;
  /** Adds a user with the plain "user" role (no access to the root user's buckets); needs `iam: true`. */
  createUser(accessKey: string, secretKey: string): void;
  stop(): Promise<void>;
  /** Recent output, for failure messages. */
  output(): string;
  /**
   * How many uploads the server is receiving now: its posix backend streams a request's body into an unnamed
   * O_TMPFILE, which shows in /proc as an open "(deleted)" file until the request completes.
   */
  uploadsInFlight(): number;
  /** Kills the server at once (SIGKILL), as a crash would. */
  crash(): Promise<void>;
  /** Starts it again after a crash, on the same port and data. */
  restart(): Promise<void>;
}

export interface VersitygwOptions {
  tls?: { certFile: string; keyFile: string };
  /** Run the internal IAM service, so createUser works. */
  iam?: boolean;
  /** Keep object versions (a versioning directory for the posix backend), so buckets can be versioned. */
  versioning?: boolean;
}

export async function startVersitygw(options: VersitygwOptions = {}): Promise<RunningS3> {
  const binary = lookup.path;
  if (!binary) throw new Error(`versitygw unavailable: ${lookup.reason}`);
  const home = await mkdtemp(join(tmpdir(), "dify-ts-s3-"));
  const root = join(home, "data");
  await mkdir(root);
  const port = await freePort();
  const args = [
    "--access",
    ACCESS_KEY,
    "--secret",
    SECRET_KEY,
    "--port",
    `127.0.0.1:${port}`,
    "--quiet",
    "--region",
    "us-east-1",
  ];
  if (options.tls) args.push("--cert", options.tls.certFile, "--key", options.tls.keyFile);
  if (options.iam) {
    await mkdir(join(home, "iam"));
    args.push("--iam-dir", join(home, "iam"));
  }
  if (options.versioning) {
    await mkdir(join(home, "versions"));
    args.push("posix", "--versioning-dir", join(home, "versions"), root);
  } else args.push("posix", root);
  let output = "";
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  let child!: ChildProcess;
  const launch = async () => {
    child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    await waitForPort(port, child, () => output);
  };
  // A test process that dies without its hooks (a crash, a timeout) must not leave the server behind.
  const killOnExit = () => {
    child.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
  };
  process.once("exit", killOnExit);
  await launch();
  const endpoint = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
  return {
    endpoint,
    root,
    output: () => output,
    createUser(accessKey, secretKey) {
      execFileSync(
        binary,
        [
          "admin",
          "--access",
          ACCESS_KEY,
          "--secret",
          SECRET_KEY,
          "--endpoint-url",
          endpoint,
          "create-user",
          "--access",
          accessKey,
          "--secret",
          secretKey,
          "--role",
          "user",
        ],
        { stdio: "pipe" },
      );
    },
    uploadsInFlight() {
      let count = 0;
      for (const fd of readdirSync(`/proc/${child.pid}/fd`)) {
        try {
          if (readlinkSync(`/proc/${child.pid}/fd/${fd}`).endsWith("(deleted)")) count += 1;
        } catch {
          // The descriptor closed between the listing and the read.
        }
      }
      return count;
    },
    async crash() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
    restart: launch,
    async stop() {
      process.off("exit", killOnExit);
      await stopProcess(child);
      await rm(home, { recursive: true, force: true });
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  // A bound for a server that never starts, not a wait: a loaded machine can take many seconds to start it.
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`versitygw exited with ${child.exitCode}: ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`versitygw did not listen on ${port} within 15 s: ${output()}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

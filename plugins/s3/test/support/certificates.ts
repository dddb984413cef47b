/**
 * A throwaway CA and a server certificate for 127.0.0.1 (not "localhost") made with
 * openssl, plus an unrelated second CA for the "wrong CA" case.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificates {
  caPem: string;
  otherCaPem: string;
  certFile: string;
  keyFile: string;
  remove(): Promise<void>;
}

const OPENSSL = "/usr/bin/openssl";

export async function makeCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), "dify-ts-s3-tls-"));
  const file = (name: string) => join(dir, name);
  const run = (...args: string[]) => execFileSync(OPENSSL, args, { cwd: dir, stdio: "pipe" });
  const ca = (name: string) =>
    run(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      file(`${name}.key`),
      "-out",
      file(`${name}.pem`),
      "-days",
      "2",
      "-subj",
      `/CN=dify-ts ${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    );
  ca("ca");
  ca("other-ca");
  run(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    file("server.key"),
    "-out",
    file("server.csr"),
    "-subj",
    "/CN=127.0.0.1",
  );
  await writeFile(file("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  run(
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-out",
    file("server.pem"),
    "-days",
    "2",
    "-extfile",
    file("server.ext"),
  );
  return {
    caPem: await readFile(file("ca.pem"), "utf8"),
    otherCaPem: await readFile(file("other-ca.pem"), "utf8"),
    certFile: file("server.pem"),
    keyFile: file("server.key"),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadEnvironment, parseDotenv, readConfig } from "./config.js";

describe("parseDotenv", () => {
  it("reads KEY=value lines with quotes, comments and export", () => {
    expect(
      parseDotenv(
        [
          "# comment",
          "",
          "A=1",
          "export B = two ",
          'C="quoted # not a comment\\nnext"',
          "D='single'",
          "E=value # comment",
          "not a line",
          "F=",
        ].join("\n"),
      ),
    ).toEqual({ A: "1", B: "two", C: "quoted # not a comment\nnext", D: "single", E: "value", F: "" });
  });
});

describe("loadEnvironment and readConfig", () => {
  it("reads .env from the working directory; the real environment wins", () => {
    const dir = mkdtempSync(join(tmpdir(), "dify-env-"));
    writeFileSync(
      join(dir, ".env"),
      "INSTALL_METHOD=remote\nREMOTE_INSTALL_KEY=from-file\nREMOTE_INSTALL_URL=debug.example.com:5003\nMAX_REQUEST_TIMEOUT=12\n",
    );
    const env = loadEnvironment(dir, { REMOTE_INSTALL_KEY: "from-env", PATH: "/bin" });
    const config = readConfig(env);
    expect(config).toMatchObject({
      installMethod: "remote",
      remoteInstallKey: "from-env",
      remoteInstallHost: "debug.example.com",
      remoteInstallPort: 5003,
      maxRequestTimeout: 12,
    });
  });

  it("works without a .env file and uses the SDK's defaults", () => {
    const config = readConfig(loadEnvironment(mkdtempSync(join(tmpdir(), "dify-env-")), {}));
    expect(config).toEqual({
      installMethod: "local",
      maxRequestTimeout: 300,
      maxInvocationTimeout: 250,
      heartbeatInterval: 10,
      remoteInstallHost: "localhost",
      remoteInstallPort: 5003,
      remoteInstallKey: undefined,
      serverlessHost: "0.0.0.0",
      serverlessPort: 8080,
      difyPluginDaemonUrl: "http://localhost:5002",
      shutdownTimeout: 30,
    });
  });

  it("accepts REMOTE_INSTALL_URL with a scheme", () => {
    expect(readConfig({ REMOTE_INSTALL_URL: "tcp://10.0.0.2:5004" })).toMatchObject({
      remoteInstallHost: "10.0.0.2",
      remoteInstallPort: 5004,
    });
  });

  it("names the variable and the fix for bad values", () => {
    expect(() => readConfig({ INSTALL_METHOD: "cloud" })).toThrow(
      'INSTALL_METHOD must be local, remote or serverless; got "cloud"',
    );
    expect(() => readConfig({ MAX_REQUEST_TIMEOUT: "soon" })).toThrow(
      'MAX_REQUEST_TIMEOUT must be a positive number; got "soon"',
    );
    expect(() => readConfig({ SERVERLESS_PORT: "70000" })).toThrow(
      'SERVERLESS_PORT must be a port number (0-65535); got "70000"',
    );
    expect(() => readConfig({ REMOTE_INSTALL_URL: "no-port" })).toThrow('REMOTE_INSTALL_URL must be "host:port"');
  });
});

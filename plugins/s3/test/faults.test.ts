/**
 * Faults and bad input over stdio against versitygw: a server that dies during a
 * multipart upload, connections refused and reset, rejected session tokens,
 * parameters that would split a header, and relative file links that try to
 * leave DIFY_ENDPOINT's host.
 */
import { createServer as createTcpServer, type Server } from "node:net";
import { describe, expect, it } from "vitest";
import { eventually, reassemble, type ReceivedEvent } from "@dify-ts/host";
import { getObject, multipartUploads, patterned } from "./support/admin.js";
import { useS3Environment, skipReason } from "./support/environment.js";
import { difyFile, startFileServer } from "./support/file-server.js";
import { startRecordingProxy } from "./support/recording-proxy.js";

const reason = skipReason();
const MiB = 1024 * 1024;
const logMessage = (event: ReceivedEvent) =>
  event.event === "log" ? String((event.data as { message?: unknown }).message) : "";

describe.skipIf(reason)(`faults and bad input against versitygw${reason ? ` (skipped: ${reason})` : ""}`, () => {
  const env = useS3Environment();

  /** Starts s3_upload_file of a 40 MiB file whose server sends 20 MiB and then holds the connection; resolves once S3 holds part 1. */
  const uploadThatHangsInPart2 = async (key: string) => {
    const url = env.files.add({ bytes: patterned(40 * MiB, 17) }, "application/octet-stream", "stalled");
    const answer = env.invoke("s3_upload_file", {
      file: difyFile(url, { filename: "crash.bin", type: "custom" }),
      s3_key: key,
    });
    await eventually(
      () => multipartUploads(env.admin),
      (uploads) => uploads.some((upload) => upload.key === key && upload.parts >= 1),
    );
    // Part 2's request is being received (its body stalls with the file): a crash now resets a live request.
    await eventually(
      () => env.s3.uploadsInFlight(),
      (count) => count >= 1,
    );
    // Wrapped: an async function returning the promise itself would wait for the answer.
    return { answer };
  };

  it("names a reset when the server dies mid-upload, and aborts the upload once the server is back", async () => {
    const { answer } = await uploadThatHangsInPart2("crash/back.bin");
    await env.s3.crash();
    // The first abort attempt meets a dead server; the server comes back while the plugin retries.
    await env.plugin.waitFor((event) => logMessage(event).includes("abort of multipart upload"));
    await env.s3.restart();
    const result = await answer;
    expect(result.error?.error_type).toBe("S3Error");
    expect(result.error?.message).toMatch(
      /^the connection to http:\/\/127\.0\.0\.1:\d+ was reset in the middle of the request \((ECONNRESET|EPIPE)\)/,
    );
    expect(result.error?.message).not.toContain("could not be aborted");
    expect((await multipartUploads(env.admin)).filter((upload) => upload.key === "crash/back.bin")).toEqual([]);
    expect(
      env.plugin.events
        .map(logMessage)
        .some((message) =>
          /aborted multipart upload \S+ of s3:\/\/dify-test\/crash\/back\.bin at attempt \d+/.test(message),
        ),
    ).toBe(true);
  });

  it("logs bucket, key and upload id for an operator when the server stays down past the abort deadline", async () => {
    const { answer } = await uploadThatHangsInPart2("crash/gone.bin");
    const [upload] = (await multipartUploads(env.admin)).filter((pending) => pending.key === "crash/gone.bin");
    await env.s3.crash();
    const result = await answer;
    await env.s3.restart();
    expect(result.error?.message).toContain(`The incomplete upload (id ${upload!.uploadId}) could not be aborted`);
    const line = env.plugin.events
      .map(logMessage)
      .find((message) => message.startsWith("could not abort multipart upload"));
    expect(line).toContain(
      `could not abort multipart upload ${upload!.uploadId} of key "crash/gone.bin" in bucket "dify-test" within 20 s`,
    );
    expect(line).toContain(
      `aws s3api abort-multipart-upload --bucket dify-test --key 'crash/gone.bin' --upload-id ${upload!.uploadId}`,
    );
    expect(line).toMatch(
      /Last error: could not reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): the connection was refused/,
    );
    expect((await multipartUploads(env.admin)).map((left) => left.uploadId)).toContain(upload!.uploadId);
  });

  it("retries the abort of a buffered multipart upload (a file of unknown length) the same way", async () => {
    const key = "crash/chunked.bin";
    const url = env.files.add({ bytes: patterned(40 * MiB, 19) }, "application/octet-stream", "stalled-chunked");
    const answer = env.invoke("s3_upload_file", {
      file: difyFile(url, { filename: "crash.bin", type: "custom" }),
      s3_key: key,
    });
    await eventually(
      () => multipartUploads(env.admin),
      (uploads) => uploads.some((upload) => upload.key === key && upload.parts >= 1),
    );
    await env.s3.crash();
    // The file download breaks off while the server is down: the first abort attempts meet a dead server.
    env.files.cutStalled();
    await env.plugin.waitFor(
      (event) => logMessage(event).includes("abort of multipart upload") && logMessage(event).includes(key),
    );
    await env.s3.restart();
    const result = await answer;
    expect(result.error?.error_type).toBe("FileDownloadError");
    expect(result.error?.message).toMatch(/^the file download broke off after \d+ bytes/);
    expect(result.error?.message).not.toContain("could not be aborted");
    expect((await multipartUploads(env.admin)).filter((upload) => upload.key === key)).toEqual([]);
  });

  it("tells a refused connection from a reset one", async () => {
    // Accepts every connection and closes it at once, before any answer.
    const resetting: Server = createTcpServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => resetting.listen(0, "127.0.0.1", resolve));
    const port = (resetting.address() as { port: number }).port;
    try {
      const reset = await env.invoke(
        "s3_head_object",
        { s3_key: "a.txt" },
        { S3_ENDPOINT: `http://127.0.0.1:${port}` },
      );
      expect(reset.error?.message).toMatch(
        new RegExp(
          `^the connection to http://127.0.0.1:${port} was reset in the middle of the request \\(ECONNRESET\\)`,
        ),
      );
    } finally {
      await new Promise((resolve) => resetting.close(resolve));
    }
    const refused = await env.invoke(
      "s3_head_object",
      { s3_key: "a.txt" },
      { S3_ENDPOINT: `http://127.0.0.1:${port}` },
    );
    expect(refused.error?.message).toMatch(
      new RegExp(`^could not reach http://127.0.0.1:${port} \\(ECONNREFUSED\\): the connection was refused`),
    );
  });

  it("names S3_SESSION_TOKEN (aws_session_token) when the server rejects the session token", async () => {
    const bogus = { S3_SESSION_TOKEN: "bogus-session-token-value" };
    const validation = await env.validate(bogus);
    expect(validation.error?.message).toMatch(
      /^the session token was rejected \(InvalidToken\): S3_SESSION_TOKEN \(the temporary credentials' aws_session_token\)/,
    );
    const listed = await env.invoke("s3_list_objects", {}, bogus);
    expect(listed.error?.message).toMatch(/^the session token was rejected \(InvalidToken\): S3_SESSION_TOKEN/);
    // HEAD answers carry no error code: a bare 400 with a session token set points at the token.
    const head = await env.invoke("s3_head_object", { s3_key: "a.txt" }, bogus);
    expect(head.error?.message).toMatch(/^the session token is the likely cause of a bare HTTP 400: S3_SESSION_TOKEN/);
    expect(JSON.stringify(env.plugin.events) + env.plugin.stderr).not.toContain("bogus-session-token-value");
  });

  it("signs each call with the credentials it brings: a rotated session token is used on the next call", async () => {
    // A recording proxy in front of versitygw: it sees the X-Amz-Security-Token header each request carries.
    const proxy = await startRecordingProxy(env.s3.endpoint);
    try {
      const tokens = () => proxy.requests.splice(0).map((request) => request.headers["x-amz-security-token"] ?? null);
      await env.invoke("s3_list_objects", {}, { S3_ENDPOINT: proxy.endpoint, S3_SESSION_TOKEN: "session-token-one" });
      expect(new Set(tokens())).toEqual(new Set(["session-token-one"]));
      await env.invoke("s3_list_objects", {}, { S3_ENDPOINT: proxy.endpoint, S3_SESSION_TOKEN: "session-token-two" });
      expect(new Set(tokens())).toEqual(new Set(["session-token-two"]));
      const permanent = await env.invoke("s3_list_objects", {}, { S3_ENDPOINT: proxy.endpoint });
      expect(permanent.error).toBeUndefined();
      expect(tokens()).toEqual([null]);
    } finally {
      await proxy.close();
    }
  });

  it("puts X-Amz-Security-Token into presigned URLs made with temporary credentials", async () => {
    const result = await env.invoke("s3_presign_url", { s3_key: "a.txt" }, { S3_SESSION_TOKEN: "token/with+chars" });
    const url = new URL((reassemble(result.stream).jsons[0] as { url: string }).url);
    expect(url.searchParams.get("X-Amz-Security-Token")).toBe("token/with+chars");
    const permanent = await env.invoke("s3_presign_url", { s3_key: "a.txt" });
    expect((reassemble(permanent.stream).jsons[0] as { url: string }).url).not.toContain("X-Amz-Security-Token");
  });

  it("refuses keys, data: URL types and presign content types that cannot be sent as given, naming the parameter", async () => {
    const surrogate = await env.invoke("s3_upload_base64", { file_base64: "aGk=", s3_key: "emoji-\ud83d.txt" });
    expect(surrogate.error).toMatchObject({ error_type: "ToolParameterValidationError" });
    expect(surrogate.error?.message).toMatch(/^parameter "s3_key" contains a lone UTF-16 surrogate/);
    const byName = await env.invoke("s3_head_object", { filename: "\udc00x" });
    expect(byName.error?.message).toMatch(/^parameter "filename" contains a lone UTF-16 surrogate/);
    const dataUrl = await env.invoke("s3_upload_base64", {
      file_base64: "data:text/plain\r\nX-Injected: 1;base64,aGk=",
      s3_key: "crlf.txt",
    });
    expect(dataUrl.error).toMatchObject({ error_type: "ToolParameterValidationError" });
    expect(dataUrl.error?.message).toMatch(
      /^parameter "file_base64" is a data: URL whose MIME type contains a line break \(CR or LF\)/,
    );
    await expect(getObject(env.admin, "crlf.txt")).rejects.toThrow();
    for (const contentType of ["text/plain\r\nX-Injected: 1", "text/plain\nx", "text/plain\r"]) {
      const presign = await env.invoke("s3_presign_url", { s3_key: "p.txt", method: "PUT", content_type: contentType });
      expect(presign.error).toMatchObject({ error_type: "ToolParameterValidationError" });
      expect(presign.error?.message).toMatch(/^parameter "content_type" must be printable ASCII on one line/);
    }
  });

  it("keeps relative file links on DIFY_ENDPOINT's host, reading them as the WHATWG URL parser does", async () => {
    const elsewhere = await startFileServer();
    try {
      const path = elsewhere.add({ bytes: Buffer.from("from another host") });
      const host = new URL(elsewhere.origin).host;
      for (const escape of [
        `\\\\${host}${path}`,
        `\\/${host}${path}`,
        ` //${host}${path}`,
        `/\\${host}${path}`,
        `/\t/${host}${path}`,
      ]) {
        const result = await env.invoke("s3_upload_file", {
          file: difyFile(escape, { filename: "crash.bin", type: "custom" }),
          s3_key: "escape.bin",
        });
        expect(result.error?.error_type).toBe("FileDownloadError");
        expect(result.error?.message).toContain(
          `leads to another host (${host}) than the Dify base URL ${env.files.origin}`,
        );
      }
      expect(elsewhere.served).toBe(0);
      await expect(getObject(env.admin, "escape.bin")).rejects.toThrow();
    } finally {
      await elsewhere.close();
    }
  });
});

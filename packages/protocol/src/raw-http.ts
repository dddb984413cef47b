/**
 * The HTTP request an endpoint receives, as the daemon sends it in `invoke_endpoint`: the bytes Go's
 * `http.Request.Write` produces (request line, headers, blank line, body with its Content-Length; never chunked,
 * the daemon reads the body whole first), hex-encoded in `raw_http_request`. The plugin answers with stream
 * messages: the first carries `status` and `headers`, every message after it carries `result`, hex of the next
 * body bytes (the daemon reads `result` of every later message without checking it is there).
 */

export interface RawHttpRequest {
  method: string;
  /** The request target as sent: path and query, e.g. `/webhook/github?delivery=1`. */
  target: string;
  /** Header lines in order; names as sent. */
  headers: [name: string, value: string][];
  body: Uint8Array;
}

/** One stream message of an endpoint's answer (the daemon's EndpointResponseChunk). */
export interface EndpointResponseChunk {
  status?: number;
  headers?: Record<string, string>;
  /** Hex of body bytes. */
  result?: string;
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** The bytes of `raw_http_request`; throws naming the field when it is not hex. */
export function unhexRawRequest(hex: string): Uint8Array {
  if (!HEX.test(hex))
    throw new Error(
      "raw_http_request must be the hex encoding of the raw HTTP request bytes (an even number of 0-9a-f)",
    );
  return Buffer.from(hex, "hex");
}

/** Parses HTTP/1.x request bytes; throws with what is wrong (as the SDK's deserialize_request refuses it). */
export function parseRawHttpRequest(bytes: Uint8Array): RawHttpRequest {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length === 0) throw new Error("Empty HTTP request");
  let separator = data.indexOf("\r\n\r\n");
  let lineBreak = "\r\n";
  if (separator < 0) {
    separator = data.indexOf("\n\n");
    lineBreak = "\n";
  }
  const head = (separator < 0 ? data : data.subarray(0, separator)).toString("latin1");
  const body = separator < 0 ? new Uint8Array() : data.subarray(separator + lineBreak.length * 2);
  const [requestLine = "", ...headerLines] = head.split(lineBreak);
  const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) (HTTP\/1\.[01])$/.exec(requestLine);
  if (!match) throw new Error(`Invalid HTTP request line ${JSON.stringify(requestLine.slice(0, 100))}`);
  const headers: [string, string][] = [];
  let contentLength: number | undefined;
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`Invalid HTTP header line ${JSON.stringify(line.slice(0, 100))}`);
    const name = line.slice(0, colon);
    const value = Buffer.from(line.slice(colon + 1).trim(), "latin1").toString("utf8");
    if (name.toLowerCase() === "content-length") contentLength = Number(value);
    if (name.toLowerCase() === "transfer-encoding") continue;
    headers.push([name, value]);
  }
  if (contentLength !== undefined && contentLength !== body.length)
    throw new Error(`HTTP body does not match Content-Length (${contentLength} declared, ${body.length} received)`);
  return { method: match[1]!, target: match[2]!, headers, body };
}

/** The request as the daemon writes it (Go's `http.Request.Write`), hex-encoded: for the daemon's side and tests. */
export function rawHttpRequestHex(request: {
  method: string;
  target: string;
  host?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}): string {
  const body = typeof request.body === "string" ? Buffer.from(request.body) : Buffer.from(request.body ?? []);
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `Host: ${request.host ?? "localhost"}`];
  if (body.length > 0 || !["GET", "HEAD"].includes(request.method)) lines.push(`Content-Length: ${body.length}`);
  for (const [name, value] of Object.entries(request.headers ?? {})) lines.push(`${name}: ${value}`);
  return Buffer.concat([Buffer.from(lines.join("\r\n") + "\r\n\r\n"), body]).toString("hex");
}

/** Reassembles an endpoint's answer from the `data` of its stream messages, as the daemon does. */
export function endpointResponseOf(stream: readonly EndpointResponseChunk[]): {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
} {
  let status = 100;
  const headers: Record<string, string> = {};
  const body: Buffer[] = [];
  for (const chunk of stream) {
    if (chunk.status !== undefined) status = chunk.status;
    if (chunk.headers) Object.assign(headers, chunk.headers);
    if (chunk.result !== undefined) body.push(Buffer.from(chunk.result, "hex"));
  }
  return { status, headers, body: Buffer.concat(body) };
}

/**
 * The daemon forwards the HTTP request an OAuth provider's callback sent to Dify as the raw request bytes,
 * hex-encoded (as for endpoints): this makes it a web Request, with the protocol's codec.
 */
import { parseRawHttpRequest, unhexRawRequest } from "@dify-ts/protocol";
import { PluginError } from "./errors.js";

/** A web Request from a hex-encoded raw HTTP/1.1 request; `field` names the request field in errors. */
export function decodeRawHttpRequest(hex: string, field: string): Request {
  try {
    const raw = parseRawHttpRequest(unhexRawRequest(hex));
    const headers = new Headers(raw.headers);
    const url = /^https?:\/\//.test(raw.target)
      ? raw.target
      : `http://${headers.get("host") ?? "localhost"}${raw.target}`;
    const hasBody = raw.method !== "GET" && raw.method !== "HEAD" && raw.body.byteLength > 0;
    return new Request(url, { method: raw.method, headers, ...(hasBody ? { body: raw.body } : {}) });
  } catch (error) {
    throw new PluginError("ValueError", `${field} is not a hex-encoded HTTP request: ${(error as Error).message}`);
  }
}

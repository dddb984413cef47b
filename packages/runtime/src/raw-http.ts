/**
 * The daemon forwards HTTP requests it received for a plugin (an OAuth provider's callback; endpoint calls) as the
 * raw request bytes, hex-encoded, as the SDK's `deserialize_request` reads them. This turns them into a web Request.
 */
import { PluginError } from "./errors.js";

const HEAD_END = Buffer.from("\r\n\r\n");

/** A web Request from a hex-encoded raw HTTP/1.1 request; `field` names the request field in errors. */
export function decodeRawHttpRequest(hex: string, field: string): Request {
  const invalid = (what: string) =>
    new PluginError("ValueError", `${field} is not a hex-encoded HTTP request: ${what}`);
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw invalid("expected an even number of hex digits");
  const bytes = Buffer.from(hex, "hex");
  const headEnd = bytes.indexOf(HEAD_END);
  if (headEnd < 0) throw invalid("no blank line after the headers");
  const [requestLine = "", ...headerLines] = bytes.subarray(0, headEnd).toString("latin1").split("\r\n");
  const [method, target] = requestLine.split(" ");
  if (!method || !target || !/^[A-Z]+$/.test(method)) throw invalid(`bad request line ${JSON.stringify(requestLine)}`);
  const headers = new Headers();
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw invalid(`bad header line ${JSON.stringify(line.slice(0, 40))}`);
    try {
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    } catch {
      throw invalid(`bad header line ${JSON.stringify(line.slice(0, 40))}`);
    }
  }
  const url = /^https?:\/\//.test(target) ? target : `http://${headers.get("host") ?? "localhost"}${target}`;
  const body = bytes.subarray(headEnd + HEAD_END.length);
  const hasBody = method !== "GET" && method !== "HEAD" && body.byteLength > 0;
  try {
    return new Request(url, { method, headers, ...(hasBody ? { body } : {}) });
  } catch (error) {
    throw invalid(`${(error as Error).message} (target ${JSON.stringify(target.slice(0, 80))})`);
  }
}

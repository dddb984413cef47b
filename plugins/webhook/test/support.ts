/** Requests to the webhook plugin as the daemon sends them: an HTTP request hex-encoded in invoke_endpoint. */
import { fileURLToPath } from "node:url";
import {
  endpointResponseOf,
  invokeEndpointRequest,
  rawHttpRequestHex,
  type EndpointResponseChunk,
  type JsonObject,
} from "@dify-ts/protocol";
import { sign, SIGNATURE_HEADER } from "../src/signature.js";

export const pluginRoot = fileURLToPath(new URL("..", import.meta.url));
export const pluginEntry = fileURLToPath(new URL("../src/main.ts", import.meta.url));
export const secret = "whsec-test-5f1c9a7e2b";
export const settings = { signing_secret: secret };

export function endpointRequest(request: {
  method: string;
  target: string;
  headers?: Record<string, string>;
  body?: string;
}): JsonObject {
  return invokeEndpointRequest({
    settings,
    raw_http_request: rawHttpRequestHex({ ...request, host: "dify.example.com" }),
  });
}

/** A delivery signed with `signingSecret` (the endpoint's secret unless a test passes another). */
export function delivery(payload: unknown, signingSecret = secret): JsonObject {
  const body = JSON.stringify(payload);
  return endpointRequest({
    method: "POST",
    target: "/webhook",
    headers: {
      "Content-Type": "application/json",
      "X-GitHub-Event": "push",
      "X-GitHub-Delivery": "d-1",
      [SIGNATURE_HEADER]: sign(signingSecret, Buffer.from(body)),
    },
    body,
  });
}

export function responseOf(stream: JsonObject[]) {
  const response = endpointResponseOf(stream as EndpointResponseChunk[]);
  return { ...response, text: response.body.toString("utf8") };
}

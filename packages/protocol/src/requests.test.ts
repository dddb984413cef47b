import { describe, expect, it } from "vitest";
import {
  backwardsResponseMessage,
  invokeEndpointRequest,
  invokeToolRequest,
  requestLine,
  toolRuntimeParametersRequest,
  validateToolCredentialsRequest,
} from "./builders.js";
import { rawHttpRequestHex, unhexRawRequest } from "./raw-http.js";
import { decodeLine, sessionIdAtLineStart } from "./requests.js";

describe("decodeLine", () => {
  it("decodes each request kind the builders write, with the daemon's envelope", () => {
    const line = requestLine(
      "s-1",
      invokeToolRequest({ provider: "p", tool: "t", credentials: { k: "v" }, tool_parameters: { a: 1 } }),
      { app_id: "app" },
    );
    expect(Object.keys(JSON.parse(line) as object)).toEqual([
      "session_id",
      "conversation_id",
      "message_id",
      "app_id",
      "endpoint_id",
      "context",
      "event",
      "data",
    ]);
    expect(decodeLine(line)).toEqual({
      kind: "request",
      envelope: {
        session_id: "s-1",
        conversation_id: null,
        message_id: null,
        app_id: "app",
        endpoint_id: null,
        context: null,
      },
      request: {
        type: "tool",
        action: "invoke_tool",
        provider: "p",
        tool: "t",
        credentials: { k: "v" },
        tool_parameters: { a: 1 },
        user_id: "user",
        credential_type: "api-key",
      },
    });
    const validate = decodeLine(
      requestLine("s-2", validateToolCredentialsRequest({ provider: "p", credentials: { k: "v" } })),
    );
    expect(validate.kind === "request" && validate.request.action).toBe("validate_tool_credentials");
    const runtime = decodeLine(requestLine("s-3", toolRuntimeParametersRequest({ provider: "p", tool: "t" })));
    expect(runtime.kind === "request" && runtime.request).toMatchObject({
      action: "get_tool_runtime_parameters",
      tool: "t",
      credentials: {},
    });
  });

  it("gives absent or null tool_parameters and credentials their empty defaults", () => {
    const decoded = decodeLine(
      JSON.stringify({
        session_id: "s",
        event: "request",
        data: { type: "tool", action: "invoke_tool", tool: "t", tool_parameters: null, credentials: "x" },
      }),
    );
    expect(decoded.kind === "request" && decoded.request).toMatchObject({
      tool_parameters: {},
      credentials: {},
      provider: undefined,
      user_id: null,
    });
  });

  it("names what is wrong, and the session when the line still names one", () => {
    expect(decodeLine("not json")).toMatchObject({
      kind: "problem",
      problem: { error_type: "InvalidRequestError", message: expect.stringContaining("not JSON") },
    });
    expect(decodeLine('{"session_id":"cut","event":"request","data":{')).toMatchObject({
      problem: { session_id: "cut" },
    });
    expect(decodeLine("[]")).toMatchObject({ problem: { message: "malformed line: expected a JSON object" } });
    expect(decodeLine('{"session_id":"","event":"request","data":{}}')).toMatchObject({
      problem: { message: "malformed line: session_id must be a non-empty string" },
    });
    expect(decodeLine('{"session_id":"s","event":"ping","data":{}}')).toMatchObject({
      problem: { session_id: "s", message: expect.stringContaining('unknown event "ping"') },
    });
    expect(decodeLine('{"session_id":"s","event":"request","data":[]}')).toMatchObject({
      problem: { session_id: "s", message: "malformed line: data must be a JSON object" },
    });
    expect(
      decodeLine(
        '{"session_id":"s","event":"request","data":{"type":"tool","action":"invoke_tool","tool":"t","tool_parameters":[1]}}',
      ),
    ).toMatchObject({
      problem: { session_id: "s", error_type: "ToolParameterValidationError" },
    });
  });

  it("keeps request kinds it does not decode apart, for the plugin to refuse", () => {
    expect(
      decodeLine('{"session_id":"s","event":"request","data":{"type":"model","action":"invoke_llm"}}'),
    ).toMatchObject({ kind: "unsupported", type: "model", action: "invoke_llm" });
  });

  it("decodes invoke_endpoint, naming the field when settings or raw_http_request are not what the SDK expects", () => {
    const raw = rawHttpRequestHex({ method: "GET", target: "/x" });
    expect(
      decodeLine(requestLine("e", invokeEndpointRequest({ settings: { k: "v" }, raw_http_request: raw }))),
    ).toMatchObject({
      kind: "request",
      request: { type: "endpoint", action: "invoke_endpoint", settings: { k: "v" }, raw_http_request: raw },
    });
    const line = (data: object) => JSON.stringify({ session_id: "e", event: "request", data });
    expect(decodeLine(line({ type: "endpoint", action: "invoke_endpoint", raw_http_request: raw }))).toMatchObject({
      request: { settings: {} },
    });
    expect(
      decodeLine(line({ type: "endpoint", action: "invoke_endpoint", settings: [], raw_http_request: raw })),
    ).toMatchObject({
      problem: { session_id: "e", message: expect.stringContaining("settings must be a JSON object") },
    });
    expect(decodeLine(line({ type: "endpoint", action: "invoke_endpoint", raw_http_request: 1 }))).toMatchObject({
      problem: { session_id: "e", message: expect.stringContaining("raw_http_request must be a string") },
    });
    expect(decodeLine(line({ type: "endpoint", action: "other" }))).toMatchObject({
      kind: "unsupported",
      type: "endpoint",
    });
    expect(() => unhexRawRequest("abc")).toThrow(/raw_http_request must be the hex encoding/);
  });

  it("decodes backwards responses", () => {
    const line = JSON.stringify(backwardsResponseMessage("s", "b-1", "end"));
    expect(decodeLine(line)).toEqual({
      kind: "backwards_response",
      session_id: "s",
      response: { backwards_request_id: "b-1", event: "end", message: "", data: null },
    });
  });
});

describe("sessionIdAtLineStart", () => {
  it("reads the session id only as the line's first key", () => {
    expect(sessionIdAtLineStart('{"session_id":"first","event":"request"')).toBe("first");
    expect(sessionIdAtLineStart('{ "session_id" : "spaced"')).toBe("spaced");
    expect(sessionIdAtLineStart('{"event":"request","data":{"session_id":"nested"}')).toBeUndefined();
    expect(sessionIdAtLineStart('{"session_id":"esc\\"aped"')).toBeUndefined();
  });
});

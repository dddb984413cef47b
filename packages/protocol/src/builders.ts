/**
 * The one place each line of the protocol is written, for both sides: the
 * daemon's (request and backwards_response lines, used by the host side, the
 * CLI's invoke, tests, conformance and benchmarks) and the plugin's (events).
 */
import type { JsonObject } from "./json.js";
import type { BackwardsResponse, DaemonRequest, RequestEnvelope } from "./requests.js";
import type { PluginEvent, SessionMessage } from "./wire.js";

/** A request's data as the daemon sends it: a decoded request, or any object (hostile input in tests). */
export type RequestData = DaemonRequest | JsonObject;

/**
 * A request line as the daemon writes it, with its pluginInStreamMessage's
 * field order: `session_id` first (the plugin reads it there from a line too
 * large to parse), then the envelope, `event` and `data`.
 */
export function requestLine(
  sessionId: string,
  data: RequestData,
  envelope: Partial<Omit<RequestEnvelope, "session_id">> = {},
): string {
  return JSON.stringify(requestMessage(sessionId, data, envelope));
}

export function requestMessage(
  sessionId: string,
  data: RequestData,
  envelope: Partial<Omit<RequestEnvelope, "session_id">> = {},
): JsonObject {
  return {
    session_id: sessionId,
    conversation_id: envelope.conversation_id ?? null,
    message_id: envelope.message_id ?? null,
    app_id: envelope.app_id ?? null,
    endpoint_id: envelope.endpoint_id ?? null,
    context: envelope.context ?? null,
    event: "request",
    data: data as JsonObject,
  };
}

/** The `data` of an invoke_tool request. */
export function invokeToolRequest(fields: {
  provider: string;
  tool: string;
  credentials?: JsonObject;
  tool_parameters?: JsonObject;
  user_id?: string;
  credential_type?: string;
}): JsonObject {
  const { credentials = {}, tool_parameters = {}, user_id = "user", ...rest } = fields;
  return { type: "tool", action: "invoke_tool", ...rest, credentials, tool_parameters, user_id };
}

/** The `data` of a validate_tool_credentials request. */
export function validateToolCredentialsRequest(fields: {
  provider: string;
  credentials: JsonObject;
  user_id?: string;
}): JsonObject {
  return {
    type: "tool",
    action: "validate_tool_credentials",
    provider: fields.provider,
    credentials: fields.credentials,
    user_id: fields.user_id ?? "user",
  };
}

/** The `data` of a get_tool_runtime_parameters request. */
export function toolRuntimeParametersRequest(fields: {
  provider: string;
  tool: string;
  credentials?: JsonObject;
  user_id?: string;
}): JsonObject {
  return {
    type: "tool",
    action: "get_tool_runtime_parameters",
    provider: fields.provider,
    tool: fields.tool,
    credentials: fields.credentials ?? {},
    user_id: fields.user_id ?? "user",
  };
}

/** The `data` of a fetch_parameter_options request: the options of `parameter` of the tool `provider_action`. */
export function fetchParameterOptionsRequest(fields: {
  provider: string;
  provider_action: string;
  parameter: string;
  credentials?: JsonObject;
  credential_type?: string;
  user_id?: string;
}): JsonObject {
  const { credentials = {}, user_id = "user", ...rest } = fields;
  return { type: "dynamic_parameter", action: "fetch_parameter_options", ...rest, credentials, user_id };
}

/** The `data` of an OAuth request, with the daemon's field names. */
export function oauthRequest(
  action: "get_authorization_url" | "get_credentials" | "refresh_credentials",
  fields: {
    provider: string;
    redirect_uri: string;
    system_credentials?: JsonObject;
    /** get_credentials: the provider's callback request, hex-encoded (rawHttpRequestHex). */
    raw_http_request?: string;
    /** refresh_credentials: the credentials to refresh. */
    credentials?: JsonObject;
    user_id?: string;
  },
): JsonObject {
  const { system_credentials = {}, user_id = "user", ...rest } = fields;
  return { type: "oauth", action, ...rest, system_credentials, user_id };
}

/** The `data` of an invoke_endpoint request; `raw_http_request` from `rawHttpRequestHex`. */
export function invokeEndpointRequest(fields: { settings?: JsonObject; raw_http_request: string }): JsonObject {
  return {
    type: "endpoint",
    action: "invoke_endpoint",
    settings: fields.settings ?? {},
    raw_http_request: fields.raw_http_request,
  };
}

/** A `backwards_response` line's object as the daemon writes it. */
export function backwardsResponseMessage(
  sessionId: string,
  backwardsRequestId: string,
  event: BackwardsResponse["event"],
  data?: JsonObject,
  message = "",
): JsonObject {
  return {
    session_id: sessionId,
    event: "backwards_response",
    data: { backwards_request_id: backwardsRequestId, event, message, data: data ?? null },
  };
}

/** A session event the plugin writes. */
export function sessionEvent(sessionId: string, message: SessionMessage): PluginEvent {
  return { event: "session", session_id: sessionId, data: message };
}

export function heartbeatEvent(): PluginEvent {
  return { event: "heartbeat", session_id: null, data: {} };
}

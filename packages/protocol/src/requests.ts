/**
 * What the daemon writes to a plugin, typed, and the one place such a line is
 * decoded (as the Python SDK's request entities are). `decodeLine` checks the
 * envelope and the fields of every request kind it knows, once; what it cannot
 * serve comes back as a problem that names what is wrong and, when the line
 * still names one, the session to answer.
 */
import { isJsonObject, type JsonObject, type JsonValue } from "./json.js";

/** What the daemon sends with every request (its pluginInStreamMessage). */
export interface RequestEnvelope {
  session_id: string;
  conversation_id: string | null;
  message_id: string | null;
  app_id: string | null;
  endpoint_id: string | null;
  context: JsonObject | null;
}

/** How the credentials of a request were obtained (the SDK's CredentialType). */
export type CredentialType = "api-key" | "oauth2" | "unauthorized";
export const CREDENTIAL_KINDS: readonly CredentialType[] = ["api-key", "oauth2", "unauthorized"];

/** What every request addressed to a provider carries. */
interface ProviderRequestBase {
  /** The provider the daemon routes to; absent in some SDK test vectors. */
  provider: string | undefined;
  /** Raw credential values; the plugin checks them against its declaration. */
  credentials: JsonObject;
  user_id: string | null;
}

interface ToolRequestBase extends ProviderRequestBase {
  type: "tool";
}

/** `invoke_tool` (the SDK's ToolInvokeRequest). */
export interface InvokeToolRequest extends ToolRequestBase {
  action: "invoke_tool";
  tool: string;
  tool_parameters: JsonObject;
  /** "api-key" (the provider's credential form, the default) or "oauth2" (from the OAuth flow). */
  credential_type: CredentialType;
}

/** `validate_tool_credentials` (ToolValidateCredentialsRequest). */
export interface ValidateToolCredentialsRequest extends ToolRequestBase {
  action: "validate_tool_credentials";
}

/** `get_tool_runtime_parameters` (ToolGetRuntimeParametersRequest). */
export interface GetToolRuntimeParametersRequest extends ToolRequestBase {
  action: "get_tool_runtime_parameters";
  tool: string;
}

/** `fetch_parameter_options` (DynamicParameterFetchParameterOptionsRequest): the options of a dynamic-select parameter. */
export interface FetchParameterOptionsRequest extends ProviderRequestBase {
  type: "dynamic_parameter";
  action: "fetch_parameter_options";
  /** The tool whose parameter it is. */
  provider_action: string;
  parameter: string;
  credential_type: CredentialType;
}

interface OAuthRequestBase extends ProviderRequestBase {
  type: "oauth";
  redirect_uri: string;
  /** The OAuth client's settings (client_schema): client id and secret, set by an administrator. */
  system_credentials: JsonObject;
}

/** `get_authorization_url` (OAuthGetAuthorizationUrlRequest). */
export interface GetAuthorizationUrlRequest extends OAuthRequestBase {
  action: "get_authorization_url";
}

/** `get_credentials` (OAuthGetCredentialsRequest): the provider's callback, as a hex-encoded raw HTTP request. */
export interface GetOAuthCredentialsRequest extends OAuthRequestBase {
  action: "get_credentials";
  raw_http_request: string;
}

/** `refresh_credentials` (OAuthRefreshCredentialsRequest): `credentials` are the ones to refresh. */
export interface RefreshOAuthCredentialsRequest extends OAuthRequestBase {
  action: "refresh_credentials";
}

/** `invoke_endpoint` (the SDK's EndpointInvokeRequest): an HTTP request for one of the plugin's endpoint routes. */
export interface InvokeEndpointRequest {
  type: "endpoint";
  action: "invoke_endpoint";
  /** The endpoint's settings as the user saved them (decrypted by the daemon). */
  settings: JsonObject;
  /** Hex of the raw HTTP request bytes (raw-http.ts). */
  raw_http_request: string;
}

/** Every request kind this package decodes, discriminated by `action`. */
export type DaemonRequest =
  | InvokeToolRequest
  | ValidateToolCredentialsRequest
  | GetToolRuntimeParametersRequest
  | FetchParameterOptionsRequest
  | GetAuthorizationUrlRequest
  | GetOAuthCredentialsRequest
  | RefreshOAuthCredentialsRequest
  | InvokeEndpointRequest;
export type RequestAction = DaemonRequest["action"];
export type RequestType = DaemonRequest["type"];

/** The daemon's answer to a plugin's backwards invocation, one line of it. */
export interface BackwardsResponse {
  backwards_request_id: string;
  event: "response" | "error" | "end";
  message?: string;
  data?: JsonObject | null;
}

/** A line the plugin cannot serve: answered on `session_id` when there is one, else logged. */
export interface LineProblem {
  /** The SDK's error type to answer with. */
  error_type: string;
  message: string;
  session_id?: string;
}

export type DecodedLine =
  | { kind: "request"; envelope: RequestEnvelope; request: DaemonRequest }
  /** A well-formed request of a type or action this package does not decode (yet). */
  | { kind: "unsupported"; envelope: RequestEnvelope; type: unknown; action: unknown }
  | { kind: "backwards_response"; session_id: string; response: BackwardsResponse }
  | { kind: "problem"; problem: LineProblem };

/** The actions each request type decodes (the SDK's PluginInvokeType and its action enums). */
export const REQUEST_ACTIONS: { readonly [T in RequestType]: ReadonlySet<RequestAction> } = {
  tool: new Set(["invoke_tool", "validate_tool_credentials", "get_tool_runtime_parameters"]),
  dynamic_parameter: new Set(["fetch_parameter_options"]),
  oauth: new Set(["get_authorization_url", "get_credentials", "refresh_credentials"]),
  endpoint: new Set(["invoke_endpoint"]),
};

export function decodeLine(text: string): DecodedLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return invalid(`malformed line, not JSON: ${(error as Error).message}`, sessionIdInText(text));
  }
  if (!isJsonObject(parsed)) return invalid("malformed line: expected a JSON object");
  const sessionId = typeof parsed.session_id === "string" && parsed.session_id !== "" ? parsed.session_id : undefined;
  if (!sessionId) return invalid("malformed line: session_id must be a non-empty string");
  const { event, data } = parsed;
  if (event !== "request" && event !== "backwards_response") {
    return invalid(`unknown event ${JSON.stringify(event)}: expected "request" or "backwards_response"`, sessionId);
  }
  if (!isJsonObject(data)) return invalid("malformed line: data must be a JSON object", sessionId);
  if (event === "backwards_response")
    return { kind: "backwards_response", session_id: sessionId, response: data as unknown as BackwardsResponse };

  const envelope: RequestEnvelope = {
    session_id: sessionId,
    conversation_id: optionalText(parsed.conversation_id),
    message_id: optionalText(parsed.message_id),
    app_id: optionalText(parsed.app_id),
    endpoint_id: optionalText(parsed.endpoint_id),
    context: isJsonObject(parsed.context) ? parsed.context : null,
  };
  if (data.type === "endpoint" && data.action === "invoke_endpoint") return decodeInvokeEndpoint(envelope, data);
  const actions =
    typeof data.type === "string" && Object.hasOwn(REQUEST_ACTIONS, data.type)
      ? REQUEST_ACTIONS[data.type as RequestType]
      : undefined;
  if (!actions || typeof data.action !== "string" || !actions.has(data.action as RequestAction)) {
    return { kind: "unsupported", envelope, type: data.type, action: data.action };
  }
  try {
    return { kind: "request", envelope, request: decodeRequest(data) };
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    return invalid(error.message, sessionId, error.errorType);
  }
}

/** A field of a known request that cannot be served; its message names the field and what it must be. */
class FieldError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

/** The request in a data object whose type and action are known. */
function decodeRequest(data: JsonObject): DaemonRequest {
  const base: ProviderRequestBase = {
    // Anything present is compared by its text, as the SDK formats it in "Provider `…` not found".
    provider: data.provider === undefined ? undefined : String(data.provider),
    credentials: isJsonObject(data.credentials) ? data.credentials : {},
    user_id: optionalText(data.user_id),
  };
  // invoke_endpoint is decoded on its own (decodeInvokeEndpoint): its request carries no provider.
  const action = data.action as Exclude<RequestAction, "invoke_endpoint">;
  switch (action) {
    case "invoke_tool": {
      const parameters = data.tool_parameters ?? {};
      if (!isJsonObject(parameters))
        throw new FieldError(
          "ToolParameterValidationError",
          "tool_parameters must be a JSON object of parameter names to values",
        );
      const credential_type = credentialType(data.credential_type, "api-key");
      return { ...base, type: "tool", action, tool: String(data.tool), tool_parameters: parameters, credential_type };
    }
    case "get_tool_runtime_parameters":
      return { ...base, type: "tool", action, tool: String(data.tool) };
    case "validate_tool_credentials":
      return { ...base, type: "tool", action };
    case "fetch_parameter_options":
      return {
        ...base,
        type: "dynamic_parameter",
        action,
        provider_action: String(data.provider_action),
        parameter: String(data.parameter),
        credential_type: credentialType(data.credential_type, "unauthorized"),
      };
    case "get_authorization_url":
    case "get_credentials":
    case "refresh_credentials": {
      const oauth = {
        ...base,
        type: "oauth" as const,
        redirect_uri: String(data.redirect_uri ?? ""),
        system_credentials: isJsonObject(data.system_credentials) ? data.system_credentials : {},
      };
      if (action !== "get_credentials") return { ...oauth, action };
      return { ...oauth, action, raw_http_request: String(data.raw_http_request ?? "") };
    }
  }
}

/** Absent: the SDK's default for the request. Anything else must be one of the SDK's CredentialType values. */
function credentialType(value: JsonValue | undefined, fallback: CredentialType): CredentialType {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "string" && (CREDENTIAL_KINDS as readonly string[]).includes(value))
    return value as CredentialType;
  throw new FieldError(
    "ValidationError",
    `credential_type must be one of ${CREDENTIAL_KINDS.join(", ")}; got ${JSON.stringify(value)}`,
  );
}

function decodeInvokeEndpoint(envelope: RequestEnvelope, data: JsonObject): DecodedLine {
  const settings = data.settings ?? {};
  if (!isJsonObject(settings))
    return invalid("invoke_endpoint: settings must be a JSON object of setting names to values", envelope.session_id);
  if (typeof data.raw_http_request !== "string")
    return invalid(
      "invoke_endpoint: raw_http_request must be a string, the hex encoding of the raw HTTP request",
      envelope.session_id,
    );
  return {
    kind: "request",
    envelope,
    request: { type: "endpoint", action: "invoke_endpoint", settings, raw_http_request: data.raw_http_request },
  };
}

/**
 * The session id of a line known only by its first bytes (a request too large
 * to read). The daemon writes `session_id` as the first key; reading only
 * there means a key of the same name inside the request's data never counts.
 */
export function sessionIdAtLineStart(head: string): string | undefined {
  return /^\{\s*"session_id"\s*:\s*"([^"\\]{1,200})"/.exec(head)?.[1];
}

function invalid(message: string, sessionId?: string, errorType = "InvalidRequestError"): DecodedLine {
  return {
    kind: "problem",
    problem: { error_type: errorType, message, ...(sessionId ? { session_id: sessionId } : {}) },
  };
}

function optionalText(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** The session id in the raw text of a line that did not parse (a truncated request still names its session). */
function sessionIdInText(text: string): string | undefined {
  return /"session_id"\s*:\s*"([^"\\]{1,200})"/.exec(text)?.[1];
}

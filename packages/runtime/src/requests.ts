/**
 * The plugin side's table of request handlers (the SDK's Router and
 * PluginExecutor for tools; MCP's request handlers). A decoded request is
 * resolved once against the plugin before any plugin code runs: its tool
 * found, its parameters and credentials checked and typed, its secret values
 * named. The session then runs the resolved request.
 */
import {
  REQUEST_ACTIONS,
  type CredentialType,
  type DaemonRequest,
  type JsonObject,
  type RequestAction,
  type RequestType,
} from "@dify-ts/protocol";
import type { ToolContext } from "./context.js";
import type {
  CredentialField,
  CredentialFields,
  Credentials,
  Localized,
  OAuthCredentials,
  OAuthDefinition,
  ParameterOption,
  EndpointGroupDefinition,
  Parameters,
  PluginDefinition,
  Provider,
  ToolDefinition,
  ToolParameters,
} from "./definitions.js";
import { compileRoutes, invokeEndpoint } from "./endpoints.js";
import { CredentialValidationError, PluginError } from "./errors.js";
import { toWire, type ToolMessage } from "./messages.js";
import { decodeRawHttpRequest } from "./raw-http.js";
import { validateCredentials, validateParameters } from "./validation.js";

/** The context a plugin's handlers receive, its credentials checked against the provider's declaration. */
export type PluginContext = ToolContext<Credentials<CredentialFields>>;

/** Sends one stream message of the session; rejects once the session was aborted, so the handler stops there. */
export type EmitStream = (data: JsonObject) => Promise<void>;

/** A request ready to run: what it needs from the session's context, and the values to redact. */
export interface ResolvedRequest {
  /** Checked credentials, the handler's `context.credentials`. */
  credentials: Credentials<CredentialFields>;
  /** Which schema they were checked against: the provider's credentials, or its OAuth credentials ("oauth2"). */
  credentialType: CredentialType;
  /** Values of secret-input parameters, redacted like credentials. */
  secretParameters: readonly string[];
  /** Runs the request, emitting the `data` of each stream message in order. */
  run(context: PluginContext, emit: EmitStream): Promise<void>;
}

type Resolver<A extends RequestAction> = (
  plugin: PluginDefinition,
  request: Extract<DaemonRequest, { action: A }>,
) => ResolvedRequest;

const NO_CREDENTIALS = { credentials: {}, credentialType: "unauthorized", secretParameters: [] } as const;

const resolvers: { [A in RequestAction]: Resolver<A> } = {
  invoke_tool(plugin, request) {
    const tool = findTool(plugin, request.tool);
    const parameters = validateParameters(tool.parameters, request.tool_parameters);
    return {
      credentials: checkedCredentials(plugin, request.credentials, request.credential_type),
      credentialType: request.credential_type,
      secretParameters: secretParameters(tool, parameters),
      run: (context, emit) => invokeTool(tool, parameters, context, emit),
    };
  },
  validate_tool_credentials(plugin, request) {
    const provider = providerOf(plugin);
    const credentials = validateCredentials(provider.credentials, request.credentials);
    return {
      credentials,
      credentialType: "api-key",
      secretParameters: [],
      run: (context, emit) => validateToolCredentials(provider, context, emit),
    };
  },
  get_tool_runtime_parameters(plugin, request) {
    const tool = findTool(plugin, request.tool);
    const runtimeParameters = tool.runtimeParameters;
    if (!runtimeParameters)
      throw new PluginError("ValueError", `Tool \`${tool.identity.name}\` does not implement runtime parameters`);
    const credentials = validateCredentials(providerOf(plugin).credentials, request.credentials);
    return {
      credentials,
      credentialType: "api-key",
      secretParameters: [],
      run: (context, emit) => runtimeParametersOf(runtimeParameters, context, emit),
    };
  },
  fetch_parameter_options(plugin, request) {
    const tool = (plugin.tools ?? []).find((candidate) => candidate.identity.name === request.provider_action);
    if (!tool) throw new PluginError("ValueError", "Cannot find the target to fetch parameter options");
    const name = tool.identity.name;
    const fetchOptions = tool.fetchParameterOptions;
    // The SDK's order: a tool without a fetcher fails as not implemented, whatever the parameter.
    if (!fetchOptions)
      throw new PluginError(
        "NotImplementedError",
        `Tool \`${name}\` has no fetchParameterOptions: add fetchParameterOptions(parameter, context) to its ` +
          "definition to serve its dynamic-select parameters",
      );
    if (tool.parameters[request.parameter]?.type !== "dynamic-select")
      throw new PluginError("ValueError", `Tool \`${name}\` has no dynamic-select parameter \`${request.parameter}\``);
    return {
      credentials: checkedCredentials(plugin, request.credentials, request.credential_type),
      credentialType: request.credential_type,
      secretParameters: [],
      run: async (context, emit) => {
        const options = await fetchOptions.call(tool, request.parameter, context);
        await emit({ options: options.map(optionJson) });
      },
    };
  },
  get_authorization_url(plugin, request) {
    const oauth = oauthOf(plugin);
    const systemCredentials = validateCredentials(oauth.client, request.system_credentials);
    return {
      ...NO_CREDENTIALS,
      run: async (context, emit) => {
        const url = await oauth.getAuthorizationUrl({ redirectUri: request.redirect_uri, systemCredentials }, context);
        await emit({ authorization_url: url });
      },
    };
  },
  get_credentials(plugin, request) {
    const oauth = oauthOf(plugin);
    const systemCredentials = validateCredentials(oauth.client, request.system_credentials);
    const callback = decodeRawHttpRequest(request.raw_http_request, "raw_http_request");
    return {
      ...NO_CREDENTIALS,
      run: async (context, emit) => {
        const result = await oauth.getCredentials(
          { redirectUri: request.redirect_uri, systemCredentials, request: callback },
          context,
        );
        // The SDK's tool providers answer with empty metadata.
        await emit({ metadata: {}, ...oauthCredentialsJson(result, context) });
      },
    };
  },
  refresh_credentials(plugin, request) {
    const oauth = oauthOf(plugin);
    const refresh = oauth.refreshCredentials;
    if (!refresh)
      throw new PluginError(
        "NotImplementedError",
        `Provider \`${providerOf(plugin).identity.name}\` cannot refresh OAuth credentials: add oauth.refreshCredentials`,
      );
    const systemCredentials = validateCredentials(oauth.client, request.system_credentials);
    const credentials = validateCredentials(oauth.credentials, request.credentials);
    return {
      ...NO_CREDENTIALS,
      run: async (context, emit) => {
        const result = await refresh.call(
          oauth,
          { redirectUri: request.redirect_uri, systemCredentials, credentials },
          context,
        );
        await emit(oauthCredentialsJson(result, context));
      },
    };
  },
  invoke_endpoint(plugin, request) {
    const group = plugin.endpoints;
    if (!group) throw new PluginError("ValueError", "this plugin declares no endpoints");
    let settings: Credentials<CredentialFields>;
    try {
      settings = validateCredentials(group.settings, request.settings);
    } catch (error) {
      if (!(error instanceof CredentialValidationError)) throw error;
      throw new PluginError("EndpointSettingsValidationError", `endpoint settings: ${error.message}`);
    }
    return {
      // The handler's settings, in the context's credentials slot so the session's plumbing stays one path.
      credentials: settings,
      credentialType: "unauthorized",
      secretParameters: secretSettings(group, settings),
      run: (context, emit) => invokeEndpoint(routesOf(group), request.raw_http_request, settings, context, emit),
    };
  },
};

/**
 * Every secret value a request carries, known before any check runs (so a failed check cannot echo one):
 * credential values except those declared select, boolean or public text-input (undeclared ones count as secret),
 * checked against the schema the request names (OAuth client settings, OAuth or API-key credentials).
 */
export function requestSecrets(plugin: PluginDefinition, request: DaemonRequest): string[] {
  const apiKey = plugin.provider?.credentials ?? {};
  const oauth = plugin.provider?.oauth;
  switch (request.type) {
    case "endpoint":
      // Its settings' secrets are named by the endpoint group's resolver.
      return [];
    case "oauth":
      return [
        ...secretValues(oauth?.client ?? {}, request.system_credentials),
        ...secretValues(oauth?.credentials ?? {}, request.credentials),
      ];
    default:
      return secretValues(
        "credential_type" in request && request.credential_type === "oauth2" ? (oauth?.credentials ?? {}) : apiKey,
        request.credentials,
      );
  }
}

function secretValues(declared: CredentialFields, values: JsonObject): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === "string" && isSecret(declared[name])) secrets.push(value);
  }
  return secrets;
}

function isSecret(field: CredentialField | undefined): boolean {
  return !(field?.type === "select" || field?.type === "boolean" || (field?.type === "text-input" && field.public));
}

function checkedCredentials(
  plugin: PluginDefinition,
  credentials: JsonObject,
  type: CredentialType,
): Credentials<CredentialFields> {
  if (type !== "oauth2") return validateCredentials(providerOf(plugin).credentials, credentials);
  return validateCredentials(oauthOf(plugin).credentials, credentials);
}

function oauthOf(plugin: PluginDefinition): OAuthDefinition {
  const provider = providerOf(plugin);
  if (!provider.oauth)
    throw new PluginError("ValueError", `Provider \`${provider.identity.name}\` does not support OAuth`);
  return provider.oauth;
}

/** The answer's credentials and expiry; their values are secrets from now on (tokens must not reach a log). */
function oauthCredentialsJson(result: OAuthCredentials, context: PluginContext): JsonObject {
  const credentials: JsonObject = {};
  for (const [name, value] of Object.entries(result.credentials)) {
    if (value === undefined) continue;
    if (typeof value === "string") context.secrets.add(value);
    credentials[name] = value;
  }
  return { credentials, expires_at: result.expires_at ?? -1 };
}

function optionJson(option: ParameterOption): JsonObject {
  return { value: option.value, label: localizedJson(option.label), icon: option.icon ?? null };
}

/** Every language, the missing ones in English, as the SDK's I18nObject serialises. */
function localizedJson(text: Localized): JsonObject {
  return { en_US: text.en_US, zh_Hans: text.zh_Hans, ja_JP: text.ja_JP ?? text.en_US, pt_BR: text.pt_BR ?? text.en_US };
}

/** The SDK's message for a provider this plugin does not have, per request type. */
const UNKNOWN_PROVIDER: { [T in Exclude<RequestType, "endpoint">]: (provider: string) => string } = {
  tool: (provider) => `Provider \`${provider}\` not found`,
  dynamic_parameter: () => "Cannot find the target to fetch parameter options",
  oauth: (provider) => `Provider \`${provider}\` does not support OAuth`,
};

const compiledRoutes = new WeakMap<EndpointGroupDefinition, ReturnType<typeof compileRoutes>>();

function routesOf(group: EndpointGroupDefinition): ReturnType<typeof compileRoutes> {
  let routes = compiledRoutes.get(group);
  if (!routes) compiledRoutes.set(group, (routes = compileRoutes(group)));
  return routes;
}

/** Settings values to redact: every text setting except those marked public, as for credentials. */
function secretSettings(group: EndpointGroupDefinition, settings: Credentials<CredentialFields>): string[] {
  const secrets: string[] = [];
  for (const [name, field] of Object.entries(group.settings)) {
    const value = settings[name];
    const isPublic =
      field.type === "select" || field.type === "boolean" || (field.type === "text-input" && field.public);
    if (!isPublic && typeof value === "string" && value !== "") secrets.push(value);
  }
  return secrets;
}

function providerOf(plugin: PluginDefinition): Provider {
  if (!plugin.provider)
    throw new PluginError("ValueError", "this plugin has no tool provider; it serves endpoints only");
  return plugin.provider;
}

/** Throws the SDK's error for a request this plugin cannot serve. */
export function resolveRequest(plugin: PluginDefinition, request: DaemonRequest): ResolvedRequest {
  if (
    request.type !== "endpoint" &&
    request.provider !== undefined &&
    request.provider !== plugin.provider?.identity.name
  ) {
    throw new PluginError("ValueError", UNKNOWN_PROVIDER[request.type](request.provider));
  }
  return (resolvers[request.action] as Resolver<RequestAction>)(plugin, request);
}

/** The error for a request kind no handler serves. */
export function unsupportedRequest(type: unknown, action: unknown): PluginError {
  const types = Object.keys(REQUEST_ACTIONS);
  if (typeof type !== "string" || !Object.hasOwn(REQUEST_ACTIONS, type))
    return new PluginError(
      "UnsupportedRequestError",
      `request type ${JSON.stringify(type)} is not supported: this plugin serves ${types.join(", ")} requests`,
    );
  const actions = [...REQUEST_ACTIONS[type as RequestType]];
  return new PluginError(
    "UnsupportedRequestError",
    `${type} action ${JSON.stringify(action)} is not supported: expected ${actions.join(", ")}`,
  );
}

function findTool(plugin: PluginDefinition, name: string): ToolDefinition {
  const tool = plugin.tools?.find((candidate) => candidate.identity.name === name);
  if (!tool)
    throw new PluginError(
      "ValueError",
      `Tool \`${name}\` not found for provider \`${providerOf(plugin).identity.name}\``,
    );
  return tool;
}

function secretParameters(tool: ToolDefinition, parameters: Parameters<ToolParameters>): string[] {
  const secrets: string[] = [];
  for (const [name, parameter] of Object.entries(tool.parameters)) {
    const value = parameters[name];
    if (parameter.type === "secret-input" && typeof value === "string") secrets.push(value);
  }
  return secrets;
}

async function invokeTool(
  tool: ToolDefinition,
  parameters: Parameters<ToolParameters>,
  context: PluginContext,
  emit: EmitStream,
): Promise<void> {
  const result = tool.handler(parameters, context);
  if (isAsyncIterable(result)) {
    for await (const message of result) await emitMessage(message, emit);
  } else {
    for (const message of toList(await result)) await emitMessage(message, emit);
  }
}

async function emitMessage(message: ToolMessage, emit: EmitStream): Promise<void> {
  const wire = toWire(message);
  if (Symbol.iterator in wire) {
    for (const item of wire) await emit(item as unknown as JsonObject);
  } else {
    for await (const item of wire) await emit(item as unknown as JsonObject);
  }
}

async function validateToolCredentials(provider: Provider, context: PluginContext, emit: EmitStream): Promise<void> {
  await provider.validateCredentials?.(context.credentials, context);
  // The SDK answers a successful validation with this bare stream payload.
  await emit({ result: true });
}

async function runtimeParametersOf(
  runtimeParameters: NonNullable<ToolDefinition["runtimeParameters"]>,
  context: PluginContext,
  emit: EmitStream,
): Promise<void> {
  const parameters = await runtimeParameters(context);
  await emit({ parameters: parameters as unknown as JsonObject[] });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ToolMessage> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

function toList(result: ToolMessage[] | ToolMessage | void): ToolMessage[] {
  if (result === undefined) return [];
  return Array.isArray(result) ? result : [result];
}

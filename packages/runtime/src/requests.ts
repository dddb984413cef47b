/**
 * The plugin side's table of request handlers (the SDK's Router and
 * PluginExecutor for tools; MCP's request handlers). A decoded request is
 * resolved once against the plugin before any plugin code runs: its tool
 * found, its parameters and credentials checked and typed, its secret values
 * named. The session then runs the resolved request.
 */
import type { DaemonRequest, JsonObject, RequestAction } from "@dify-ts/protocol";
import type { ToolContext } from "./context.js";
import type {
  CredentialFields,
  Credentials,
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
import { validateCredentials, validateParameters } from "./validation.js";

/** The context a plugin's handlers receive, its credentials checked against the provider's declaration. */
export type PluginContext = ToolContext<Credentials<CredentialFields>>;

/** Sends one stream message of the session; rejects once the session was aborted, so the handler stops there. */
export type EmitStream = (data: JsonObject) => Promise<void>;

/** A request ready to run: what it needs from the session's context, and the values to redact. */
export interface ResolvedRequest {
  /** Checked credentials, the handler's `context.credentials`. */
  credentials: Credentials<CredentialFields>;
  /** Values of secret-input parameters, redacted like credentials. */
  secretParameters: string[];
  /** Runs the request, emitting the `data` of each stream message in order. */
  run(context: PluginContext, emit: EmitStream): Promise<void>;
}

type Resolver<A extends RequestAction> = (
  plugin: PluginDefinition,
  request: Extract<DaemonRequest, { action: A }>,
) => ResolvedRequest;

const resolvers: { [A in RequestAction]: Resolver<A> } = {
  invoke_tool(plugin, request) {
    const tool = findTool(plugin, request.tool);
    const parameters = validateParameters(tool.parameters, request.tool_parameters);
    const credentials = validateCredentials(providerOf(plugin).credentials, request.credentials);
    return {
      credentials,
      secretParameters: secretParameters(tool, parameters),
      run: (context, emit) => invokeTool(tool, parameters, context, emit),
    };
  },
  validate_tool_credentials(plugin, request) {
    const provider = providerOf(plugin);
    const credentials = validateCredentials(provider.credentials, request.credentials);
    return {
      credentials,
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
      secretParameters: [],
      run: (context, emit) => runtimeParametersOf(runtimeParameters, context, emit),
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
      secretParameters: secretSettings(group, settings),
      run: (context, emit) => invokeEndpoint(routesOf(group), request.raw_http_request, settings, context, emit),
    };
  },
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
    request.type === "tool" &&
    request.provider !== undefined &&
    request.provider !== providerOf(plugin).identity.name
  ) {
    throw new PluginError("ValueError", `Provider \`${request.provider}\` not found`);
  }
  return (resolvers[request.action] as Resolver<RequestAction>)(plugin, request);
}

/** The error for a request kind no handler serves. */
export function unsupportedRequest(type: unknown, action: unknown): PluginError {
  if (type !== "tool")
    return new PluginError(
      "UnsupportedRequestError",
      type === "endpoint"
        ? `endpoint action ${JSON.stringify(action)} is not supported: expected invoke_endpoint`
        : `request type ${JSON.stringify(type)} is not supported: this plugin serves tool and endpoint requests`,
    );
  const actions = Object.keys(resolvers).filter((name) => name !== "invoke_endpoint");
  return new PluginError(
    "UnsupportedRequestError",
    `tool action ${JSON.stringify(action)} is not supported: expected ${actions.slice(0, -1).join(", ")} or ${actions.at(-1)}`,
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

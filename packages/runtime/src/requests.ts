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
  Parameters,
  PluginDefinition,
  ToolDefinition,
  ToolParameters,
} from "./definitions.js";
import { PluginError } from "./errors.js";
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
    const credentials = validateCredentials(plugin.provider.credentials, request.credentials);
    return {
      credentials,
      secretParameters: secretParameters(tool, parameters),
      run: (context, emit) => invokeTool(tool, parameters, context, emit),
    };
  },
  validate_tool_credentials(plugin, request) {
    const credentials = validateCredentials(plugin.provider.credentials, request.credentials);
    return {
      credentials,
      secretParameters: [],
      run: (context, emit) => validateToolCredentials(plugin, context, emit),
    };
  },
  get_tool_runtime_parameters(plugin, request) {
    const tool = findTool(plugin, request.tool);
    const runtimeParameters = tool.runtimeParameters;
    if (!runtimeParameters)
      throw new PluginError("ValueError", `Tool \`${tool.identity.name}\` does not implement runtime parameters`);
    const credentials = validateCredentials(plugin.provider.credentials, request.credentials);
    return {
      credentials,
      secretParameters: [],
      run: (context, emit) => runtimeParametersOf(runtimeParameters, context, emit),
    };
  },
};

/** Throws the SDK's error for a request this plugin cannot serve. */
export function resolveRequest(plugin: PluginDefinition, request: DaemonRequest): ResolvedRequest {
  if (request.provider !== undefined && request.provider !== plugin.provider.identity.name) {
    throw new PluginError("ValueError", `Provider \`${request.provider}\` not found`);
  }
  return (resolvers[request.action] as Resolver<RequestAction>)(plugin, request);
}

/** The error for a request kind no handler serves. */
export function unsupportedRequest(type: unknown, action: unknown): PluginError {
  if (type !== "tool")
    return new PluginError(
      "UnsupportedRequestError",
      `request type ${JSON.stringify(type)} is not supported: this plugin serves tool requests`,
    );
  const actions = Object.keys(resolvers);
  return new PluginError(
    "UnsupportedRequestError",
    `tool action ${JSON.stringify(action)} is not supported: expected ${actions.slice(0, -1).join(", ")} or ${actions.at(-1)}`,
  );
}

function findTool(plugin: PluginDefinition, name: string): ToolDefinition {
  const tool = plugin.tools.find((candidate) => candidate.identity.name === name);
  if (!tool)
    throw new PluginError("ValueError", `Tool \`${name}\` not found for provider \`${plugin.provider.identity.name}\``);
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

async function validateToolCredentials(
  plugin: PluginDefinition,
  context: PluginContext,
  emit: EmitStream,
): Promise<void> {
  await plugin.provider.validateCredentials?.(context.credentials, context);
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

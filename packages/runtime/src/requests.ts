/**
 * Routes a daemon request to what serves it (the SDK's Router and
 * PluginExecutor for tools): invoke_tool, validate_tool_credentials,
 * get_tool_runtime_parameters. Parameters and credentials are validated
 * against the declarations before any plugin code runs.
 */
import type { ToolContext } from "./context.js";
import type { PluginDefinition, ToolDefinition } from "./definitions.js";
import { PluginError } from "./errors.js";
import { toWire, type ToolMessage } from "./messages.js";
import type { JsonObject } from "./protocol/wire.js";
import { validateCredentials, validateParameters } from "./validation.js";

/** Produces the `data` of each stream message of one session. */
export type RequestHandler = (context: ToolContext) => AsyncIterable<JsonObject>;

export function routeRequest(plugin: PluginDefinition, request: JsonObject): RequestHandler {
  const { type, action } = request;
  if (type !== "tool") throw new PluginError("UnsupportedRequestError", `request type ${JSON.stringify(type)} is not supported: this plugin serves tool requests`);
  if (request.provider !== undefined && request.provider !== plugin.provider.identity.name) {
    throw new PluginError("ValueError", `Provider \`${String(request.provider)}\` not found`);
  }
  switch (action) {
    case "invoke_tool":
      return (context) => invokeTool(plugin, request, context);
    case "validate_tool_credentials":
      return (context) => validateToolCredentials(plugin, context);
    case "get_tool_runtime_parameters":
      return (context) => runtimeParameters(plugin, request, context);
    default:
      throw new PluginError("UnsupportedRequestError", `tool action ${JSON.stringify(action)} is not supported: expected invoke_tool, validate_tool_credentials or get_tool_runtime_parameters`);
  }
}

function findTool(plugin: PluginDefinition, request: JsonObject): ToolDefinition {
  const tool = plugin.tools.find((candidate) => candidate.identity.name === request.tool);
  if (!tool) throw new PluginError("ValueError", `Tool \`${String(request.tool)}\` not found for provider \`${plugin.provider.identity.name}\``);
  return tool;
}

function withValidCredentials(plugin: PluginDefinition, context: ToolContext): ToolContext {
  return { ...context, credentials: validateCredentials(plugin.provider.credentials, context.credentials as Record<string, unknown>) };
}

async function* invokeTool(plugin: PluginDefinition, request: JsonObject, context: ToolContext): AsyncGenerator<JsonObject> {
  const tool = findTool(plugin, request);
  const received = request.tool_parameters ?? {};
  if (typeof received !== "object" || received === null || Array.isArray(received)) {
    throw new PluginError("ToolParameterValidationError", "tool_parameters must be a JSON object of parameter names to values");
  }
  const parameters = validateParameters(tool.parameters, received);
  const result = tool.handler(parameters as never, withValidCredentials(plugin, context) as never);
  const messages = isAsyncIterable(result) ? result : toList(await result);
  for await (const message of messages) {
    for await (const wire of toWire(message)) yield wire as unknown as JsonObject;
  }
}

async function* validateToolCredentials(plugin: PluginDefinition, context: ToolContext): AsyncGenerator<JsonObject> {
  const checked = withValidCredentials(plugin, context);
  await plugin.provider.validateCredentials?.(checked.credentials as never, checked as never);
  // The SDK answers a successful validation with this bare stream payload.
  yield { result: true };
}

async function* runtimeParameters(plugin: PluginDefinition, request: JsonObject, context: ToolContext): AsyncGenerator<JsonObject> {
  const tool = findTool(plugin, request);
  if (!tool.runtimeParameters) throw new PluginError("ValueError", `Tool \`${tool.identity.name}\` does not implement runtime parameters`);
  const parameters = await tool.runtimeParameters(withValidCredentials(plugin, context) as never);
  yield { parameters: parameters as unknown as JsonObject[] };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ToolMessage> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

function toList(result: ToolMessage[] | ToolMessage | void): ToolMessage[] {
  if (result === undefined) return [];
  return Array.isArray(result) ? result : [result];
}

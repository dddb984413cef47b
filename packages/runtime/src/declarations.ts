/**
 * The one place definitions become Dify's declaration shapes: the YAML files
 * the packager writes (manifest.yaml, provider/<name>.yaml, tools/<tool>.yaml)
 * and the manifest/tool declarations the runtime sends over remote-debug TCP.
 */
import type {
  CredentialField,
  CredentialFields,
  EndpointGroupDefinition,
  EndpointRoute,
  Localized,
  ManifestDefinition,
  PluginDefinition,
  ToolDefinition,
  ToolParameter,
} from "./definitions.js";
import type { JsonObject, JsonValue } from "@dify-ts/protocol";

export const RUNNER = { language: "python", version: "3.12", entrypoint: "main" } as const;
export const ARCH = ["amd64", "arm64"] as const;
/** The manifest format version (meta.version) every current Dify plugin uses. */
export const MANIFEST_FORMAT_VERSION = "0.0.1";

export function providerFile(plugin: PluginDefinition): string {
  return `provider/${providerOf(plugin).identity.name}.yaml`;
}

/** group/<plugin name>.yaml: the endpoint group (settings and route files), as the SDK's templates name it. */
export function endpointGroupFile(plugin: PluginDefinition): string {
  return `group/${plugin.manifest.name}.yaml`;
}

export function endpointRouteFile(route: EndpointRoute): string {
  return `endpoints/${route.name}.yaml`;
}

export function toolFile(tool: ToolDefinition): string {
  return `tools/${tool.identity.name}.yaml`;
}

/** manifest.yaml, and the manifest_declaration sent over TCP. */
export function manifestDeclaration(plugin: PluginDefinition): JsonObject {
  const manifest: ManifestDefinition = plugin.manifest;
  return compact({
    version: manifest.version,
    type: "plugin",
    author: manifest.author,
    name: manifest.name,
    label: localized(manifest.label),
    description: localized(manifest.description),
    icon: manifest.icon,
    icon_dark: manifest.icon_dark,
    resource: compact({
      memory: manifest.resource.memory,
      permission: manifest.resource.permission as JsonObject | undefined,
    }),
    plugins: compact({
      tools: plugin.provider ? [providerFile(plugin)] : undefined,
      endpoints: plugin.endpoints ? [endpointGroupFile(plugin)] : undefined,
    }),
    meta: compact({
      version: MANIFEST_FORMAT_VERSION,
      arch: [...ARCH],
      runner: { ...RUNNER },
      minimum_dify_version: manifest.minimum_dify_version,
    }),
    created_at: manifest.created_at,
    privacy: manifest.privacy,
    repo: manifest.repo,
    tags: [...manifest.tags],
  });
}

function providerIdentity(plugin: PluginDefinition): JsonObject {
  const identity = providerOf(plugin).identity;
  return compact({
    author: identity.author ?? plugin.manifest.author,
    name: identity.name,
    label: localized(identity.label),
    description: localized(identity.description),
    icon: identity.icon,
    icon_dark: identity.icon_dark,
    tags: [...identity.tags],
  });
}

/** provider/<name>.yaml: credentials as a mapping, tools as file paths. */
export function providerYaml(plugin: PluginDefinition): JsonObject {
  const credentials: JsonObject = {};
  for (const [name, field] of Object.entries(providerOf(plugin).credentials))
    credentials[name] = credentialField(field);
  return compact({
    identity: providerIdentity(plugin),
    credentials_for_provider: credentials,
    oauth_schema: oauthSchema(plugin),
    tools: (plugin.tools ?? []).map(toolFile),
  });
}

/** tools/<tool>.yaml */
export function toolYaml(plugin: PluginDefinition, tool: ToolDefinition): JsonObject {
  return compact({
    identity: compact({
      name: tool.identity.name,
      author: providerOf(plugin).identity.author ?? plugin.manifest.author,
      label: localized(tool.identity.label),
      icon: tool.identity.icon,
    }),
    description: { human: localized(tool.description.human), llm: tool.description.llm },
    parameters: Object.entries(tool.parameters).map(([name, parameter]) => toolParameter(name, parameter)),
    output_schema: tool.output_schema as JsonObject | undefined,
    has_runtime_parameters: tool.runtimeParameters ? true : undefined,
  });
}

/** The tool_declaration sent over TCP: the provider with credentials as a list and tools inline. */
export function toolDeclaration(plugin: PluginDefinition): JsonObject {
  return compact({
    identity: providerIdentity(plugin),
    credentials_schema: namedFields(providerOf(plugin).credentials),
    oauth_schema: oauthSchema(plugin),
    tools: (plugin.tools ?? []).map((tool) => toolYaml(plugin, tool)),
  });
}

/** Both schemas are lists of named fields, in the YAML as over TCP (the SDK's OAuthSchema). */
function oauthSchema(plugin: PluginDefinition): JsonObject | undefined {
  const oauth = providerOf(plugin).oauth;
  if (!oauth) return undefined;
  return { client_schema: namedFields(oauth.client), credentials_schema: namedFields(oauth.credentials) };
}

/** group/<name>.yaml: settings as a list (Dify's ProviderConfig), routes as file paths. */
export function endpointGroupYaml(group: EndpointGroupDefinition): JsonObject {
  return { settings: namedFields(group.settings), endpoints: group.routes.map(endpointRouteFile) };
}

/** endpoints/<route>.yaml; `hidden` only when set, as the SDK's YAML files write it. */
export function endpointRouteYaml(route: EndpointRoute): JsonObject {
  return compact({ path: route.path, method: route.method, hidden: route.hidden || undefined });
}

/** The endpoint_declaration sent over TCP: the group with its routes inline, `hidden` always (as the SDK dumps it). */
export function endpointDeclaration(group: EndpointGroupDefinition): JsonObject {
  return {
    settings: namedFields(group.settings),
    endpoints: group.routes.map((route) => ({ ...endpointRouteYaml(route), hidden: route.hidden ?? false })),
  };
}

function namedFields(fields: CredentialFields): JsonObject[] {
  return Object.entries(fields).map(([name, field]) => ({ name, ...credentialField(field) }));
}

function providerOf(plugin: PluginDefinition): NonNullable<PluginDefinition["provider"]> {
  if (!plugin.provider) throw new Error(`plugin "${plugin.manifest.name}" has no tool provider`);
  return plugin.provider;
}

function credentialField(field: CredentialField): JsonObject {
  return compact({
    type: field.type,
    required: field.required ?? false,
    default: field.default,
    options:
      "options" in field
        ? field.options.map((option) => ({ value: option.value, label: localized(option.label) }))
        : undefined,
    label: localized(field.label),
    placeholder: field.placeholder && localized(field.placeholder),
    help: field.help && localized(field.help),
    url: field.url,
  });
}

function toolParameter(name: string, parameter: ToolParameter): JsonObject {
  return compact({
    name,
    type: parameter.type,
    required: parameter.required ?? false,
    label: localized(parameter.label),
    human_description: localized(parameter.human_description),
    llm_description: parameter.llm_description,
    form: parameter.form,
    scope: "scope" in parameter ? parameter.scope : undefined,
    multiple: "multiple" in parameter ? parameter.multiple : undefined,
    default: "default" in parameter ? (parameter.default as JsonValue | undefined) : undefined,
    min: "min" in parameter ? parameter.min : undefined,
    max: "max" in parameter ? parameter.max : undefined,
    precision: "precision" in parameter ? parameter.precision : undefined,
    options:
      "options" in parameter
        ? parameter.options.map((option) =>
            compact({
              value: option.value,
              label: localized(option.label),
              icon: option.icon,
              show_on: option.show_on && option.show_on.map((condition) => ({ ...condition })),
            }),
          )
        : undefined,
    show_on: parameter.show_on && parameter.show_on.map((condition) => ({ ...condition })),
    auto_generate: parameter.auto_generate && { ...parameter.auto_generate },
    template: parameter.template && { ...parameter.template },
    input_schema: "input_schema" in parameter ? parameter.input_schema : undefined,
  });
}

function localized(text: Localized): JsonObject {
  return compact({ en_US: text.en_US, zh_Hans: text.zh_Hans, ja_JP: text.ja_JP, pt_BR: text.pt_BR });
}

/** Drops undefined fields so the YAML carries only what was declared. */
function compact(object: Record<string, JsonValue | undefined>): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) result[key] = value;
  return result;
}

/**
 * Plugins declare their manifest, provider, credentials and tools here, in
 * TypeScript. These definitions are the single source for the YAML the packager
 * writes (declarations.ts) and for what the runtime sends over remote-debug TCP;
 * handlers receive parameters and credentials already validated and typed.
 */
import type { JsonObject, JsonValue, Tag } from "@dify-ts/protocol";
import type { OAuthContext, ToolContext } from "./context.js";
import type { Logger } from "./logger.js";
import type { ToolMessage } from "./messages.js";

/** Text shown to people. Dify requires en_US; we require zh_Hans too. */
export interface Localized {
  en_US: string;
  zh_Hans: string;
  ja_JP?: string;
  pt_BR?: string;
}

/**
 * A `Localized` text: `localized("Bucket", "存储桶")`. A second language left out repeats the English (fixtures,
 * tests); other languages go in `more`.
 */
export function localized(
  en_US: string,
  zh_Hans: string = en_US,
  more: Pick<Localized, "ja_JP" | "pt_BR"> = {},
): Localized {
  return { en_US, zh_Hans, ...more };
}

export type { Tag } from "@dify-ts/protocol";

// ---------------------------------------------------------------- credentials

interface CredentialBase {
  label: Localized;
  required?: boolean;
  placeholder?: Localized;
  help?: Localized;
  url?: string;
}

export type CredentialField =
  | (CredentialBase & { type: "secret-input"; default?: string })
  // `public`: not a secret (a bucket name, an endpoint, a region), so its value may
  // appear in error messages and logs; other text inputs are masked like secrets.
  | (CredentialBase & { type: "text-input"; default?: string; public?: boolean })
  | (CredentialBase & { type: "boolean"; default?: boolean })
  | (CredentialBase & { type: "select"; options: readonly SelectOption[]; default?: string });

export type CredentialFields = Record<string, CredentialField>;

type CredentialValue<F extends CredentialField> = F extends { type: "boolean" }
  ? boolean
  : F extends { type: "select"; options: readonly { value: infer V }[] }
    ? V
    : string;

/** Credentials as a handler sees them: required or defaulted fields are always present. */
export type Credentials<F extends CredentialFields> = {
  [K in keyof F]: F[K] extends { required: true } | { default: string | boolean }
    ? CredentialValue<F[K]>
    : CredentialValue<F[K]> | undefined;
};

// ---------------------------------------------------------------- parameters

/** Show a parameter (or an option) only while the parameter `variable` has the value `value` (Dify's show_on). */
export interface ShowOn {
  variable: string;
  value: string;
}

export interface SelectOption {
  value: string;
  label: Localized;
  /** A URL or a data URI shown beside the label. */
  icon?: string;
  show_on?: readonly ShowOn[];
}

/** An option a dynamic-select parameter's fetcher returns (the SDK's ParameterOption). */
export interface ParameterOption {
  value: string;
  label: Localized;
  icon?: string;
}

interface ParameterBase {
  label: Localized;
  human_description: Localized;
  /** What the model reads; required when form is "llm". */
  llm_description?: string;
  /** "llm": the model fills it in; "form": the user sets it in the node. */
  form: "llm" | "form";
  required?: boolean;
  show_on?: readonly ShowOn[];
  /** Dify offers to generate the value from an instruction. */
  auto_generate?: { type: "prompt_instruction" };
  /** The value may contain {{variables}} Dify fills in. */
  template?: { enabled: boolean };
}

/** Which models a model-selector offers (the SDK's ModelConfigScope). */
export type ModelSelectorScope =
  "llm" | "text-embedding" | "rerank" | "tts" | "speech2text" | "moderation" | "vision" | "document" | "tool-call";
/** Which apps an app-selector offers (AppSelectorScope). */
export type AppSelectorScope = "all" | "chat" | "workflow" | "completion";

export type ToolParameter =
  | (ParameterBase & { type: "string" | "secret-input"; default?: string })
  | (ParameterBase & { type: "number"; default?: number; min?: number; max?: number; precision?: number })
  | (ParameterBase & { type: "boolean" | "checkbox"; default?: boolean })
  | (ParameterBase & { type: "select"; options: readonly SelectOption[]; multiple?: false; default?: string })
  | (ParameterBase & { type: "select"; options: readonly SelectOption[]; multiple: true; default?: readonly string[] })
  /** Options come from the tool's fetchParameterOptions when the user opens the list. */
  | (ParameterBase & { type: "dynamic-select"; multiple?: false; default?: string })
  | (ParameterBase & { type: "dynamic-select"; multiple: true; default?: readonly string[] })
  | (ParameterBase & { type: "file" | "files" })
  /** YYYY-MM-DD. */
  | (ParameterBase & { type: "date"; default?: string })
  /** Two dates, YYYY-MM-DD each. */
  | (ParameterBase & { type: "date-range" })
  | (ParameterBase & { type: "model-selector"; scope?: ModelSelectorScope })
  | (ParameterBase & { type: "app-selector"; scope?: AppSelectorScope })
  | (ParameterBase & { type: "any"; default?: JsonValue })
  /** `input_schema`: the JSON Schema of the value (MCP tools' object and array parameters). */
  | (ParameterBase & { type: "object"; input_schema?: JsonObject; default?: JsonObject })
  | (ParameterBase & { type: "array"; input_schema?: JsonObject; default?: readonly JsonValue[] });

export type ToolParameters = Record<string, ToolParameter>;

/** The model a model-selector parameter names, with the settings the user chose. */
export interface ModelSelection {
  provider: string;
  model: string;
  model_type: string;
  mode?: string;
  completion_params?: JsonObject;
  [key: string]: JsonValue | undefined;
}

/** The app an app-selector parameter names, with the inputs the user set. */
export interface AppSelection {
  app_id: string;
  inputs?: JsonObject;
  query?: string;
  files?: JsonValue[];
  [key: string]: JsonValue | undefined;
}

export interface DateRange {
  start: string;
  end: string;
}

/** A Dify file as a tool receives it (`File.to_plugin_parameter()` in Dify). */
export interface DifyFile {
  dify_model_identity: "__dify__file__";
  url: string;
  filename?: string | null;
  mime_type?: string | null;
  extension?: string | null;
  /** Bytes; Dify sends -1 when unknown. */
  size?: number | null;
  type?: "image" | "document" | "audio" | "video" | "custom" | null;
}

type ParameterValue<P extends ToolParameter> = P extends { type: "string" | "secret-input" | "date" }
  ? string
  : P extends { type: "number" }
    ? number
    : P extends { type: "boolean" | "checkbox" }
      ? boolean
      : P extends { type: "select"; multiple: true; options: readonly { value: infer V }[] }
        ? V[]
        : P extends { type: "select"; options: readonly { value: infer V }[] }
          ? V
          : P extends { type: "dynamic-select"; multiple: true }
            ? string[]
            : P extends { type: "dynamic-select" }
              ? string
              : P extends { type: "file" }
                ? DifyFile
                : P extends { type: "files" }
                  ? DifyFile[]
                  : P extends { type: "date-range" }
                    ? DateRange
                    : P extends { type: "model-selector" }
                      ? ModelSelection
                      : P extends { type: "app-selector" }
                        ? AppSelection
                        : P extends { type: "object" }
                          ? JsonObject
                          : P extends { type: "array" }
                            ? JsonValue[]
                            : P extends { type: "any" }
                              ? JsonValue
                              : never;

/** Parameters as a handler sees them: required or defaulted ones are always present. */
export type Parameters<P extends ToolParameters> = {
  [K in keyof P]: P[K] extends { required: true } | { default: string | number | boolean | object }
    ? ParameterValue<P[K]>
    : ParameterValue<P[K]> | undefined;
};

/** The names of a tool's dynamic-select parameters (any name for a tool whose parameters are not known). */
export type DynamicSelectName<P extends ToolParameters> = string extends keyof P
  ? string
  : { [K in keyof P]: P[K] extends { type: "dynamic-select" } ? K : never }[keyof P] & string;

/**
 * The context a tool's handlers receive. `credentialType` says which credentials came: the provider's form
 * ("api-key"; "unauthorized" when Dify says none were set: they are still checked against `credentials`) or the
 * OAuth flow ("oauth2", checked against `oauth.credentials`). A provider without OAuth never sees "oauth2".
 */
export type HandlerContext<C extends CredentialFields, K extends CredentialFields> =
  | (ToolContext<Credentials<C>> & { credentialType: "api-key" | "unauthorized" })
  | ([K] extends [never] ? never : ToolContext<Credentials<K>> & { credentialType: "oauth2" });

// ---------------------------------------------------------------- tools

/** What a handler produces: an async stream of messages, or a list of them at the end. */
export type ToolResult = AsyncIterable<ToolMessage> | Promise<ToolMessage[] | ToolMessage | void>;

export interface ToolDefinition<
  C extends CredentialFields = CredentialFields,
  P extends ToolParameters = ToolParameters,
  K extends CredentialFields = CredentialFields,
> {
  identity: { name: string; label: Localized; icon?: string };
  description: { human: Localized; llm: string };
  parameters: P;
  /** JSON Schema of the tool's json output, shown to workflow builders. */
  output_schema?: Record<string, unknown>;
  // Method syntax on purpose: it lets a tool with specific parameters sit in a
  // plugin's list of tools without `any`.
  handler(params: Parameters<P>, context: HandlerContext<C, K>): ToolResult;
  /** Parameters computed at run time (get_tool_runtime_parameters; the SDK deprecates it for dynamic-select). */
  runtimeParameters?(context: HandlerContext<C, K>): Promise<Record<string, unknown>[]>;
  /** The options of a dynamic-select parameter, fetched when the user opens it (fetch_parameter_options). */
  fetchParameterOptions?(
    parameter: DynamicSelectName<P>,
    context: HandlerContext<C, K>,
  ): Promise<readonly ParameterOption[]> | readonly ParameterOption[];
}

// ---------------------------------------------------------------- provider

/** What the OAuth flow returns (the SDK's ToolOAuthCredentials): credentials of `oauth.credentials`' fields. */
export interface OAuthCredentials<K extends CredentialFields = CredentialFields> {
  credentials: { [F in keyof K]?: string | boolean };
  /** Seconds since the Unix epoch, UTC; -1 (the default) when they do not expire. */
  expires_at?: number;
}

/**
 * OAuth for a tool provider (the provider YAML's oauth_schema and the SDK's `_oauth_*` methods). Values of both
 * schemas are masked like secret credentials unless declared `public`.
 */
export interface OAuthDefinition<
  S extends CredentialFields = CredentialFields,
  K extends CredentialFields = CredentialFields,
> {
  /** client_schema: the OAuth client's settings an administrator enters (client id, client secret). */
  client: S;
  /** credentials_schema: what the flow yields and tools receive with credentialType "oauth2" (access token...). */
  credentials: K;
  /** The provider's authorization page, with `redirectUri` as its callback (get_authorization_url). */
  getAuthorizationUrl(
    input: { redirectUri: string; systemCredentials: Credentials<S> },
    context: OAuthContext,
  ): Promise<string> | string;
  /** Exchanges the provider's callback (the request Dify received at `redirectUri`) for credentials (get_credentials). */
  getCredentials(
    input: { redirectUri: string; systemCredentials: Credentials<S>; request: Request },
    context: OAuthContext,
  ): Promise<OAuthCredentials<K>>;
  /** New credentials for expiring ones (refresh_credentials). */
  refreshCredentials?(
    input: { redirectUri: string; systemCredentials: Credentials<S>; credentials: Credentials<K> },
    context: OAuthContext,
  ): Promise<OAuthCredentials<K>>;
}

export interface ProviderDefinition<
  C extends CredentialFields = CredentialFields,
  S extends CredentialFields = CredentialFields,
  K extends CredentialFields = CredentialFields,
> {
  identity: {
    name: string;
    author?: string;
    label: Localized;
    description: Localized;
    icon: string;
    icon_dark?: string;
    tags: readonly Tag[];
  };
  credentials: C;
  /** Throw (ideally a CredentialValidationError) when the credentials do not work. */
  validateCredentials?(credentials: Credentials<C>, context: ToolContext<Credentials<C>>): Promise<void>;
  oauth?: OAuthDefinition<S, K>;
}

/** A provider plus a way to define tools that see its credentials typed. */
export interface Provider<
  C extends CredentialFields = CredentialFields,
  S extends CredentialFields = CredentialFields,
  K extends CredentialFields = CredentialFields,
> extends ProviderDefinition<C, S, K> {
  defineTool<P extends ToolParameters>(tool: ToolDefinition<C, P, K>): ToolDefinition<C, P, K>;
}

/** A provider with API-key credentials only: its tools never see credentialType "oauth2". */
export function defineProvider<const C extends CredentialFields>(
  definition: ProviderDefinition<C, never, never> & { oauth?: undefined },
): Provider<C, never, never>;
/** A provider with OAuth as well: its tools see `oauth.credentials` when credentialType is "oauth2". */
export function defineProvider<
  const C extends CredentialFields,
  const S extends CredentialFields,
  const K extends CredentialFields,
>(definition: ProviderDefinition<C, S, K> & { oauth: OAuthDefinition<S, K> }): Provider<C, S, K>;
export function defineProvider(definition: ProviderDefinition): Provider {
  return { ...definition, defineTool: (tool) => tool };
}

// ---------------------------------------------------------------- endpoints

/** The methods the daemon accepts for an endpoint route. */
export type EndpointMethod = "GET" | "POST" | "PUT" | "DELETE" | "HEAD" | "OPTIONS";

/** What an endpoint handler sees besides the request: the group's settings typed, the route's path values. */
export interface EndpointContext<S = Record<string, unknown>> extends Omit<
  ToolContext,
  "credentials" | "credentialType"
> {
  settings: S;
  /** Values of the route's `<name>` segments, e.g. `{ id: "42" }` for `/items/<int:id>` (always text). */
  params: Record<string, string>;
}

export interface EndpointRoute<S extends CredentialFields = CredentialFields> {
  /** The route's file name, `endpoints/<name>.yaml`: lowercase letters, digits, `_` and `-`. */
  name: string;
  /**
   * Werkzeug's rule syntax, as Dify's Python plugins write it: `/webhook`, `/items/<id>`,
   * `/items/<int:id>`, `/files/<path:rest>`; converters string, int, float, uuid and path.
   */
  path: string;
  method: EndpointMethod;
  /** Not listed in Dify's endpoint page (still served). */
  hidden?: boolean;
  // Method syntax on purpose, as for tools: a route with specific settings sits in the plugin's list without `any`.
  handler(request: Request, context: EndpointContext<Credentials<S>>): Response | Promise<Response>;
}

export interface EndpointGroupDefinition<S extends CredentialFields = CredentialFields> {
  /** The form a user fills in when creating the endpoint (Dify's ProviderConfig, like credentials). */
  settings: S;
  routes: readonly EndpointRoute<S>[];
}

/** An endpoint group: settings and routes (the SDK's group/<name>.yaml with its endpoints/*.yaml and Endpoint classes). */
export function defineEndpointGroup<const S extends CredentialFields>(
  definition: EndpointGroupDefinition<S>,
): EndpointGroupDefinition<S> {
  const seen = new Set<string>();
  for (const route of definition.routes) {
    if (!/^[a-z0-9_-]{1,64}$/.test(route.name))
      throw new Error(
        `endpoint route name "${route.name}" must match ^[a-z0-9_-]{1,64}$: it names endpoints/<name>.yaml`,
      );
    if (!route.path.startsWith("/")) throw new Error(`endpoint route "${route.name}": path must start with "/"`);
    const key = `${route.method} ${route.path}`;
    if (seen.has(route.name) || seen.has(key))
      throw new Error(
        `endpoint route "${route.name}" (${key}) is declared twice: names and method+path must be unique`,
      );
    seen.add(route.name).add(key);
  }
  return definition;
}

// ---------------------------------------------------------------- manifest and plugin

export interface Permissions {
  tool?: { enabled: boolean };
  model?: {
    enabled: boolean;
    llm?: boolean;
    text_embedding?: boolean;
    rerank?: boolean;
    tts?: boolean;
    speech2text?: boolean;
    moderation?: boolean;
  };
  node?: { enabled: boolean };
  endpoint?: { enabled: boolean };
  app?: { enabled: boolean };
  storage?: { enabled: boolean; size: number };
}

export interface ManifestDefinition {
  /** Lowercase, `^[a-z0-9_-]{1,64}$`; never "langgenius". */
  author: string;
  /** Lowercase, `^[a-z0-9_-]{1,128}$`. */
  name: string;
  /** MAJOR.MINOR.PATCH, equal to package.json's version. */
  version: string;
  label: Localized;
  description: Localized;
  icon: string;
  icon_dark?: string;
  /** RFC 3339, in the past. */
  created_at: string;
  tags: readonly Tag[];
  resource: { memory: number; permission?: Permissions };
  privacy?: string;
  repo?: string;
  minimum_dify_version?: string;
}

export interface StartContext {
  logger: Logger;
  signal: AbortSignal;
}

export interface PluginDefinition {
  manifest: ManifestDefinition;
  /** The tool provider; absent in an endpoint-only ("extension") plugin. */
  provider?: Provider;
  tools?: readonly ToolDefinition[];
  /** HTTP endpoints (needs `resource.permission.endpoint.enabled`); a tool plugin may carry them too. */
  endpoints?: EndpointGroupDefinition;
  /**
   * Run once after the transport started, in the background (requests are served meanwhile): build services here,
   * not at import. Its logger writes through the protocol, redacted; `signal` aborts when shutdown begins.
   * A failure is logged; the plugin keeps serving.
   */
  onStart?: (context: StartContext) => Promise<void> | void;
  /** Run once on SIGTERM/SIGINT or stdin close, after running sessions finished or the deadline passed. */
  onShutdown?: () => Promise<void>;
}

export function definePlugin(definition: PluginDefinition): PluginDefinition {
  if (!definition.provider && !definition.endpoints)
    throw new Error("a plugin needs a tool provider (`provider` and `tools`), endpoints (`endpoints`), or both");
  if (definition.tools?.length && !definition.provider)
    throw new Error("tools need a provider: add `provider` (defineProvider) to the plugin");
  if (definition.endpoints && !definition.manifest.resource.permission?.endpoint?.enabled)
    throw new Error(
      "a plugin with endpoints needs the endpoint permission: set manifest.resource.permission.endpoint = { enabled: true }",
    );
  const names = new Set<string>();
  for (const tool of definition.tools ?? []) {
    if (names.has(tool.identity.name))
      throw new Error(`duplicate tool name "${tool.identity.name}": tool names must be unique`);
    names.add(tool.identity.name);
  }
  return definition;
}

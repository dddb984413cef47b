/**
 * The daemon's rules for what a plugin registers over remote-debug TCP, as its
 * Go structs state them (pkg/entities/plugin_entities: PluginDeclaration,
 * ToolProviderDeclaration, ProviderConfig, ToolParameter, I18nObject, with
 * their `validate` tags and ManifestValidate; RemotePluginRegisterAssetChunk).
 * The stand-in daemon checks every registration with these. Each check returns
 * the problems found, as "path: what is wrong".
 */
import { isJsonObject as isObject } from "./json.js";
import {
  AUTHOR_PATTERN,
  CREDENTIAL_TYPES,
  IDENTITY_NAME_PATTERN,
  MAX_STORAGE_BYTES,
  MIN_STORAGE_BYTES,
  PARAMETER_FORMS,
  PARAMETER_TYPES,
  PLUGIN_NAME_PATTERN,
  RFC3339_PATTERN,
  TAGS,
  VERSION_PATTERN,
} from "./rules.js";

type Json = unknown;
type Problems = string[];

/** A string field: Go's json decoding needs a string (or absence); `validate` adds the rest. */
function text(
  problems: Problems,
  path: string,
  value: Json,
  rules: { required?: boolean; max?: number; pattern?: RegExp; oneOf?: readonly string[] } = {},
): void {
  if (value === undefined || value === null) {
    if (rules.required) problems.push(`${path}: required`);
    return;
  }
  if (typeof value !== "string") return void problems.push(`${path}: must be a string, got ${JSON.stringify(value)}`);
  if (value === "") {
    if (rules.required) problems.push(`${path}: required (empty)`);
    return;
  }
  if (rules.max !== undefined && [...value].length > rules.max)
    problems.push(`${path}: longer than ${rules.max} characters`);
  if (rules.pattern && !rules.pattern.test(value))
    problems.push(`${path}: ${JSON.stringify(value)} does not match ${rules.pattern}`);
  if (rules.oneOf && !rules.oneOf.includes(value))
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${rules.oneOf.join(", ")}`);
}

function bool(problems: Problems, path: string, value: Json): void {
  if (value !== undefined && value !== null && typeof value !== "boolean") problems.push(`${path}: must be a boolean`);
}

function number(problems: Problems, path: string, value: Json, integer = false): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "number" || (integer && !Number.isInteger(value)))
    problems.push(`${path}: must be ${integer ? "an integer" : "a number"}`);
}

/** I18nObject: en_US required, 1..1023 characters; the other languages under 1024. Nested structs are always validated. */
function i18n(problems: Problems, path: string, value: Json, required = true): void {
  if (value === undefined || value === null) {
    if (required) problems.push(`${path}: required`);
    else problems.push(`${path}.en_US: required (an absent I18nObject still has an empty en_US)`);
    return;
  }
  if (!isObject(value)) return void problems.push(`${path}: must be an object of language → text`);
  text(problems, `${path}.en_US`, value.en_US, { required: true, max: 1023 });
  for (const language of ["zh_Hans", "ja_JP", "pt_BR"])
    text(problems, `${path}.${language}`, value[language], { max: 1023 });
}

function list(
  problems: Problems,
  path: string,
  value: Json,
  each: (item: Json, path: string) => void,
  required = false,
): void {
  if (value === undefined || value === null) {
    if (required) problems.push(`${path}: required`);
    return;
  }
  if (!Array.isArray(value)) return void problems.push(`${path}: must be a list`);
  value.forEach((item, index) => each(item, `${path}[${index}]`));
}

/** manifest_declaration: PluginDeclaration, then ManifestValidate's name rules. */
export function checkManifestDeclaration(manifest: Json): Problems {
  const problems: Problems = [];
  if (!isObject(manifest)) return ["manifest: must be an object"];
  text(problems, "version", manifest.version, { required: true, pattern: VERSION_PATTERN });
  text(problems, "type", manifest.type, { required: true, oneOf: ["plugin"] });
  text(problems, "author", manifest.author, { required: true, pattern: AUTHOR_PATTERN });
  text(problems, "name", manifest.name, { required: true, pattern: PLUGIN_NAME_PATTERN });
  i18n(problems, "label", manifest.label);
  i18n(problems, "description", manifest.description);
  text(problems, "icon", manifest.icon, { required: true, max: 128 });
  text(problems, "icon_dark", manifest.icon_dark, { max: 128 });
  const resource = manifest.resource;
  if (!isObject(resource)) problems.push("resource: required");
  else {
    number(problems, "resource.memory", resource.memory, true);
    if (!resource.memory) problems.push("resource.memory: required (bytes)");
    const permission = resource.permission;
    if (permission !== undefined && permission !== null) {
      if (!isObject(permission)) problems.push("resource.permission: must be an object");
      else {
        for (const [name, entry] of Object.entries(permission)) {
          if (!isObject(entry)) problems.push(`resource.permission.${name}: must be an object`);
          else
            for (const [flag, value] of Object.entries(entry))
              if (flag !== "size") bool(problems, `resource.permission.${name}.${flag}`, value);
        }
        const storage = permission.storage;
        if (isObject(storage)) {
          number(problems, "resource.permission.storage.size", storage.size, true);
          const size = Number(storage.size ?? 0);
          if (size < MIN_STORAGE_BYTES || size > MAX_STORAGE_BYTES) {
            problems.push(`resource.permission.storage.size: must be ${MIN_STORAGE_BYTES}..${MAX_STORAGE_BYTES} bytes`);
          }
        }
      }
    }
  }
  if (!isObject(manifest.plugins)) problems.push("plugins: required");
  else
    for (const [kind, files] of Object.entries(manifest.plugins))
      list(problems, `plugins.${kind}`, files, (file, path) => text(problems, path, file, { max: 128 }));
  const meta = manifest.meta;
  if (!isObject(meta)) problems.push("meta: required");
  else {
    text(problems, "meta.version", meta.version, { required: true, pattern: VERSION_PATTERN });
    list(
      problems,
      "meta.arch",
      meta.arch,
      (arch, path) => text(problems, path, arch, { required: true, oneOf: ["amd64", "arm64"] }),
      true,
    );
    const runner = meta.runner;
    if (!isObject(runner)) problems.push("meta.runner: required");
    else {
      text(problems, "meta.runner.language", runner.language, { required: true, oneOf: ["python"] });
      text(problems, "meta.runner.version", runner.version, { required: true, max: 128 });
      text(problems, "meta.runner.entrypoint", runner.entrypoint, { required: true, max: 256 });
    }
    text(problems, "meta.minimum_dify_version", meta.minimum_dify_version);
  }
  list(problems, "tags", manifest.tags, (tag, path) => text(problems, path, tag, { oneOf: TAGS, max: 128 }));
  text(problems, "created_at", manifest.created_at, { required: true, pattern: RFC3339_PATTERN });
  text(problems, "privacy", manifest.privacy);
  text(problems, "repo", manifest.repo, { pattern: /^[a-z][a-z0-9+.-]*:\/\/\S+$/i });
  return problems;
}

function checkOption(problems: Problems, path: string, option: Json, maxValue?: number): void {
  if (!isObject(option)) return void problems.push(`${path}: must be an object`);
  text(problems, `${path}.value`, option.value, { required: true, max: maxValue });
  i18n(problems, `${path}.label`, option.label);
}

/** credentials_schema entries: ProviderConfig. */
function checkProviderConfig(problems: Problems, path: string, config: Json): void {
  if (!isObject(config)) return void problems.push(`${path}: must be an object`);
  text(problems, `${path}.name`, config.name, { max: 1023 });
  text(problems, `${path}.type`, config.type, { required: true, oneOf: CREDENTIAL_TYPES });
  bool(problems, `${path}.required`, config.required);
  if (
    config.default !== undefined &&
    config.default !== null &&
    !["string", "number", "boolean"].includes(typeof config.default)
  ) {
    problems.push(`${path}.default: must be a string, number or boolean`);
  }
  if (Array.isArray(config.options) && config.options.length >= 128)
    problems.push(`${path}.options: fewer than 128 allowed`);
  list(problems, `${path}.options`, config.options, (option, optionPath) =>
    checkOption(problems, optionPath, option, 127),
  );
  i18n(problems, `${path}.label`, config.label);
  if (config.help !== undefined && config.help !== null) i18n(problems, `${path}.help`, config.help);
  if (config.placeholder !== undefined && config.placeholder !== null)
    i18n(problems, `${path}.placeholder`, config.placeholder);
  text(problems, `${path}.url`, config.url);
}

function checkToolParameter(problems: Problems, path: string, parameter: Json): void {
  if (!isObject(parameter)) return void problems.push(`${path}: must be an object`);
  text(problems, `${path}.name`, parameter.name, { required: true, max: 1023 });
  i18n(problems, `${path}.label`, parameter.label);
  i18n(problems, `${path}.human_description`, parameter.human_description);
  text(problems, `${path}.type`, parameter.type, { required: true, oneOf: PARAMETER_TYPES });
  text(problems, `${path}.form`, parameter.form, { required: true, oneOf: PARAMETER_FORMS });
  text(problems, `${path}.llm_description`, parameter.llm_description);
  bool(problems, `${path}.required`, parameter.required);
  bool(problems, `${path}.multiple`, parameter.multiple);
  number(problems, `${path}.min`, parameter.min);
  number(problems, `${path}.max`, parameter.max);
  number(problems, `${path}.precision`, parameter.precision, true);
  list(problems, `${path}.options`, parameter.options, (option, optionPath) =>
    checkOption(problems, optionPath, option),
  );
}

function checkTool(problems: Problems, path: string, tool: Json): void {
  if (!isObject(tool)) return void problems.push(`${path}: must be an object`);
  const identity = tool.identity;
  if (!isObject(identity)) problems.push(`${path}.identity: required`);
  else {
    text(problems, `${path}.identity.author`, identity.author, { required: true });
    text(problems, `${path}.identity.name`, identity.name, { required: true, pattern: IDENTITY_NAME_PATTERN });
    i18n(problems, `${path}.identity.label`, identity.label);
  }
  const description = tool.description;
  if (!isObject(description)) problems.push(`${path}.description: required`);
  else {
    i18n(problems, `${path}.description.human`, description.human);
    text(problems, `${path}.description.llm`, description.llm, { required: true });
  }
  list(problems, `${path}.parameters`, tool.parameters, (parameter, parameterPath) =>
    checkToolParameter(problems, parameterPath, parameter),
  );
  if (tool.output_schema !== undefined && tool.output_schema !== null && !isObject(tool.output_schema))
    problems.push(`${path}.output_schema: must be an object`);
  bool(problems, `${path}.has_runtime_parameters`, tool.has_runtime_parameters);
}

/** tool_declaration: a list of ToolProviderDeclaration (the daemon keeps the first). */
export function checkToolDeclaration(providers: Json): Problems {
  const problems: Problems = [];
  if (!Array.isArray(providers)) return ["tool_declaration: must be a list of providers"];
  if (providers.length === 0) problems.push("tool_declaration: empty (the daemon registers no tool)");
  providers.forEach((provider, index) => {
    const path = `tool_declaration[${index}]`;
    if (!isObject(provider)) return void problems.push(`${path}: must be an object`);
    const identity = provider.identity;
    if (!isObject(identity)) problems.push(`${path}.identity: required`);
    else {
      text(problems, `${path}.identity.author`, identity.author, { required: true });
      text(problems, `${path}.identity.name`, identity.name, { required: true, pattern: IDENTITY_NAME_PATTERN });
      i18n(problems, `${path}.identity.description`, identity.description, false);
      text(problems, `${path}.identity.icon`, identity.icon, { required: true });
      text(problems, `${path}.identity.icon_dark`, identity.icon_dark);
      i18n(problems, `${path}.identity.label`, identity.label);
      list(problems, `${path}.identity.tags`, identity.tags, (tag, tagPath) =>
        text(problems, tagPath, tag, { oneOf: TAGS }),
      );
    }
    list(problems, `${path}.credentials_schema`, provider.credentials_schema, (config, configPath) =>
      checkProviderConfig(problems, configPath, config),
    );
    const oauth = provider.oauth_schema;
    if (oauth !== undefined && oauth !== null) {
      if (!isObject(oauth)) problems.push(`${path}.oauth_schema: must be an object`);
      else
        for (const schema of ["client_schema", "credentials_schema"])
          list(problems, `${path}.oauth_schema.${schema}`, oauth[schema], (config, configPath) =>
            checkProviderConfig(problems, configPath, config),
          );
    }
    list(problems, `${path}.tools`, provider.tools, (tool, toolPath) => checkTool(problems, toolPath, tool), true);
  });
  return problems;
}

/** asset_chunk: RemotePluginRegisterAssetChunk (filename and data required, data standard base64). */
export function checkAssetChunk(chunk: Json): Problems {
  const problems: Problems = [];
  if (!isObject(chunk)) return ["asset_chunk: must be an object"];
  text(problems, "asset_chunk.filename", chunk.filename, { required: true });
  text(problems, "asset_chunk.data", chunk.data, { required: true, pattern: /^[A-Za-z0-9+/]*={0,2}$/ });
  bool(problems, "asset_chunk.end", chunk.end);
  if (typeof chunk.data === "string" && chunk.data.length % 4 !== 0)
    problems.push("asset_chunk.data: not padded base64");
  return problems;
}

/** At `end`: every icon the declarations name must have arrived as an asset (the daemon's RemapAssets). */
export function checkAssetsComplete(manifest: Json, providers: Json, assets: ReadonlyMap<string, Buffer>): Problems {
  const icons: string[] = [];
  if (isObject(manifest))
    icons.push(
      ...[manifest.icon, manifest.icon_dark].filter((icon): icon is string => typeof icon === "string" && icon !== ""),
    );
  const first =
    Array.isArray(providers) && isObject(providers[0]) && isObject(providers[0].identity)
      ? providers[0].identity
      : undefined;
  if (first)
    icons.push(
      ...[first.icon, first.icon_dark].filter((icon): icon is string => typeof icon === "string" && icon !== ""),
    );
  return [...new Set(icons)]
    .filter((icon) => !assets.has(icon))
    .map((icon) => `assets: file not found: ${icon} (the daemon cannot remap the icon)`);
}

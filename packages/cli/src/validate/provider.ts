/**
 * Provider and tool YAML rules (tool_declaration.go, the Dify API's tool
 * entities, the SDK's tag list). The daemon does not validate these at
 * install; Dify does when it shows or runs the tool, so we check them first.
 */
import { CREDENTIAL_TYPES, PARAMETER_FORMS, PARAMETER_TYPES, TAGS } from "@dify-ts/protocol";
import { at, type Problem } from "./problems.js";

const IDENTITY_NAME = /^[a-zA-Z0-9_-]+$/;

export function checkProvider(file: string, provider: unknown): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, message: string) => problems.push({ field: `${file} ${field}`, message });
  const name = at(provider, "identity.name");
  if (typeof name !== "string" || !IDENTITY_NAME.test(name))
    add("identity.name", `must match ${IDENTITY_NAME}; got ${JSON.stringify(name)}`);
  if (typeof at(provider, "identity.label.en_US") !== "string") add("identity.label.en_US", "is required");
  if (typeof at(provider, "identity.icon") !== "string")
    add("identity.icon", "is required: a file name under _assets/");
  const tags = at(provider, "identity.tags");
  if (Array.isArray(tags))
    for (const tag of tags)
      if (!(TAGS as readonly unknown[]).includes(tag))
        add("identity.tags", `${JSON.stringify(tag)} is not an allowed tag`);
  const credentials = at(provider, "credentials_for_provider");
  if (credentials !== undefined && credentials !== null) {
    if (typeof credentials !== "object" || Array.isArray(credentials))
      add("credentials_for_provider", "must be a mapping of credential name to field");
    else
      for (const [key, field] of Object.entries(credentials))
        checkCredentialField(add, `credentials_for_provider.${key}`, key, field);
  }
  const oauth = at(provider, "oauth_schema");
  if (oauth !== undefined && oauth !== null) {
    if (typeof oauth !== "object" || Array.isArray(oauth))
      add("oauth_schema", "must be a mapping with client_schema and credentials_schema");
    for (const schema of ["client_schema", "credentials_schema"]) {
      const fields = at(oauth, schema) ?? [];
      if (!Array.isArray(fields)) add(`oauth_schema.${schema}`, "must be a list of fields, each with a name");
      else
        for (const [index, field] of fields.entries())
          checkCredentialField(add, `oauth_schema.${schema}[${index}]`, String(at(field, "name") ?? ""), field);
    }
  }
  if (!Array.isArray(at(provider, "tools"))) add("tools", "must list the tool YAML files");
  return problems;
}

type Add = (field: string, message: string) => void;

/** One field of credentials_for_provider or of an oauth_schema list (ProviderConfig). */
function checkCredentialField(add: Add, path: string, name: string, field: unknown): void {
  if (!(CREDENTIAL_TYPES as readonly string[]).includes(at(field, "type") as string))
    add(`${path}.type`, `must be one of ${CREDENTIAL_TYPES.join(", ")}; got ${JSON.stringify(at(field, "type"))}`);
  if (typeof at(field, "label.en_US") !== "string") add(`${path}.label.en_US`, "is required");
  if (name.length === 0 || name.length > 1023) add(path, "name must be 1-1023 characters");
  const options = at(field, "options");
  if (Array.isArray(options) && options.length >= 128) add(`${path}.options`, "must have fewer than 128 options");
}

/** show_on: a list of {variable, value}, the parameter shown while `variable` has `value`. */
function checkShowOn(add: Add, path: string, showOn: unknown): void {
  if (showOn === undefined || showOn === null) return;
  if (!Array.isArray(showOn)) return add(path, "must be a list of {variable, value}");
  for (const [index, condition] of showOn.entries())
    if (typeof at(condition, "variable") !== "string" || typeof at(condition, "value") !== "string")
      add(`${path}[${index}]`, "must have a string variable and a string value");
}

export function checkTool(file: string, tool: unknown): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, message: string) => problems.push({ field: `${file} ${field}`, message });
  const name = at(tool, "identity.name");
  if (typeof name !== "string" || !IDENTITY_NAME.test(name))
    add("identity.name", `must match ${IDENTITY_NAME}; got ${JSON.stringify(name)}`);
  if (typeof at(tool, "identity.label.en_US") !== "string") add("identity.label.en_US", "is required");
  if (typeof at(tool, "description.human.en_US") !== "string") add("description.human.en_US", "is required");
  if (typeof at(tool, "description.llm") !== "string")
    add("description.llm", "is required: what the model reads about the tool");
  const parameters = at(tool, "parameters") ?? [];
  if (!Array.isArray(parameters)) return [...problems, { field: `${file} parameters`, message: "must be a list" }];
  for (const [index, parameter] of parameters.entries()) {
    const label = `parameters[${index}] (${String(at(parameter, "name"))})`;
    const parameterName = at(parameter, "name");
    if (typeof parameterName !== "string" || parameterName.length === 0 || parameterName.length > 1023)
      add(`${label}.name`, "must be 1-1023 characters");
    if (!(PARAMETER_TYPES as readonly string[]).includes(at(parameter, "type") as string))
      add(
        `${label}.type`,
        `must be one of ${PARAMETER_TYPES.join(", ")}; got ${JSON.stringify(at(parameter, "type"))}`,
      );
    if (!(PARAMETER_FORMS as readonly string[]).includes(at(parameter, "form") as string))
      add(
        `${label}.form`,
        `must be one of ${PARAMETER_FORMS.join(", ")}; got ${JSON.stringify(at(parameter, "form"))}`,
      );
    if (typeof at(parameter, "human_description.en_US") !== "string")
      add(`${label}.human_description.en_US`, "is required");
    const type = at(parameter, "type");
    if (type === "select" && !Array.isArray(at(parameter, "options")))
      add(`${label}.options`, "is required for a select parameter");
    // The SDK's ToolParameter.validate_multiple.
    const multiple = at(parameter, "multiple") === true;
    const choice = type === "select" || type === "dynamic-select";
    if (multiple && !choice) add(`${label}.multiple`, "is only valid for select and dynamic-select parameters");
    const fallback = at(parameter, "default");
    if (choice && fallback !== undefined && fallback !== null && Array.isArray(fallback) !== multiple)
      add(
        `${label}.default`,
        multiple ? "must be a list when multiple is true" : "must not be a list unless multiple is true",
      );
    if (type === "date" && fallback !== undefined && fallback !== null && !/^\d{4}-\d{2}-\d{2}$/.test(String(fallback)))
      add(`${label}.default`, `must be a date as YYYY-MM-DD; got ${JSON.stringify(fallback)}`);
    checkShowOn(add, `${label}.show_on`, at(parameter, "show_on"));
    const options = at(parameter, "options");
    if (Array.isArray(options))
      for (const [index, option] of options.entries())
        checkShowOn(add, `${label}.options[${index}].show_on`, at(option, "show_on"));
  }
  return problems;
}

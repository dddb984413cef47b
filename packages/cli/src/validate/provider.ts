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
      for (const [key, field] of Object.entries(credentials)) {
        if (!(CREDENTIAL_TYPES as readonly string[]).includes(at(field, "type") as string))
          add(
            `credentials_for_provider.${key}.type`,
            `must be one of ${CREDENTIAL_TYPES.join(", ")}; got ${JSON.stringify(at(field, "type"))}`,
          );
        if (typeof at(field, "label.en_US") !== "string")
          add(`credentials_for_provider.${key}.label.en_US`, "is required");
        if (key.length === 0 || key.length > 1023)
          add(`credentials_for_provider.${key}`, "name must be 1-1023 characters");
        const options = at(field, "options");
        if (Array.isArray(options) && options.length >= 128)
          add(`credentials_for_provider.${key}.options`, "must have fewer than 128 options");
      }
  }
  if (!Array.isArray(at(provider, "tools"))) add("tools", "must list the tool YAML files");
  return problems;
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
    if (at(parameter, "type") === "select" && !Array.isArray(at(parameter, "options")))
      add(`${label}.options`, "is required for a select parameter");
  }
  return problems;
}

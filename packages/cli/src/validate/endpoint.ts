/**
 * Endpoint group and route YAML rules (endpoint_declaration.go: settings are ProviderConfig, a route's method is
 * one of six, its path required) and the manifest rule the daemon applies when an endpoint is set up: without
 * `resource.permission.endpoint.enabled` it answers "permission denied, you need to enable endpoint access".
 */
import { CREDENTIAL_TYPES } from "@dify-ts/protocol";
import { at, type Problem } from "./problems.js";

export const ENDPOINT_METHODS = ["HEAD", "GET", "POST", "PUT", "DELETE", "OPTIONS"] as const;

export function checkEndpointGroup(file: string, group: unknown): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, message: string) => problems.push({ field: `${file} ${field}`, message });
  const settings = at(group, "settings") ?? [];
  if (!Array.isArray(settings)) add("settings", "must be a list of fields, each with a name (Dify's ProviderConfig)");
  else
    settings.forEach((field: unknown, index) => {
      const name = at(field, "name");
      if (typeof name !== "string" || name.length === 0 || name.length > 1023)
        add(`settings[${index}].name`, "is required (1-1023 characters)");
      if (!(CREDENTIAL_TYPES as readonly string[]).includes(at(field, "type") as string))
        add(
          `settings[${index}].type`,
          `must be one of ${CREDENTIAL_TYPES.join(", ")}; got ${JSON.stringify(at(field, "type"))}`,
        );
      if (typeof at(field, "label.en_US") !== "string") add(`settings[${index}].label.en_US`, "is required");
    });
  const routes = at(group, "endpoints");
  if (!Array.isArray(routes) || routes.length === 0)
    add("endpoints", "must list the route YAML files (endpoints/*.yaml)");
  return problems;
}

export function checkEndpointRoute(file: string, route: unknown): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, message: string) => problems.push({ field: `${file} ${field}`, message });
  const path = at(route, "path");
  if (typeof path !== "string" || !path.startsWith("/"))
    add("path", `is required and must start with "/"; got ${JSON.stringify(path)}`);
  const method = at(route, "method");
  if (!(ENDPOINT_METHODS as readonly unknown[]).includes(method))
    add("method", `must be one of ${ENDPOINT_METHODS.join(", ")} (upper case); got ${JSON.stringify(method)}`);
  const hidden = at(route, "hidden");
  if (hidden !== undefined && typeof hidden !== "boolean") add("hidden", "must be true or false");
  return problems;
}

/** A manifest that lists endpoints must enable the endpoint permission. */
export function checkEndpointPermission(manifest: unknown): Problem[] {
  const endpoints = at(manifest, "plugins.endpoints");
  if (!Array.isArray(endpoints) || endpoints.length === 0) return [];
  if (at(manifest, "resource.permission.endpoint.enabled") === true) return [];
  return [
    {
      field: "resource.permission.endpoint.enabled",
      message:
        "must be true when plugins.endpoints is set: the daemon refuses to set up the endpoint otherwise " +
        "(in TypeScript: manifest.resource.permission.endpoint = { enabled: true })",
    },
  ];
}

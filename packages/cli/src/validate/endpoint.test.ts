import { describe, expect, it } from "vitest";
import { checkEndpointGroup, checkEndpointPermission, checkEndpointRoute } from "./endpoint.js";

describe("endpoint rules (one failing case per rule)", () => {
  const group = {
    settings: [{ name: "secret", type: "secret-input", label: { en_US: "Secret" } }],
    endpoints: ["endpoints/a.yaml"],
  };
  it("accepts a valid group and route", () => {
    expect(checkEndpointGroup("group/g.yaml", group)).toEqual([]);
    expect(checkEndpointRoute("endpoints/a.yaml", { path: "/a/<id>", method: "POST", hidden: true })).toEqual([]);
  });

  it.each([
    ["settings must be a list", { ...group, settings: { secret: {} } }, "group/g.yaml settings", /must be a list/],
    [
      "a setting needs a name",
      { ...group, settings: [{ type: "secret-input", label: { en_US: "S" } }] },
      "group/g.yaml settings[0].name",
      /is required/,
    ],
    [
      "a setting's type is a credential type",
      { ...group, settings: [{ name: "s", type: "password", label: { en_US: "S" } }] },
      "group/g.yaml settings[0].type",
      /must be one of .*secret-input/,
    ],
    [
      "a setting needs an English label",
      { ...group, settings: [{ name: "s", type: "text-input" }] },
      "group/g.yaml settings[0].label.en_US",
      /is required/,
    ],
    ["routes are listed", { ...group, endpoints: [] }, "group/g.yaml endpoints", /must list the route YAML files/],
  ])("group: %s", (_name, value, field, message) => {
    expect(checkEndpointGroup("group/g.yaml", value)).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  it.each([
    ["path starts with /", { path: "a", method: "GET" }, "path", /must start with "\/"/],
    [
      "method is one the daemon accepts",
      { path: "/a", method: "PATCH" },
      "method",
      /HEAD, GET, POST, PUT, DELETE, OPTIONS/,
    ],
    ["method is upper case", { path: "/a", method: "get" }, "method", /upper case/],
    ["hidden is a boolean", { path: "/a", method: "GET", hidden: "yes" }, "hidden", /true or false/],
  ])("route: %s", (_name, value, field, message) => {
    expect(checkEndpointRoute("endpoints/a.yaml", value)).toEqual([
      { field: `endpoints/a.yaml ${field}`, message: expect.stringMatching(message) },
    ]);
  });

  it("requires the endpoint permission when the manifest lists endpoints", () => {
    expect(checkEndpointPermission({ plugins: { tools: ["provider/p.yaml"] } })).toEqual([]);
    expect(
      checkEndpointPermission({
        plugins: { endpoints: ["group/g.yaml"] },
        resource: { permission: { endpoint: { enabled: true } } },
      }),
    ).toEqual([]);
    expect(checkEndpointPermission({ plugins: { endpoints: ["group/g.yaml"] }, resource: {} })).toEqual([
      {
        field: "resource.permission.endpoint.enabled",
        message: expect.stringMatching(/daemon refuses to set up the endpoint/),
      },
    ]);
  });
});

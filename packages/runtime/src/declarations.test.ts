import { describe, expect, it } from "vitest";
import fixture from "./__fixtures__/fixture-plugin.js";
import {
  manifestDeclaration,
  providerFile,
  providerYaml,
  toolDeclaration,
  toolFile,
  toolYaml,
} from "./declarations.js";
import {
  checkAssetChunk,
  checkAssetsComplete,
  checkManifestDeclaration,
  checkToolDeclaration,
  type JsonObject,
} from "@dify-ts/protocol";

describe("declarations", () => {
  it("builds a manifest the daemon accepts", () => {
    const manifest = manifestDeclaration(fixture);
    expect(checkManifestDeclaration(manifest)).toEqual([]);
    expect(manifest).toMatchObject({
      version: "0.0.1",
      type: "plugin",
      author: "dify-ts",
      name: "fixture",
      plugins: { tools: ["provider/fixture.yaml"] },
      meta: {
        version: "0.0.1",
        arch: ["amd64", "arm64"],
        runner: { language: "python", version: "3.12", entrypoint: "main" },
      },
      resource: { memory: 268435456, permission: { storage: { enabled: true, size: 1048576 } } },
      created_at: "2026-01-01T00:00:00Z",
    });
    // Undeclared optional fields are left out, not sent as null.
    expect(manifest).not.toHaveProperty("icon_dark");
    expect(manifest).not.toHaveProperty("repo");
  });

  it("builds a tool declaration the daemon accepts: credentials as a named list, tools inline", () => {
    const declaration = toolDeclaration(fixture);
    expect(checkToolDeclaration([declaration])).toEqual([]);
    expect(declaration.credentials_schema).toEqual([
      { name: "api_key", type: "secret-input", required: true, label: { en_US: "API key", zh_Hans: "API key" } },
      {
        name: "region",
        type: "text-input",
        required: false,
        default: "us-east-1",
        label: { en_US: "Region", zh_Hans: "Region" },
      },
    ]);
    const tools = declaration.tools as JsonObject[];
    expect(tools.map((tool) => (tool.identity as JsonObject).name)).toEqual(
      fixture.tools!.map((tool) => tool.identity.name),
    );
    const kinds = tools.find((tool) => (tool.identity as JsonObject).name === "kinds")!;
    expect((kinds.parameters as JsonObject[]).map((p) => [p.name, p.type, p.form, p.required])).toEqual([
      ["s", "string", "llm", true],
      ["n", "number", "llm", false],
      ["b", "boolean", "form", false],
      ["choice", "select", "form", false],
      ["secret", "secret-input", "form", false],
      ["file", "file", "llm", false],
      ["files", "files", "llm", false],
    ]);
    expect((kinds.parameters as JsonObject[])[1]).toMatchObject({ min: 1, max: 10 });
    expect((kinds.parameters as JsonObject[])[3]!.options).toEqual([
      { value: "a", label: { en_US: "A", zh_Hans: "A" } },
      { value: "b", label: { en_US: "B", zh_Hans: "B" } },
    ]);
  });

  it("writes the YAML files' shapes: credentials as a mapping, tools as file paths", () => {
    const provider = providerYaml(fixture);
    expect(providerFile(fixture)).toBe("provider/fixture.yaml");
    expect(Object.keys(provider.credentials_for_provider as JsonObject)).toEqual(["api_key", "region"]);
    expect(provider.tools).toEqual(fixture.tools!.map(toolFile));
    const echo = toolYaml(fixture, fixture.tools![0]!);
    expect(echo).toMatchObject({
      identity: { name: "echo", author: "dify-ts" },
      description: { llm: "Echoes the text" },
    });
    expect(echo).not.toHaveProperty("has_runtime_parameters");
  });
});

describe("the daemon's declaration rules (so the checks above are not vacuous)", () => {
  it("catch what the Go structs refuse", () => {
    const manifest = {
      ...manifestDeclaration(fixture),
      name: "Fixture",
      version: "1.0",
      tags: ["nonsense"],
      label: { zh_Hans: "x" },
    };
    expect(checkManifestDeclaration(manifest)).toEqual([
      'version: "1.0" does not match /^\\d{1,4}(\\.\\d{1,4}){2}(-\\w{1,16})?$/',
      'name: "Fixture" does not match /^[a-z0-9_-]{1,128}$/',
      "label.en_US: required",
      'tags[0]: "nonsense" is not one of search, image, videos, weather, finance, design, travel, social, news, medical, productivity, education, business, entertainment, utilities, agent, rag, other, trigger',
    ]);
    const declaration = toolDeclaration(fixture);
    const broken = {
      ...declaration,
      identity: { ...(declaration.identity as JsonObject), icon: "" },
      credentials_schema: [{ name: "k", type: "password", label: { en_US: "K" } }],
    };
    expect(checkToolDeclaration([broken])).toEqual([
      "tool_declaration[0].identity.icon: required (empty)",
      'tool_declaration[0].credentials_schema[0].type: "password" is not one of secret-input, text-input, select, boolean, app-selector, model-selector, array[tools]',
    ]);
    expect(checkAssetChunk({ filename: "icon.svg", data: "", end: true })).toEqual([
      "asset_chunk.data: required (empty)",
    ]);
    expect(checkAssetsComplete(manifestDeclaration(fixture), [declaration], new Map())).toEqual([
      "assets: file not found: icon.svg (the daemon cannot remap the icon)",
    ]);
  });
});

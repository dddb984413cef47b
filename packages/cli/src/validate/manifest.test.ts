import { describe, expect, it } from "vitest";
import { checkManifest } from "./manifest.js";
import { isPep440 } from "./pep440.js";
import { checkProvider, checkTool } from "./provider.js";

const now = new Date("2026-06-01T00:00:00Z");
const valid = () => ({
  version: "1.2.3",
  type: "plugin",
  author: "acme",
  name: "hello",
  label: { en_US: "Hello", zh_Hans: "你好" },
  description: { en_US: "Greets" },
  icon: "icon.svg",
  resource: { memory: 268435456, permission: { storage: { enabled: true, size: 1048576 } } },
  plugins: { tools: ["provider/hello.yaml"] } as Record<string, string[]>,
  meta: {
    version: "0.0.1",
    arch: ["amd64", "arm64"],
    runner: { language: "python", version: "3.12", entrypoint: "main" },
  },
  created_at: "2026-01-15T10:00:00Z",
  tags: ["utilities"],
});
const files = new Set(["_assets/icon.svg"]);
type Manifest = ReturnType<typeof valid> & Record<string, unknown>;
const problemsOf = (change: (manifest: Manifest) => void) => {
  const manifest = valid() as Manifest;
  change(manifest);
  return checkManifest(manifest, { files, now });
};

describe("manifest rules (one failing case per rule)", () => {
  it("accepts a valid manifest", () => expect(checkManifest(valid(), { files, now })).toEqual([]));

  it.each([
    ["version: three numeric parts", (m: Manifest) => (m.version = "1.2"), "version", /MAJOR\.MINOR\.PATCH/],
    ["version: at most 4 digits each", (m: Manifest) => (m.version = "12345.0.0"), "version", /must match/],
    ["version: suffix must be PEP 440", (m: Manifest) => (m.version = "1.0.0-foo"), "version", /not a PEP 440 version/],
    ["type: plugin", (m: Manifest) => (m.type = "bundle"), "type", /must be "plugin"/],
    ["author: lowercase pattern", (m: Manifest) => (m.author = "Acme"), "author", /lowercase/],
    ["author: not langgenius", (m: Manifest) => (m.author = "langgenius"), "author", /must not be "langgenius"/],
    ["author: not a UUID", (m: Manifest) => (m.author = "0f8fad5b-d9cb-469f-a165-70867728950e"), "author", /UUID/],
    ["author: not a dashless UUID", (m: Manifest) => (m.author = "0f8fad5bd9cb469fa16570867728950e"), "author", /UUID/],
    ["name: lowercase pattern", (m: Manifest) => (m.name = "hello world"), "name", /must match/],
    ["label: en_US required", (m: Manifest) => (m.label = { en_US: "", zh_Hans: "你好" }), "label.en_US", /required/],
    [
      "label: shorter than 1024",
      (m: Manifest) => (m.label = { en_US: "x".repeat(1024), zh_Hans: "x" }),
      "label.en_US",
      /shorter than 1024/,
    ],
    ["description: required", (m: Manifest) => delete (m as Partial<Manifest>).description, "description", /required/],
    ["icon: required", (m: Manifest) => (m.icon = ""), "icon", /required/],
    [
      "icon: present in _assets",
      (m: Manifest) => (m.icon = "logo.png"),
      "icon logo.png",
      /_assets\/logo\.png is missing/,
    ],
    [
      "icon_dark: present in _assets",
      (m: Manifest) => (m.icon_dark = "dark.svg"),
      "icon dark.svg",
      /_assets\/dark\.svg is missing/,
    ],
    ["resource.memory > 0", (m: Manifest) => (m.resource.memory = 0), "resource.memory", /positive integer/],
    [
      "storage size >= 1024",
      (m: Manifest) => (m.resource.permission.storage.size = 10),
      "resource.permission.storage.size",
      /between 1024 and 1073741824/,
    ],
    [
      "storage size <= 1 GiB",
      (m: Manifest) => (m.resource.permission.storage.size = 2 ** 31),
      "resource.permission.storage.size",
      /between/,
    ],
    ["plugins: at least one category", (m: Manifest) => (m.plugins = {}), "plugins", /at least one of/],
    [
      "plugins: models exclusive",
      (m: Manifest) => (m.plugins.models = ["provider/m.yaml"]),
      "plugins.models",
      /cannot be combined with tools/,
    ],
    ["meta.version pattern", (m: Manifest) => (m.meta.version = "1"), "meta.version", /must match/],
    [
      "meta.arch values",
      (m: Manifest) => (m.meta.arch = ["amd64", "x86"]),
      "meta.arch",
      /"x86" is not one of amd64, arm64/,
    ],
    [
      "meta.runner.language python",
      (m: Manifest) => (m.meta.runner.language = "nodejs"),
      "meta.runner.language",
      /must be "python"/,
    ],
    [
      "meta.runner.entrypoint required",
      (m: Manifest) => (m.meta.runner.entrypoint = ""),
      "meta.runner.entrypoint",
      /required/,
    ],
    [
      "meta.minimum_dify_version PEP 440",
      (m: Manifest) => ((m.meta as Record<string, unknown>).minimum_dify_version = "latest"),
      "meta.minimum_dify_version",
      /PEP 440/,
    ],
    ["tags allowed", (m: Manifest) => (m.tags = ["utilities", "games"]), "tags", /"games" is not an allowed tag/],
    ["created_at RFC 3339", (m: Manifest) => (m.created_at = "15/01/2026"), "created_at", /RFC 3339/],
    [
      "created_at in the past",
      (m: Manifest) => (m.created_at = "2027-01-01T00:00:00Z"),
      "created_at",
      /must be in the past/,
    ],
    ["repo is a URL", (m: Manifest) => (m.repo = "not a url"), "repo", /must be a URL/],
  ])("%s", (_rule, change, field, message) => {
    const problems = problemsOf(change);
    expect(problems).toEqual([expect.objectContaining({ field, message: expect.stringMatching(message) })]);
  });

  it("allows tools together with endpoints", () => {
    expect(problemsOf((m) => (m.plugins.endpoints = ["endpoints/e.yaml"]))).toEqual([]);
  });

  it("reports every problem at once", () => {
    const problems = problemsOf((m) => {
      m.version = "x";
      m.author = "A";
      m.tags = ["nope"];
    });
    expect(problems.map((problem) => problem.field)).toEqual(["version", "author", "tags"]);
  });
});

describe("PEP 440", () => {
  it.each(["1.0.0", "1.0.0-beta1", "1.0.0-rc1", "1.0.0-post1", "1.0.0-dev3", "1.0.0-1", "1.0.0-a", "1.0.0_rc2"])(
    "accepts %s",
    (version) => expect(isPep440(version)).toBe(true),
  );
  it.each(["1.0.0-foo", "1.0.0-beta_x", "one"])("rejects %s", (version) => expect(isPep440(version)).toBe(false));
});

describe("provider and tool YAML rules", () => {
  const provider = {
    identity: { name: "hello", label: { en_US: "Hello" }, icon: "icon.svg", tags: ["utilities"] },
    credentials_for_provider: { key: { type: "secret-input", label: { en_US: "Key" } } },
    tools: ["tools/a.yaml"],
  };
  it("accepts a valid provider", () => expect(checkProvider("provider/hello.yaml", provider)).toEqual([]));
  it("names a bad credential type and tag", () => {
    const problems = checkProvider("provider/hello.yaml", {
      ...provider,
      identity: { ...provider.identity, tags: ["x"] },
      credentials_for_provider: { key: { type: "password", label: { en_US: "Key" } } },
    });
    expect(problems.map((problem) => problem.field)).toEqual([
      "provider/hello.yaml identity.tags",
      "provider/hello.yaml credentials_for_provider.key.type",
    ]);
  });
  it("names a bad parameter type and form", () => {
    const tool = {
      identity: { name: "a", label: { en_US: "A" } },
      description: { human: { en_US: "A" }, llm: "a" },
      parameters: [{ name: "p", type: "text", form: "prompt", human_description: { en_US: "p" } }],
    };
    expect(checkTool("tools/a.yaml", tool).map((problem) => problem.field)).toEqual([
      "tools/a.yaml parameters[0] (p).type",
      "tools/a.yaml parameters[0] (p).form",
    ]);
  });
  it("checks the OAuth schema's fields like credentials", () => {
    const oauth = {
      client_schema: [
        { name: "client_id", type: "text-input", label: { en_US: "Client ID" } },
        { name: "client_secret", type: "password", label: { en_US: "Secret" } },
      ],
      credentials_schema: [{ name: "access_token", type: "secret-input" }],
    };
    expect(checkProvider("provider/hello.yaml", { ...provider, oauth_schema: oauth })).toEqual([
      {
        field: "provider/hello.yaml oauth_schema.client_schema[1].type",
        message: expect.stringContaining('got "password"'),
      },
      { field: "provider/hello.yaml oauth_schema.credentials_schema[0].label.en_US", message: "is required" },
    ]);
    expect(checkProvider("provider/hello.yaml", { ...provider, oauth_schema: { client_schema: {} } })).toEqual([
      {
        field: "provider/hello.yaml oauth_schema.client_schema",
        message: "must be a list of fields, each with a name",
      },
    ]);
  });
  it("checks multiple, list defaults, date defaults and show_on as the SDK does", () => {
    const parameter = (fields: Record<string, unknown>) => ({
      name: "p",
      form: "form",
      human_description: { en_US: "p" },
      ...fields,
    });
    const tool = {
      identity: { name: "a", label: { en_US: "A" } },
      description: { human: { en_US: "A" }, llm: "a" },
      parameters: [
        parameter({ type: "dynamic-select", multiple: true, default: ["x"], show_on: [{ variable: "q", value: "1" }] }),
        parameter({ type: "string", multiple: true }),
        parameter({ type: "select", multiple: true, default: "x", options: [] }),
        parameter({ type: "dynamic-select", default: ["x"] }),
        parameter({ type: "date", default: "tomorrow" }),
        parameter({ type: "select", options: [{ value: "x", show_on: [{ variable: "q" }] }], show_on: {} }),
      ],
    };
    expect(checkTool("tools/a.yaml", tool)).toEqual([
      {
        field: "tools/a.yaml parameters[1] (p).multiple",
        message: "is only valid for select and dynamic-select parameters",
      },
      { field: "tools/a.yaml parameters[2] (p).default", message: "must be a list when multiple is true" },
      { field: "tools/a.yaml parameters[3] (p).default", message: "must not be a list unless multiple is true" },
      { field: "tools/a.yaml parameters[4] (p).default", message: 'must be a date as YYYY-MM-DD; got "tomorrow"' },
      { field: "tools/a.yaml parameters[5] (p).show_on", message: "must be a list of {variable, value}" },
      {
        field: "tools/a.yaml parameters[5] (p).options[0].show_on[0]",
        message: "must have a string variable and a string value",
      },
    ]);
  });
});

/**
 * `dify-ts init`: a new tool plugin that builds, packages and runs as it is:
 * one provider with an API-key credential, one tool, the icon, README and
 * privacy policy the marketplace asks for, and `.env.example` for `dify-ts dev`.
 * Inside this monorepo it joins the workspace (workspace:* dependencies, its
 * package written to the root dist/ by `pnpm build:all`).
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { UsageError } from "./project.js";
import { AUTHOR_PATTERN, PLUGIN_NAME_PATTERN as NAME_PATTERN } from "@dify-ts/protocol";

export interface InitOptions {
  /** Manifest author: your organisation or handle. */
  author: string;
  /** Manifest and provider name; default: the directory's name. */
  name?: string;
}

export interface InitResult {
  dir: string;
  name: string;
  /** The monorepo root when the plugin joined its workspace. */
  workspaceRoot?: string;
  /** Paths written, relative to `dir`. */
  files: string[];
}

const CLI_VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

export async function initPlugin(target: string, options: InitOptions): Promise<InitResult> {
  const dir = resolve(target);
  const name = options.name ?? basename(dir);
  if (!NAME_PATTERN.test(name)) {
    throw new UsageError(
      `plugin name ${JSON.stringify(name)} must match ${NAME_PATTERN} (lowercase letters, digits, _ and -): pass --name, e.g. --name ${suggestName(name)}`,
    );
  }
  if (!AUTHOR_PATTERN.test(options.author)) {
    throw new UsageError(
      `--author ${JSON.stringify(options.author)} must match ${AUTHOR_PATTERN} (lowercase letters, digits, _ and -; the daemon refuses uppercase)`,
    );
  }
  if (options.author === "langgenius")
    throw new UsageError(
      '--author must not be "langgenius": the daemon rejects unsigned langgenius packages; use your own organisation name',
    );
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new UsageError(`${dir} already exists and is not empty: choose a new directory`);

  const workspaceRoot = findWorkspaceRoot(dirname(dir));
  const files = templateFiles({
    name,
    author: options.author,
    toRoot: workspaceRoot && relative(dir, workspaceRoot).split(sep).join("/"),
  });
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return { dir, name, workspaceRoot, files: Object.keys(files) };
}

/** The dify-ts monorepo above `from`: a pnpm workspace whose packages/runtime is @dify-ts/runtime. */
function findWorkspaceRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const runtime = join(dir, "packages/runtime/package.json");
    if (existsSync(join(dir, "pnpm-workspace.yaml")) && existsSync(runtime)) {
      const { name } = JSON.parse(readFileSync(runtime, "utf8")) as { name?: string };
      if (name === "@dify-ts/runtime") return dir;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function suggestName(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "my_plugin"
  );
}

function title(name: string): string {
  return name
    .split(/[-_]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(" ");
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

const COMPILER_OPTIONS = {
  target: "ES2022",
  module: "NodeNext",
  moduleResolution: "NodeNext",
  lib: ["ES2023"],
  types: ["node"],
  strict: true,
  noUncheckedIndexedAccess: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  skipLibCheck: true,
  noEmit: true,
};

/** Every file of a new plugin; `toRoot` is the relative path to the monorepo root when it joins the workspace. */
function templateFiles({
  name,
  author,
  toRoot,
}: {
  name: string;
  author: string;
  toRoot?: string;
}): Record<string, string> {
  const label = title(name);
  const run = toRoot ? "pnpm run" : "npm run";
  const dependency = toRoot ? "workspace:*" : `^${CLI_VERSION}`;
  const files: Record<string, string> = {
    "package.json": json({
      name: toRoot ? `@dify-ts/plugin-${name}` : `dify-plugin-${name}`,
      version: "0.1.0",
      description: `${label}: a Dify tool plugin`,
      type: "module",
      private: true,
      scripts: {
        build: "dify-ts bundle .",
        package: toRoot ? `dify-ts package . --out-dir ${toRoot}/dist` : "dify-ts package . --out-dir dist",
        typecheck: "tsc --noEmit",
        invoke: 'dify-ts invoke . --tool hello --params \'{"name":"Dify"}\' --credentials @credentials.json',
        dev: "dify-ts dev .",
      },
      dependencies: { "@dify-ts/runtime": dependency },
      devDependencies: toRoot
        ? { "@dify-ts/cli": dependency }
        : { "@dify-ts/cli": dependency, "@types/node": "^24.0.0", typescript: "^5.9.0" },
      engines: { node: ">=20.11" },
    }),
    "tsconfig.json": toRoot
      ? json({
          extends: `${toRoot}/tsconfig.base.json`,
          compilerOptions: { noEmit: true, rootDir: "." },
          include: ["src"],
        })
      : json({ compilerOptions: COMPILER_OPTIONS, include: ["src"] }),
    "src/main.ts":
      'import { runPlugin } from "@dify-ts/runtime";\nimport plugin from "./plugin.js";\n\nawait runPlugin(plugin);\n',
    "src/plugin.ts": `import { definePlugin } from "@dify-ts/runtime";
import { provider } from "./provider.js";
import { hello } from "./tools/hello.js";

export default definePlugin({
  manifest: {
    author: ${JSON.stringify(author)},
    name: ${JSON.stringify(name)},
    version: "0.1.0",
    label: { en_US: ${JSON.stringify(label)}, zh_Hans: ${JSON.stringify(label)} },
    description: { en_US: ${JSON.stringify(`${label}: a Dify tool plugin`)}, zh_Hans: ${JSON.stringify(`${label}：Dify 工具插件`)} },
    icon: "icon.svg",
    created_at: ${JSON.stringify(new Date().toISOString().replace(/\.\d+Z$/, "Z"))},
    tags: ["utilities"],
    resource: { memory: 268435456 },
    privacy: "PRIVACY.md",
  },
  provider,
  tools: [hello],
});
`,
    "src/provider.ts": `import { CredentialValidationError, defineProvider } from "@dify-ts/runtime";

export const provider = defineProvider({
  identity: {
    name: ${JSON.stringify(name)},
    label: { en_US: ${JSON.stringify(label)}, zh_Hans: ${JSON.stringify(label)} },
    description: { en_US: ${JSON.stringify(`${label} tools`)}, zh_Hans: ${JSON.stringify(`${label} 工具`)} },
    icon: "icon.svg",
    tags: ["utilities"],
  },
  credentials: {
    api_key: {
      type: "secret-input",
      required: true,
      label: { en_US: "API key", zh_Hans: "API 密钥" },
      help: { en_US: "The key of the service this plugin calls", zh_Hans: "此插件所调用服务的密钥" },
    },
  },
  // Dify calls this when a user saves the credentials (required fields are already checked):
  // replace the length check with a call to your service, throwing when it refuses the key.
  async validateCredentials(credentials) {
    if (credentials.api_key.length < 8) throw new CredentialValidationError("the API key is too short: expected at least 8 characters");
  },
});
`,
    "src/tools/hello.ts": `import { text } from "@dify-ts/runtime";
import { provider } from "../provider.js";

export const hello = provider.defineTool({
  identity: { name: "hello", label: { en_US: "Hello", zh_Hans: "你好" } },
  description: { human: { en_US: "Greets someone", zh_Hans: "向某人问好" }, llm: "Greets the person named by the name parameter" },
  parameters: {
    name: {
      type: "string",
      required: true,
      form: "llm",
      label: { en_US: "Name", zh_Hans: "名字" },
      human_description: { en_US: "Who to greet", zh_Hans: "要问候的人" },
      llm_description: "The name of the person to greet",
    },
  },
  async handler(params) {
    return text(\`Hello, \${params.name}!\`);
  },
});
`,
    "_assets/icon.svg":
      '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24"><rect width="24" height="24" rx="6" fill="#1c64f2"/></svg>\n',
    "PRIVACY.md": `# Privacy policy\n\n${label} sends the tool parameters it receives to the service it calls, with the API key you configure, and keeps nothing after a call returns.\n`,
    "README.md": `# ${label}

A Dify tool plugin written in TypeScript on @dify-ts/runtime.

- \`src/plugin.ts\`: the manifest; \`src/provider.ts\`: the credentials and their validation; \`src/tools/\`: one file per tool.
- \`${toRoot ? "pnpm build:all" : "npm run package"}\` (after \`${toRoot ? "pnpm" : "npm"} install\`) writes the \`.difypkg\` to install in Dify (Plugins, Install from local package file).
- \`${run} invoke\` runs the \`hello\` tool as the daemon would (put \`{"api_key": "..."}\` in \`credentials.json\`).
- \`${run} dev\` connects to Dify for remote debugging: copy \`.env.example\` to \`.env\` and fill in the values from Dify's Plugins page.
`,
    ".env.example":
      "# From Dify: Plugins, the debugging button. dify-ts dev reads .env.\nREMOTE_INSTALL_URL=localhost:5003\nREMOTE_INSTALL_KEY=\n",
    ".gitignore": "node_modules/\nbuild/\ndist/\n.env\ncredentials.json\n*.difypkg\n",
  };
  if (toRoot) {
    files["turbo.json"] = json({
      $schema: "https://turbo.build/schema.json",
      extends: ["//"],
      tasks: { package: { outputs: [`$TURBO_ROOT$/dist/${name}-*.difypkg`] } },
    });
  }
  return files;
}

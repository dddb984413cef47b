/** A plugin that exercises the runtime: every message kind, failures, slowness, backwards calls. */
import {
  CredentialValidationError,
  blob,
  defineProvider,
  definePlugin,
  image,
  json,
  link,
  log,
  localized,
  streamVariable,
  text,
  variable,
  type PluginDefinition,
  type StartContext,
} from "../index.js";
import { fixtureTools } from "./fixture-tools.js";

const provider = defineProvider({
  identity: {
    name: "fixture",
    label: localized("Fixture"),
    description: localized("Runtime test fixture"),
    icon: "icon.svg",
    tags: ["utilities"],
  },
  credentials: {
    api_key: { type: "secret-input", required: true, label: localized("API key") },
    region: { type: "text-input", default: "us-east-1", label: localized("Region") },
  },
  async validateCredentials(credentials) {
    if (credentials.api_key === "bad") throw new CredentialValidationError("the API key was rejected");
  },
});

const echo = provider.defineTool({
  identity: { name: "echo", label: localized("Echo") },
  description: { human: localized("Echoes its input"), llm: "Echoes the text" },
  parameters: {
    text: {
      type: "string",
      required: true,
      form: "llm",
      label: localized("Text"),
      human_description: localized("Text to echo"),
      llm_description: "text",
    },
  },
  async handler(params) {
    return text(params.text);
  },
});

const noisy = provider.defineTool({
  identity: { name: "noisy", label: localized("Noisy") },
  description: { human: localized("Prints to stdout like a careless dependency"), llm: "Prints" },
  parameters: {},
  async handler() {
    console.log("a dependency printing to stdout");
    return text("printed");
  },
});

const leaky = provider.defineTool({
  identity: { name: "leaky", label: localized("Leaky") },
  description: { human: localized("Prints credentials like a careless dependency"), llm: "Prints" },
  parameters: {
    derived: {
      type: "string",
      form: "llm",
      label: localized("Derived secret"),
      human_description: localized("Registered, then printed"),
    },
  },
  async handler(params, context) {
    if (params.derived) context.secrets.add(params.derived);
    const key = context.credentials.api_key;
    // A partial line over the held limit (64 Ki characters) is written at once: the key straddles that write.
    // First, so the test's 64 KiB of stderr still holds the lines after it.
    process.stderr.write("y".repeat(40_000));
    process.stderr.write(`${"y".repeat(30_000)} ${key.slice(0, 5)}`);
    process.stderr.write(`${key.slice(5)} after a long line\n`);
    console.error(`401 Incorrect API key provided: Bearer ${key}`);
    console.log(`fetch failed for http://user:${key}@127.0.0.1:1/v1 derived=${params.derived ?? ""}`);
    process.stderr.write(`split ${key.slice(0, 5)}`);
    process.stderr.write(`${key.slice(5)} across writes\n`);
    // A partial line is written at the next turn of the event loop: the rest of the key comes two turns later.
    process.stderr.write(`split ${key.slice(0, 5)}`);
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    process.stderr.write(`${key.slice(5)} across turns\n`);
    process.stderr.write(`in a URL http://user:${key.slice(0, 5)}`);
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    process.stderr.write(`${key.slice(5)}-unregistered@127.0.0.1:1/v1 across turns\n`);
    return text("leaked nothing");
  },
});

const messages = provider.defineTool({
  identity: { name: "messages", label: localized("Messages") },
  description: { human: localized("Emits every message kind"), llm: "Emits messages" },
  parameters: {
    blob_bytes: {
      type: "number",
      form: "form",
      default: 1024,
      min: 0,
      label: localized("Blob bytes"),
      human_description: localized("Size of the blob"),
    },
    text_bytes: {
      type: "number",
      form: "form",
      default: 5,
      min: 0,
      label: localized("Text bytes"),
      human_description: localized("Size of the text"),
    },
  },
  async *handler(params, context) {
    yield text("x".repeat(params.text_bytes));
    yield json({ region: context.credentials.region, user: context.session.userId ?? null });
    yield link("https://example.com/a");
    yield image("https://example.com/a.png");
    const bytes = Buffer.alloc(params.blob_bytes);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
    yield blob(bytes, { mime_type: "application/octet-stream", filename: "data.bin" });
    yield variable("answer", 42);
    yield streamVariable("story", "once ");
    yield streamVariable("story", "upon");
    yield log("step", "success", { ok: true });
  },
});

const fail = provider.defineTool({
  identity: { name: "fail", label: localized("Fail") },
  description: { human: localized("Throws"), llm: "Throws" },
  parameters: {
    secret: {
      type: "secret-input",
      form: "form",
      label: localized("Secret"),
      human_description: localized("A secret the error quotes"),
    },
  },
  async handler(params, context) {
    throw new Error(`boom with key ${context.credentials.api_key}${params.secret ? ` and ${params.secret}` : ""}`);
  },
});

const sleep = provider.defineTool({
  identity: { name: "sleep", label: localized("Sleep") },
  description: { human: localized("Sleeps"), llm: "Sleeps" },
  parameters: {
    ms: {
      type: "number",
      required: true,
      form: "llm",
      label: localized("Milliseconds"),
      human_description: localized("How long"),
    },
  },
  async handler(params) {
    // Tests wait for this line to know the session is running (never for a fixed time).
    process.stderr.write(`sleep ${params.ms} started\n`);
    await new Promise((resolve) => setTimeout(resolve, params.ms));
    return text(`slept ${params.ms}`);
  },
});

const kinds = provider.defineTool({
  identity: { name: "kinds", label: localized("Kinds") },
  description: { human: localized("Every parameter type"), llm: "Parameter types" },
  parameters: {
    s: { type: "string", required: true, form: "llm", label: localized("S"), human_description: localized("string") },
    n: { type: "number", form: "llm", min: 1, max: 10, label: localized("N"), human_description: localized("number") },
    b: {
      type: "boolean",
      form: "form",
      default: false,
      label: localized("B"),
      human_description: localized("boolean"),
    },
    choice: {
      type: "select",
      form: "form",
      options: [
        { value: "a", label: localized("A") },
        { value: "b", label: localized("B") },
      ],
      label: localized("Choice"),
      human_description: localized("select"),
    },
    secret: { type: "secret-input", form: "form", label: localized("Secret"), human_description: localized("secret") },
    file: { type: "file", form: "llm", label: localized("File"), human_description: localized("file") },
    files: { type: "files", form: "llm", label: localized("Files"), human_description: localized("files") },
  },
  async handler(params) {
    return json({
      s: params.s,
      n: params.n ?? null,
      b: params.b,
      choice: params.choice ?? null,
      file: params.file?.url ?? null,
      files: (params.files ?? []).length,
    });
  },
});

const storage = provider.defineTool({
  identity: { name: "storage", label: localized("Storage") },
  description: { human: localized("Reads Dify storage"), llm: "Storage" },
  parameters: {
    key: { type: "string", required: true, form: "llm", label: localized("Key"), human_description: localized("key") },
  },
  async handler(params, context) {
    const value = await context.dify.storage.get(params.key);
    return text(`value=${value.toString()}`);
  },
});

const manifest: PluginDefinition["manifest"] = {
  author: "dify-ts",
  name: "fixture",
  version: "0.0.1",
  label: localized("Fixture"),
  description: localized("Runtime test fixture"),
  icon: "icon.svg",
  created_at: "2026-01-01T00:00:00Z",
  tags: ["utilities"],
  resource: {
    memory: 268435456,
    permission: {
      storage: { enabled: true, size: 1048576 },
      tool: { enabled: true },
      model: {
        enabled: true,
        llm: true,
        text_embedding: true,
        rerank: true,
        tts: true,
        speech2text: true,
        moderation: true,
      },
      node: { enabled: true },
      app: { enabled: true },
    },
  },
};

const tools = [echo, noisy, leaky, messages, fail, sleep, kinds, storage, ...fixtureTools(provider)];

/** Logs through the protocol and reports on stderr when shutdown aborts its signal. */
function onStart({ logger, signal }: StartContext): void {
  logger.info("fixture started");
  signal.addEventListener("abort", () =>
    process.stderr.write(`fixture start signal aborted: ${String((signal.reason as Error).message)}\n`),
  );
}

async function onShutdown(): Promise<void> {
  // Written to stderr so tests can see the hook ran after the sessions drained.
  process.stderr.write("fixture shutdown hook ran\n");
}

export default definePlugin({ manifest, provider, tools, onStart, onShutdown });

/** The same plugin without any backwards-invocation permission: calls must be refused before they leave. */
export const restrictedPlugin = definePlugin({
  manifest: { ...manifest, resource: { memory: manifest.resource.memory } },
  provider,
  tools,
  onShutdown,
});

/** Fixture tools for the robustness, logging and backwards-invocation tests. */
import { blob, json, text, type Provider } from "../index.js";
import type { CredentialFields } from "../definitions.js";

const l = (en: string) => ({ en_US: en, zh_Hans: en });

/** Deterministic bytes: the test rebuilds them to compare. */
export function patternBytes(offset: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = ((offset + i) * 131 + 17) & 0xff;
  return bytes;
}

/** Text with 1-, 2-, 3- and 4-byte UTF-8 characters. */
export const MULTIBYTE_UNIT = "aé中😀";

export function fixtureTools<C extends CredentialFields>(provider: Provider<C>) {
  const big = provider.defineTool({
    identity: { name: "big", label: l("Big") },
    description: { human: l("Emits a large blob and a large text"), llm: "Large output" },
    parameters: {
      blob_mb: { type: "number", form: "form", default: 0, min: 0, label: l("Blob MB"), human_description: l("Blob size in MiB") },
      text_mb: { type: "number", form: "form", default: 0, min: 0, label: l("Text MB"), human_description: l("Text size in MiB (UTF-8)") },
    },
    async *handler(params) {
      const size = params.blob_mb * 1024 * 1024;
      async function* pieces() {
        for (let offset = 0; offset < size; offset += 1024 * 1024) yield patternBytes(offset, Math.min(1024 * 1024, size - offset));
      }
      if (size > 0) yield blob(pieces(), { mime_type: "application/octet-stream", filename: "big.bin" }, size);
      const units = Math.floor((params.text_mb * 1024 * 1024) / Buffer.byteLength(MULTIBYTE_UNIT));
      if (units > 0) yield text(MULTIBYTE_UNIT.repeat(units));
    },
  });

  const hang = provider.defineTool({
    identity: { name: "hang", label: l("Hang") },
    description: { human: l("Never finishes"), llm: "Hangs" },
    parameters: {},
    async handler(_params, context) {
      // Tests read this line to see that the session's signal reached the handler.
      context.signal.addEventListener("abort", () => process.stderr.write(`hang aborted: ${(context.signal.reason as Error).message}\n`));
      process.stderr.write("hang started\n");
      await new Promise(() => {});
    },
  });

  const sequence = provider.defineTool({
    identity: { name: "sequence", label: l("Sequence") },
    description: { human: l("Emits numbered messages with pauses"), llm: "Sequence" },
    parameters: {
      tag: { type: "string", required: true, form: "llm", label: l("Tag"), human_description: l("Prefix") },
      count: { type: "number", required: true, form: "llm", min: 0, label: l("Count"), human_description: l("How many") },
    },
    async *handler(params) {
      for (let i = 0; i < params.count; i++) {
        // Yield to the event loop so sessions interleave on the wire.
        await new Promise((resolve) => setImmediate(resolve));
        yield text(`${params.tag}:${i}`);
      }
    },
  });

  const stray = provider.defineTool({
    identity: { name: "stray", label: l("Stray") },
    description: { human: l("Leaves an uncaught exception and an unhandled rejection behind"), llm: "Stray errors" },
    parameters: {},
    async handler(_params, context) {
      const key = String((context.credentials as Record<string, unknown>).api_key);
      setTimeout(() => {
        throw new Error(`stray failure with key ${key}`);
      }, 10);
      void Promise.reject(new Error(`stray rejection with key ${key}`));
      return text("scheduled");
    },
  });

  const logs = provider.defineTool({
    identity: { name: "logs", label: l("Logs") },
    description: { human: l("Logs at every level"), llm: "Logs" },
    parameters: {},
    async handler(_params, context) {
      const key = String((context.credentials as Record<string, unknown>).api_key);
      context.logger.debug(`debug ${key}`);
      context.logger.info(`info ${key}`);
      context.logger.warn(`warn ${key}`);
      context.logger.error(`error ${key}`, new Error(`cause ${key}`));
      context.logger.info(`long ${"x".repeat(200_000)}`);
      return text("logged");
    },
  });

  const backwards = provider.defineTool({
    identity: { name: "backwards", label: l("Backwards") },
    description: { human: l("Calls back into Dify"), llm: "Backwards" },
    parameters: {
      op: {
        type: "select", required: true, form: "form", label: l("Operation"), human_description: l("What to call"),
        options: ["storage_set", "storage_get", "storage_exist", "storage_delete", "tool", "llm"].map((value) => ({ value, label: l(value) })),
      },
      key: { type: "string", form: "llm", default: "k", label: l("Key"), human_description: l("Storage key") },
      value: { type: "string", form: "llm", default: "v", label: l("Value"), human_description: l("Storage value") },
    },
    async handler(params, context) {
      // Logged before the call leaves, so a test can see the session stream while the call is pending.
      context.logger.info(`backwards ${params.op}`);
      const storage = context.dify.storage;
      switch (params.op) {
        case "storage_set":
          await storage.set(params.key, Buffer.from(params.value));
          return json({ ok: true });
        case "storage_get":
          return json({ value: (await storage.get(params.key)).toString() });
        case "storage_exist":
          return json({ exists: await storage.exist(params.key) });
        case "storage_delete":
          await storage.delete(params.key);
          return json({ ok: true });
        case "tool": {
          const messages = [];
          for await (const message of context.dify.tool.invoke({ tool_type: "builtin", provider: "time", tool: "current_time", tool_parameters: { timezone: "UTC" } })) messages.push(message);
          return json({ messages });
        }
        case "llm": {
          let answer = "";
          for await (const chunk of context.dify.model.llm({ provider: "openai", model: "gpt", mode: "chat", prompt_messages: [{ role: "user", content: "hi" }], stream: true })) {
            answer += String(((chunk.delta as { message?: { content?: string } } | undefined)?.message?.content) ?? "");
          }
          return text(answer);
        }
      }
    },
  });

  const dynamic = provider.defineTool({
    identity: { name: "dynamic", label: l("Dynamic") },
    description: { human: l("Has parameters computed at run time"), llm: "Dynamic" },
    parameters: {},
    async handler() {
      return text("dynamic");
    },
    async runtimeParameters(context) {
      const region = String((context.credentials as Record<string, unknown>).region);
      return [{ name: "bucket", type: "select", options: [{ value: `${region}-bucket`, label: l(`${region} bucket`) }] }];
    },
  });

  return [big, hang, sequence, stray, logs, backwards, dynamic];
}

/** Fixture tools for the robustness, logging and backwards-invocation tests. */
import { blob, json, localized, text, type Provider } from "../index.js";
import type { CredentialFields } from "../definitions.js";

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
    identity: { name: "big", label: localized("Big") },
    description: { human: localized("Emits a large blob and a large text"), llm: "Large output" },
    parameters: {
      blob_mb: {
        type: "number",
        form: "form",
        default: 0,
        min: 0,
        label: localized("Blob MB"),
        human_description: localized("Blob size in MiB"),
      },
      text_mb: {
        type: "number",
        form: "form",
        default: 0,
        min: 0,
        label: localized("Text MB"),
        human_description: localized("Text size in MiB (UTF-8)"),
      },
    },
    async *handler(params) {
      const size = params.blob_mb * 1024 * 1024;
      async function* pieces() {
        for (let offset = 0; offset < size; offset += 1024 * 1024)
          yield patternBytes(offset, Math.min(1024 * 1024, size - offset));
      }
      if (size > 0) yield blob(pieces(), { mime_type: "application/octet-stream", filename: "big.bin" }, size);
      const units = Math.floor((params.text_mb * 1024 * 1024) / Buffer.byteLength(MULTIBYTE_UNIT));
      if (units > 0) yield text(MULTIBYTE_UNIT.repeat(units));
    },
  });

  const hang = provider.defineTool({
    identity: { name: "hang", label: localized("Hang") },
    description: { human: localized("Never finishes"), llm: "Hangs" },
    parameters: {},
    async handler(_params, context) {
      // Tests read this line to see that the session's signal reached the handler.
      context.signal.addEventListener("abort", () =>
        process.stderr.write(`hang aborted: ${(context.signal.reason as Error).message}\n`),
      );
      process.stderr.write("hang started\n");
      await new Promise(() => {});
    },
  });

  const sequence = provider.defineTool({
    identity: { name: "sequence", label: localized("Sequence") },
    description: { human: localized("Emits numbered messages with pauses"), llm: "Sequence" },
    parameters: {
      tag: {
        type: "string",
        required: true,
        form: "llm",
        label: localized("Tag"),
        human_description: localized("Prefix"),
      },
      count: {
        type: "number",
        required: true,
        form: "llm",
        min: 0,
        label: localized("Count"),
        human_description: localized("How many"),
      },
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
    identity: { name: "stray", label: localized("Stray") },
    description: {
      human: localized("Leaves an uncaught exception and an unhandled rejection behind"),
      llm: "Stray errors",
    },
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
    identity: { name: "logs", label: localized("Logs") },
    description: { human: localized("Logs at every level"), llm: "Logs" },
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
    identity: { name: "backwards", label: localized("Backwards") },
    description: { human: localized("Calls back into Dify"), llm: "Backwards" },
    parameters: {
      op: {
        type: "select",
        required: true,
        form: "form",
        label: localized("Operation"),
        human_description: localized("What to call"),
        options: ["storage_set", "storage_get", "storage_exist", "storage_delete", "tool", "llm"].map((value) => ({
          value,
          label: localized(value),
        })),
      },
      key: {
        type: "string",
        form: "llm",
        default: "k",
        label: localized("Key"),
        human_description: localized("Storage key"),
      },
      value: {
        type: "string",
        form: "llm",
        default: "v",
        label: localized("Value"),
        human_description: localized("Storage value"),
      },
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
          for await (const message of context.dify.tool.invoke({
            tool_type: "builtin",
            provider: "time",
            tool: "current_time",
            tool_parameters: { timezone: "UTC" },
          }))
            messages.push(message);
          return json({ messages });
        }
        case "llm": {
          let answer = "";
          for await (const chunk of context.dify.model.llm({
            provider: "openai",
            model: "gpt",
            mode: "chat",
            prompt_messages: [{ role: "user", content: "hi" }],
            stream: true,
          })) {
            answer += String((chunk.delta as { message?: { content?: string } } | undefined)?.message?.content ?? "");
          }
          return text(answer);
        }
      }
    },
  });

  const dynamic = provider.defineTool({
    identity: { name: "dynamic", label: localized("Dynamic") },
    description: { human: localized("Has parameters computed at run time"), llm: "Dynamic" },
    parameters: {},
    async handler() {
      return text("dynamic");
    },
    async runtimeParameters(context) {
      const region = String((context.credentials as Record<string, unknown>).region);
      return [
        {
          name: "bucket",
          type: "select",
          options: [{ value: `${region}-bucket`, label: localized(`${region} bucket`) }],
        },
      ];
    },
  });

  return [big, hang, sequence, stray, logs, backwards, dynamic];
}

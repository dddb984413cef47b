/** Fixture tools for the robustness, logging and backwards-invocation tests. */
import { blob, localized, text, type Provider } from "../index.js";
import type { CredentialFields } from "../definitions.js";
import { backwardsTool } from "./backwards-tool.js";

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

  const backwards = backwardsTool(provider);

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

/**
 * The daemon's tenant storage, for stand-ins: values kept in memory under (tenant, plugin id, key) as the daemon's
 * persistence keys them, and storage invocations answered as its executeDifyInvocationStorageTask answers them (values
 * hex-encoded, a missing key an error). Keep one instance across plugin restarts to model a daemon that stays up.
 */
import type { JsonObject } from "@dify-ts/protocol";
import type { BackwardsReply } from "./serverless.js";

/** The daemon's longest key (persistence.Save). */
const MAX_KEY_LENGTH = 256;

export class TenantStorage {
  /** Storage invocations answered, by `opt`: tests state what a call costs from it. */
  readonly answered = new Map<string, number>();
  private readonly values = new Map<string, Buffer>();

  /** `pluginId`: author/name, as the daemon keys storage (it survives upgrades); `maxBytes` per tenant (manifest's size). */
  constructor(
    readonly pluginId: string,
    private readonly maxBytes = 1024 * 1024,
  ) {}

  /** The stored value, as the plugin of `tenant` reads it. */
  read(tenant: string, key: string): Buffer | undefined {
    return this.values.get(this.slot(tenant, key));
  }

  /**
   * The daemon's answer to `invoke` (a session's `invoke` message data) from `tenant`, or undefined when it is no
   * storage invocation. For a serverless plugin: `BackwardsTransactionServer.start((invoke) => storage.answer(invoke, tenant) ?? [])`.
   */
  answer(invoke: JsonObject, tenant: string): readonly BackwardsReply[] | undefined {
    if (invoke.type !== "storage") return undefined;
    const request = (invoke.request ?? {}) as JsonObject;
    const opt = String(request.opt);
    const key = String(request.key ?? "");
    this.answered.set(opt, (this.answered.get(opt) ?? 0) + 1);
    const slot = this.slot(tenant, key);
    const respond = (data: JsonObject): BackwardsReply[] => [{ event: "response", data }, { event: "end" }];
    const fail = (message: string): BackwardsReply[] => [{ event: "error", data: {}, message }];
    switch (opt) {
      case "get": {
        const value = this.values.get(slot);
        if (!value) return fail("load data failed, please check if the key is correct or you have not set it");
        return respond({ data: value.toString("hex") });
      }
      case "set": {
        if (key.length > MAX_KEY_LENGTH || key.includes(".."))
          return fail(`save data failed: invalid key ${JSON.stringify(key.slice(0, 40))}`);
        const value = Buffer.from(String(request.value ?? ""), "hex");
        const used = this.bytesOf(tenant) - (this.values.get(slot)?.length ?? 0);
        if (used + value.length > this.maxBytes)
          return fail("save data failed: allocated size is greater than max storage size");
        this.values.set(slot, value);
        return respond({ data: "ok" });
      }
      case "exist":
        return respond({ data: this.values.has(slot), exist_num: this.values.has(slot) ? 1 : 0 });
      case "del": {
        const deleted = this.values.delete(slot);
        return respond({ data: "ok", deleted_num: deleted ? 1 : 0 });
      }
      default:
        return fail(`unknown storage opt ${JSON.stringify(opt)}`);
    }
  }

  private slot(tenant: string, key: string): string {
    return JSON.stringify([tenant, this.pluginId, key]);
  }

  private bytesOf(tenant: string): number {
    let bytes = 0;
    const prefix = JSON.stringify([tenant, this.pluginId]).slice(0, -1) + ",";
    for (const [slot, value] of this.values) if (slot.startsWith(prefix)) bytes += value.length;
    return bytes;
  }
}

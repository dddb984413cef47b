/**
 * forget_memories: deletes the memories of one user (and agent, run) that
 * the forgetting curve has let go (src/lifecycle/retention.ts), or that are
 * older than a hard TTL; dry_run only lists them. Never reads or deletes
 * outside the scope: the listing is scoped, and each deletion carries the
 * scope as its owner check.
 */
import { localized, type JsonObject } from "@dify-ts/runtime";
import { accessLogIn } from "../lifecycle/access-log.js";
import { DEFAULT_POLICY, judge, type RetentionPolicy } from "../lifecycle/retention.js";
import { listFilters, parseFilters, scopeFields } from "../memory/filters.js";
import { toStoredItem, type StoredItem } from "../memory/results.js";
import { provider } from "../provider.js";
import { ownedBy } from "../scope.js";
import { memoryService } from "../plugin-service.js";
import { boundResults, respond, scopeOf, scopeParameters, setupFor } from "./shared.js";

/** The most memories one call looks at; a user with more is handled over several calls. */
export const MAX_FORGET_SCAN = 10_000;

const LIST_TIMEOUT_MS = 60_000;

interface Forgotten extends JsonObject {
  id: string;
  memory: string;
  reason: "decayed" | "ttl";
  retention: number;
  access_count: number;
  last_accessed_at: string | null;
  created_at: string | null;
}

export const forgetMemories = provider.defineTool({
  identity: { name: "forget_memories", label: localized("Forget Memories", "遗忘记忆") },
  description: {
    human: localized(
      "Deletes a user's memories that were not recalled for long (a forgetting curve) or are older than a TTL; dry run lists them only",
      "删除长期未被回忆（遗忘曲线）或超过有效期的用户记忆；试运行只列出",
    ),
    llm: "Removes the user's stale memories: those rarely or never recalled by search for a long time, and those older than memory_ttl_days. Set dry_run to list them without deleting.",
  },
  parameters: {
    ...scopeParameters,
    dry_run: {
      type: "boolean",
      form: "llm",
      default: false,
      label: localized("Dry run", "试运行"),
      human_description: localized("Only list what would be forgotten", "只列出将被遗忘的记忆，不删除"),
      llm_description: "True to only list the memories that would be forgotten, deleting nothing.",
    },
    memory_ttl_days: {
      type: "number",
      form: "form",
      min: 0,
      label: localized("Memory TTL (days)", "记忆有效期（天）"),
      human_description: localized(
        "Optional: memories created longer ago than this are forgotten even if recalled",
        "可选：创建时间超过该天数的记忆无论是否被回忆都会被遗忘",
      ),
    },
    stability_days: {
      type: "number",
      form: "form",
      default: DEFAULT_POLICY.stabilityDays,
      min: 0.01,
      label: localized("Stability (days)", "记忆稳定期（天）"),
      human_description: localized(
        "How slowly a memory never recalled fades; each recall multiplies it (1 + recalls)",
        "从未被回忆的记忆的衰减速度；每次回忆按 (1 + 次数) 倍增",
      ),
    },
    retention_threshold: {
      type: "number",
      form: "form",
      default: DEFAULT_POLICY.threshold,
      min: 0,
      max: 1,
      label: localized("Retention threshold", "保留阈值"),
      human_description: localized(
        "Memories whose retention (0 to 1) fell below this are forgotten",
        "保留度（0 到 1）低于该值的记忆将被遗忘",
      ),
    },
  },
  async handler(params, context) {
    const scoped = scopeOf(params, null);
    if ("failure" in scoped) return scoped.failure;
    const configured = await setupFor(context, null);
    if ("failure" in configured) return configured.failure;
    const service = memoryService();
    const { scope } = scoped;
    const { setup } = configured;
    const dryRun = params.dry_run ?? false;
    const policy: RetentionPolicy = {
      stabilityDays: params.stability_days ?? DEFAULT_POLICY.stabilityDays,
      threshold: params.retention_threshold ?? DEFAULT_POLICY.threshold,
      ...(params.memory_ttl_days !== undefined && { ttlDays: params.memory_ttl_days }),
    };
    const request = { ...scopeFields(scope), dry_run: dryRun };

    const listing = await service.read<StoredItem[] | null>(
      setup,
      "forget_memories",
      { timeoutMs: LIST_TIMEOUT_MS, fallback: null, signal: context.signal },
      async (memory) =>
        (await memory.getAll({ filters: listFilters(scope, parseFilters(undefined)), topK: MAX_FORGET_SCAN })).results
          // The listing is scoped already; this keeps a store's filtering bug from reaching another user.
          .filter((item) => ownedBy(item, scope))
          .map(toStoredItem),
    );
    if (listing.status !== "SUCCESS" || listing.value === null) {
      const problem = listing.status === "SUCCESS" ? "forget_memories failed" : listing.problem;
      return respond(
        listing.status === "TIMEOUT" ? "TIMEOUT" : "ERROR",
        problem,
        null,
        `${problem}; nothing forgotten.`,
      );
    }
    const memories = listing.value;
    const now = service.settings.now();
    const log = accessLogIn(setup.storeDirectory);
    const records = log.lookup(
      memories.map((item) => item.id),
      scope.user_id,
    );
    const forgotten: Forgotten[] = [];
    for (const item of memories) {
      const record = records.get(item.id);
      const createdAt = item.created_at === null ? undefined : Date.parse(item.created_at);
      const verdict = judge(
        {
          createdAt: Number.isFinite(createdAt) ? createdAt : undefined,
          recalls: record?.count ?? 0,
          lastRecall: record?.lastAccess,
        },
        policy,
        now,
      );
      if (verdict.keep) continue;
      forgotten.push({
        id: item.id,
        memory: item.memory,
        reason: verdict.reason,
        retention: Math.round(verdict.retention * 10000) / 10000,
        access_count: record?.count ?? 0,
        last_accessed_at: record ? new Date(record.lastAccess).toISOString() : null,
        created_at: item.created_at,
      });
    }

    const failures: string[] = [];
    if (!dryRun) {
      const gone: string[] = [];
      for (const item of forgotten) {
        const outcome = await service.write(context.credentials, setup, {
          op: "delete",
          memory_id: item.id,
          owner: scope,
        });
        if (outcome.status === "ACCEPTED" || outcome.status === "APPLIED") gone.push(item.id);
        else failures.push(`${item.id}: ${outcome.problem}`);
      }
      // Records of memories deleted meanwhile (by delete_memory or delete_all_memories) go too.
      const listed = new Set(memories.map((item) => item.id));
      const orphaned =
        memories.length < MAX_FORGET_SCAN ? log.memoryIdsOf(scope.user_id).filter((id) => !listed.has(id)) : [];
      log.remove([...gone, ...orphaned], scope.user_id);
    }
    // Every forgotten memory is deleted; the answer lists as many as fit (see boundResults).
    const { items: listed, truncated } = boundResults(forgotten, ["memory"]);
    const results = {
      dry_run: dryRun,
      scanned: memories.length,
      kept: memories.length - forgotten.length,
      forgotten: listed,
    };
    const verb = dryRun ? "would forget" : setup.asyncMode ? "accepted the deletion of" : "forgot";
    const summary = `Scanned ${memories.length} memories of ${scope.user_id}; ${verb} ${forgotten.length}${
      listed.length
        ? `:\n${listed.map((item, index) => `${index + 1}. ${item.memory} (${item.reason})`).join("\n")}`
        : "."
    }`;
    if (failures.length > 0) {
      const problem = `${failures.length} of ${forgotten.length} deletions were refused: ${failures.slice(0, 3).join("; ")}`;
      return respond("ERROR", problem, results, `${summary}\n${problem}`, truncated);
    }
    return respond("SUCCESS", request, results, summary, truncated);
  },
});

/** search_memory: the user's memories nearest to a query, scored by similarity (0..1, higher is closer). */
import { localized } from "@dify-ts/runtime";
import { searchFilters } from "../memory/filters.js";
import { toSearchItem, type SearchItem } from "../memory/results.js";
import { recordRecall } from "../lifecycle/recall.js";
import { provider } from "../provider.js";
import { memoryService } from "../plugin-service.js";
import {
  boundResults,
  filtersParameter,
  prepareScopedRead,
  preview,
  readTimeoutMs,
  respond,
  scopeParameters,
  timeoutParameter,
} from "./shared.js";

const DEFAULT_TIMEOUT_SECONDS = 60;

export const searchMemory = provider.defineTool({
  identity: { name: "search_memory", label: localized("Search Memory", "搜索记忆") },
  description: {
    human: localized("Finds the user's memories most relevant to a query", "查找与问题最相关的用户记忆"),
    llm: "Searches the user's long-term memories for the ones most relevant to a query. Use it before answering questions that may depend on what the user said earlier.",
  },
  parameters: {
    query: {
      type: "string",
      required: true,
      form: "llm",
      label: localized("Query", "查询"),
      human_description: localized("What to look for", "要查找的内容"),
      llm_description: "What to look for in the memories.",
    },
    ...scopeParameters,
    filters: filtersParameter,
    top_k: {
      type: "number",
      form: "llm",
      default: 5,
      min: 1,
      max: 100,
      label: localized("Top K", "返回数量"),
      human_description: localized("How many memories to return", "返回的记忆数量"),
      llm_description: "How many memories to return (default 5).",
    },
    timeout: timeoutParameter(DEFAULT_TIMEOUT_SECONDS),
  },
  async handler(params, context) {
    const prepared = await prepareScopedRead(params, context);
    if ("failure" in prepared) return prepared.failure;
    const { setup, scope, filters } = prepared;
    const outcome = await memoryService().read<SearchItem[]>(
      setup,
      "search_memory",
      { timeoutMs: readTimeoutMs(params.timeout, DEFAULT_TIMEOUT_SECONDS), fallback: [], signal: context.signal },
      async (memory) => {
        const found = await memory.search(params.query, {
          filters: searchFilters(scope, filters),
          topK: Math.round(params.top_k),
          // Like the Python plugin: the nearest top_k, whatever their score.
          threshold: 0,
          rerank: setup.config?.reranker !== undefined,
        });
        return found.results.map(toSearchItem);
      },
    );
    if (outcome.status !== "SUCCESS")
      return respond(outcome.status, outcome.problem, [], `${outcome.problem}; no memories returned.`);
    recordRecall(
      setup,
      scope.user_id,
      outcome.value.map((item) => item.id),
    );
    const { items, truncated } = boundResults(outcome.value, ["memory"]);
    const lines = items.map(
      (item, index) => `${index + 1}. Memory: ${item.memory}\n   Score: ${item.score.toFixed(2)}`,
    );
    const query = preview(params.query);
    const summary =
      lines.length === 0 ? `Query: ${query}\n\nNo memories found.` : `Query: ${query}\n\nResults:\n${lines.join("\n")}`;
    return respond("SUCCESS", query, items, summary, truncated);
  },
});

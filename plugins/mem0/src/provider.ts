/**
 * The provider and its credentials, named as in the Python Mem0 plugin so its
 * users' JSON carries over. Each JSON field holds {"provider": ..., "config": {...}}.
 */
import { defineProvider, localized } from "@dify-ts/runtime";
import { memoryService } from "./plugin-service.js";

export const provider = defineProvider({
  identity: {
    name: "mem0",
    label: localized("Mem0", "Mem0"),
    description: localized(
      "Long-term memory for agents and workflows, self-hosted with Mem0",
      "基于 Mem0 的自托管长期记忆",
    ),
    icon: "icon.svg",
    tags: ["productivity", "agent"],
  },
  credentials: {
    async_mode: {
      type: "boolean",
      default: true,
      label: localized("Async mode", "异步模式"),
      help: localized(
        "On: writes are journaled and return ACCEPT at once, reads wait with a timeout and degrade to empty results. Off: every operation waits until done.",
        "开启：写操作写入日志后立即返回 ACCEPT，读操作限时等待、超时返回空结果。关闭：所有操作等待完成。",
      ),
    },
    local_llm_json: {
      type: "secret-input",
      label: localized("LLM (JSON)", "LLM（JSON）"),
      placeholder: localized(
        '{"provider": "openai", "config": {"model": "gpt-4o-mini", "api_key": "sk-..."}}',
        '{"provider": "openai", "config": {"model": "gpt-4o-mini", "api_key": "sk-..."}}',
      ),
      help: localized(
        "The model that extracts memories from messages. Python-style snake_case keys are accepted.",
        "从消息中提取记忆的模型。支持 Python 插件的 snake_case 键名。",
      ),
    },
    local_embedder_json: {
      type: "secret-input",
      label: localized("Embedder (JSON)", "嵌入模型（JSON）"),
      placeholder: localized(
        '{"provider": "openai", "config": {"model": "text-embedding-3-small", "api_key": "sk-..."}}',
        '{"provider": "openai", "config": {"model": "text-embedding-3-small", "api_key": "sk-..."}}',
      ),
    },
    local_vector_db_json: {
      type: "secret-input",
      label: localized("Vector store (JSON)", "向量库（JSON）"),
      placeholder: localized(
        '{"provider": "pgvector", "config": {"connection_string": "postgresql://...", "embedding_model_dims": 1536}}',
        '{"provider": "pgvector", "config": {"connection_string": "postgresql://...", "embedding_model_dims": 1536}}',
      ),
      help: localized(
        "pgvector, qdrant or pinecone. Leave empty for the embedded store: a SQLite file in the plugin's data directory, no server needed.",
        "pgvector、qdrant 或 pinecone。留空则使用内置存储：插件数据目录中的 SQLite 文件，无需服务器。",
      ),
    },
    local_graph_db_json: {
      type: "secret-input",
      label: localized("Graph store (JSON, unsupported)", "图数据库（JSON，不支持）"),
      help: localized(
        "mem0's TypeScript SDK (mem0ai 3.x) has no graph memory: leave empty.",
        "mem0 的 TypeScript SDK（mem0ai 3.x）没有图记忆：请留空。",
      ),
    },
    local_reranker_json: {
      type: "secret-input",
      label: localized("Reranker (JSON)", "重排序（JSON）"),
      placeholder: localized(
        '{"provider": "llm_reranker", "config": {"llm": {"provider": "openai", "config": {"model": "gpt-4o-mini"}}}}',
        '{"provider": "llm_reranker", "config": {"llm": {"provider": "openai", "config": {"model": "gpt-4o-mini"}}}}',
      ),
      help: localized("Optional: re-orders search results.", "可选：对搜索结果重新排序。"),
    },
    max_concurrent_memory_operations: {
      type: "text-input",
      default: "8",
      label: localized("Concurrent background writes", "后台写入并发数"),
      help: localized(
        "How many queued writes run at once (1-64), for the whole plugin process.",
        "整个插件进程同时执行的排队写操作数（1-64）。",
      ),
    },
    mem0_api_key: {
      type: "secret-input",
      label: localized("Mem0 Platform API key (hosted mode)", "Mem0 平台 API 密钥（托管模式）"),
      help: localized(
        "Hosted mode: use the Mem0 Platform (app.mem0.ai) instead of the local_*_json fields, which must then stay empty.",
        "托管模式：使用 Mem0 平台（app.mem0.ai）代替 local_*_json 字段，这些字段须留空。",
      ),
      url: "https://app.mem0.ai/dashboard/api-keys",
    },
    mem0_org_id: {
      type: "text-input",
      label: localized("Mem0 organization id (hosted mode)", "Mem0 组织 ID（托管模式）"),
    },
    mem0_project_id: {
      type: "text-input",
      label: localized("Mem0 project id (hosted mode)", "Mem0 项目 ID（托管模式）"),
    },
    mem0_host: {
      type: "text-input",
      label: localized("Mem0 Platform host (hosted mode)", "Mem0 平台地址（托管模式）"),
      placeholder: localized("https://api.mem0.ai", "https://api.mem0.ai"),
    },
    log_level: {
      type: "select",
      default: "INFO",
      options: [
        { value: "DEBUG", label: localized("Debug", "调试") },
        { value: "INFO", label: localized("Info", "信息") },
        { value: "WARNING", label: localized("Warning", "警告") },
        { value: "ERROR", label: localized("Error", "错误") },
      ],
      label: localized("Log level", "日志级别"),
      help: localized(
        "Which of the plugin's log lines reach the plugin daemon; takes effect at the next call.",
        "插件发往插件守护进程的日志级别；下一次调用即生效。",
      ),
    },
  },
  validateCredentials: (credentials, context) =>
    memoryService().validate(credentials, context.secrets, context.dify.storage),
});

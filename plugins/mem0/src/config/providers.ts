/**
 * Which mem0ai providers this plugin can run. mem0ai loads most providers'
 * SDKs as optional peers at run time; a plugin package is one self-contained
 * bundle, so only the providers whose code is in it work. The others are
 * named with the package they would need, so the error can say so.
 */

export type BlockKind = "llm" | "embedder" | "vector_store" | "reranker";

/** Providers that work in this bundle (mem0ai's own names, lower case). */
export const SUPPORTED: Record<BlockKind, readonly string[]> = {
  llm: [
    "openai",
    "openai_structured",
    "azure_openai",
    "ollama",
    "deepseek",
    "xai",
    "together",
    "lmstudio",
    "vllm",
    "litellm",
    "minimax",
    "sarvam",
  ],
  embedder: ["openai", "azure_openai", "ollama", "lmstudio", "together"],
  vector_store: ["pgvector", "qdrant", "pinecone", "memory"],
  reranker: ["llm_reranker", "cohere", "zero_entropy"],
};

/** Providers mem0ai knows but whose SDK this bundle leaves out, with that SDK's package. */
const NOT_BUNDLED: Record<BlockKind, Record<string, string>> = {
  llm: {
    anthropic: "@anthropic-ai/sdk",
    groq: "groq-sdk",
    mistral: "@mistralai/mistralai",
    google: "@google/genai",
    gemini: "@google/genai",
    aws_bedrock: "@aws-sdk/client-bedrock-runtime",
    langchain: "@langchain/core",
  },
  embedder: {
    google: "@google/genai",
    gemini: "@google/genai",
    vertexai: "@google-cloud/aiplatform",
    fastembed: "fastembed",
    huggingface: "@huggingface/transformers",
    aws_bedrock: "@aws-sdk/client-bedrock-runtime",
    langchain: "@langchain/core",
  },
  vector_store: {
    chroma: "chromadb",
    redis: "redis",
    valkey: "iovalkey",
    supabase: "@supabase/supabase-js",
    weaviate: "weaviate-client",
    milvus: "@zilliz/milvus2-sdk-node",
    mongodb: "mongodb",
    elasticsearch: "@elastic/elasticsearch",
    opensearch: "@opensearch-project/opensearch",
    upstash_vector: "@upstash/vector",
    azure_mysql: "mysql2",
    cassandra: "cassandra-driver",
    turbopuffer: "@turbopuffer/turbopuffer",
    oracledb: "oracledb",
    "azure-ai-search": "@azure/search-documents",
    vertex_ai_vector_search: "@google-cloud/aiplatform",
    baidu: "@mochow/mochow-sdk-node",
    databricks: "@databricks/sql",
    neptune: "@aws-sdk/client-neptune-graph",
    s3_vectors: "@aws-sdk/client-s3vectors",
    vectorize: "cloudflare",
    langchain: "@langchain/core",
  },
  reranker: {
    sentence_transformer: "@huggingface/transformers",
    huggingface: "@huggingface/transformers",
  },
};

/** Why a provider cannot be used here, or undefined when it can. */
export function unsupportedProvider(kind: BlockKind, provider: string): string | undefined {
  if (SUPPORTED[kind].includes(provider)) return undefined;
  const supported = SUPPORTED[kind].map((name) => `"${name}"`).join(", ");
  const sdk = NOT_BUNDLED[kind][provider];
  if (sdk) {
    return `provider "${provider}" needs the ${sdk} package, which this plugin does not bundle; use one of ${supported}`;
  }
  return `unknown provider "${provider}"; use one of ${supported}`;
}

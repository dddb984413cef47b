/**
 * mem0ai's TypeScript results in the Python plugin's output shapes (research
 * mem0.md 1.6): snake_case timestamps, and history rows named memory_id,
 * old_memory, new_memory, event, created_at, updated_at, is_deleted.
 */
import type { MemoryItem } from "mem0ai/oss";
import type { JsonObject } from "@dify-ts/runtime";

export interface SearchItem extends JsonObject {
  id: string;
  memory: string;
  /** The similarity (0..1); when a reranker ordered the results, `rerank_score` holds its relevance too. */
  score: number;
  metadata: JsonObject;
  created_at: string | null;
}

export interface StoredItem extends JsonObject {
  id: string;
  memory: string;
  metadata: JsonObject;
  created_at: string | null;
  updated_at: string | null;
}

export interface HistoryRow extends JsonObject {
  memory_id: string;
  old_memory: string | null;
  new_memory: string | null;
  event: string;
  created_at: string | null;
  updated_at: string | null;
  is_deleted: boolean;
}

export function toSearchItem(item: MemoryItem): SearchItem {
  const { created_at } = toStoredItem(item);
  // mem0ai's score is already a similarity in [0, 1]; clamp so no store can break that promise.
  const score = Math.min(1, Math.max(0, Number(item.score ?? 0)));
  const rerankScore = (item as { rerankScore?: unknown }).rerankScore;
  return {
    id: item.id,
    memory: item.memory,
    score: Math.round(score * 10000) / 10000,
    ...(typeof rerankScore === "number" && { rerank_score: Math.round(rerankScore * 10000) / 10000 }),
    metadata: metadataOf(item),
    created_at,
  };
}

export function toStoredItem(item: MemoryItem): StoredItem {
  const metadata = metadataOf(item);
  // Rows written by the Python SDK keep snake_case timestamps inside the payload.
  const created = item.createdAt ?? metadata.created_at;
  const updated = item.updatedAt ?? metadata.updated_at;
  delete metadata.created_at;
  delete metadata.updated_at;
  return {
    id: item.id,
    memory: item.memory,
    metadata,
    created_at: stringOrNull(created),
    updated_at: stringOrNull(updated),
  };
}

/** mem0ai's SQLite rows, oldest first (SQLite returns them newest first). */
export function toHistoryRows(rows: unknown[]): HistoryRow[] {
  const records = rows.filter((row): row is Record<string, unknown> => typeof row === "object" && row !== null);
  const sequential = records.every((row) => typeof row.id === "number");
  const ordered = sequential
    ? [...records].sort((a, b) => (a.id as number) - (b.id as number))
    : [...records].sort((a, b) =>
        String(a.updated_at ?? a.created_at ?? "").localeCompare(String(b.updated_at ?? b.created_at ?? "")),
      );
  return ordered.map((row) => ({
    memory_id: String(row.memory_id ?? ""),
    old_memory: stringOrNull(row.previous_value),
    new_memory: stringOrNull(row.new_value),
    event: String(row.action ?? ""),
    created_at: stringOrNull(row.created_at),
    updated_at: stringOrNull(row.updated_at),
    is_deleted: Boolean(row.is_deleted),
  }));
}

function metadataOf(item: MemoryItem): JsonObject {
  return { ...((item.metadata ?? {}) as JsonObject) };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

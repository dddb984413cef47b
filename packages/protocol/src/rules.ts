/**
 * Dify's rules for declarations, as the daemon's Go structs state them
 * (pkg/entities/plugin_entities): the one copy used by the runtime's types,
 * the CLI's manifest validator and the stand-in daemon's checks.
 */

export const TAGS = [
  "search",
  "image",
  "videos",
  "weather",
  "finance",
  "design",
  "travel",
  "social",
  "news",
  "medical",
  "productivity",
  "education",
  "business",
  "entertainment",
  "utilities",
  "agent",
  "rag",
  "other",
  "trigger",
] as const;
export type Tag = (typeof TAGS)[number];

export const ARCHES = ["amd64", "arm64"] as const;
export const LANGUAGES = ["en_US", "zh_Hans", "ja_JP", "pt_BR"] as const;

/** MAJOR.MINOR.PATCH with an optional short pre-release tag (manifest and meta versions). */
export const VERSION_PATTERN = /^\d{1,4}(\.\d{1,4}){2}(-\w{1,16})?$/;
export const AUTHOR_PATTERN = /^[a-z0-9_-]{1,64}$/;
export const PLUGIN_NAME_PATTERN = /^[a-z0-9_-]{1,128}$/;
/** Provider and tool identity names. */
export const IDENTITY_NAME_PATTERN = /^[a-zA-Z0-9_-]+$/;
/**
 * RFC 3339 date-time in the form both of the daemon's decoders accept: Go's
 * time.Time from JSON (remote debugging) and from YAML (packages). Check the
 * calendar too (Date.parse) where it matters.
 */
export const RFC3339_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const CREDENTIAL_TYPES = [
  "secret-input",
  "text-input",
  "select",
  "boolean",
  "app-selector",
  "model-selector",
  "array[tools]",
] as const;
export const PARAMETER_TYPES = [
  "string",
  "number",
  "boolean",
  "select",
  "secret-input",
  "file",
  "files",
  "app-selector",
  "model-selector",
  "any",
  "dynamic-select",
  "array",
  "object",
  "checkbox",
  "date",
  "date-range",
] as const;
export const PARAMETER_FORMS = ["schema", "form", "llm"] as const;

/** resource.permission.storage.size bounds, in bytes. */
export const MIN_STORAGE_BYTES = 1024;
export const MAX_STORAGE_BYTES = 1073741824;

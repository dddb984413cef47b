/**
 * manifest.yaml rules: those `dify plugin package` enforces (struct tags in
 * plugin_declaration.go), those the daemon's upload path adds (ManifestValidate,
 * unique identifier, asset remap) and the Dify API's PEP 440 version check.
 */
import {
  ARCHES,
  AUTHOR_PATTERN,
  LANGUAGES,
  MAX_STORAGE_BYTES as MAX_STORAGE,
  MIN_STORAGE_BYTES as MIN_STORAGE,
  PLUGIN_NAME_PATTERN as NAME_PATTERN,
  RFC3339_PATTERN as RFC3339,
  TAGS,
  VERSION_PATTERN,
} from "@dify-ts/protocol";
import { isPep440 } from "./pep440.js";
import { at, type Problem } from "./problems.js";

const CATEGORIES = ["tools", "models", "endpoints", "agent_strategies", "datasources", "triggers"] as const;
/** Each of these excludes every other category (tool + endpoint together is allowed). */
const EXCLUSIVE = ["models", "agent_strategies", "datasources", "triggers"] as const;
const UUID_PATTERN = /^(?:urn:uuid:)?\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i;

export interface ManifestCheckOptions {
  /** Files present in the package (to check that icons exist under _assets/). */
  files?: ReadonlySet<string>;
  /** Icons named by provider and tool declarations, checked like the manifest's. */
  extraIcons?: readonly string[];
  now?: Date;
}

export function checkManifest(manifest: unknown, options: ManifestCheckOptions = {}): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const text = (path: string) => at(manifest, path);

  if (typeof manifest !== "object" || manifest === null)
    return [{ field: "manifest.yaml", message: "must be a YAML mapping" }];

  checkVersion("version", text("version"), add);
  if (text("type") !== "plugin") add("type", `must be "plugin"; got ${JSON.stringify(text("type"))}`);

  const author = text("author");
  if (typeof author !== "string" || !AUTHOR_PATTERN.test(author)) {
    add(
      "author",
      `must match ${AUTHOR_PATTERN} (lowercase letters, digits, _ and -, 1-64 chars; the daemon rejects uppercase at install); got ${JSON.stringify(author)}`,
    );
  } else {
    if (author === "langgenius")
      add(
        "author",
        'must not be "langgenius": the daemon rejects unsigned langgenius packages; use your own organisation name',
      );
    if (UUID_PATTERN.test(author))
      add("author", `must not be a UUID (the daemon refuses "cannot set author to an UUID"); got ${author}`);
  }
  const name = text("name");
  if (typeof name !== "string" || !NAME_PATTERN.test(name))
    add(
      "name",
      `must match ${NAME_PATTERN} (lowercase letters, digits, _ and -, 1-128 chars); got ${JSON.stringify(name)}`,
    );

  checkLocalized("label", text("label"), add);
  checkLocalized("description", text("description"), add);

  const icons: [string, unknown][] = [
    ["icon", text("icon")],
    ["icon_dark", text("icon_dark")],
  ];
  if (typeof text("icon") !== "string" || text("icon") === "")
    add("icon", "is required: a file name under _assets/, e.g. icon.svg");
  for (const [field, icon] of icons) {
    if (icon === undefined || icon === null) continue;
    if (typeof icon !== "string" || icon.length > 128) add(field, "must be a file name of at most 128 characters");
  }
  if (options.files) {
    const named = new Set(
      [...icons.map(([, icon]) => icon), ...(options.extraIcons ?? [])].filter(
        (icon): icon is string => typeof icon === "string" && icon !== "",
      ),
    );
    for (const icon of named) {
      if (!options.files.has(`_assets/${icon}`))
        add(
          `icon ${icon}`,
          `_assets/${icon} is missing: every icon the manifest, provider or tools name must be in _assets/ (the daemon fails with "failed to remap assets")`,
        );
    }
  }

  const memory = text("resource.memory");
  if (typeof memory !== "number" || !Number.isInteger(memory) || memory <= 0)
    add(
      "resource.memory",
      `must be a positive integer number of bytes (e.g. 268435456); got ${JSON.stringify(memory)}`,
    );
  const storage = text("resource.permission.storage");
  if (storage !== undefined && storage !== null) {
    const size = at(storage, "size");
    if (typeof size !== "number" || size < MIN_STORAGE || size > MAX_STORAGE) {
      add(
        "resource.permission.storage.size",
        `must be between ${MIN_STORAGE} and ${MAX_STORAGE} bytes; got ${JSON.stringify(size)}`,
      );
    }
  }

  checkCategories(text("plugins"), add);

  checkVersion("meta.version", text("meta.version"), add, false);
  const arch = text("meta.arch");
  if (!Array.isArray(arch) || arch.length === 0) add("meta.arch", `must list at least one of ${ARCHES.join(", ")}`);
  else
    for (const value of arch)
      if (!(ARCHES as readonly unknown[]).includes(value))
        add("meta.arch", `${JSON.stringify(value)} is not one of ${ARCHES.join(", ")}`);
  if (text("meta.runner.language") !== "python")
    add(
      "meta.runner.language",
      `must be "python" (the only runner the daemon launches; main.py starts Node); got ${JSON.stringify(text("meta.runner.language"))}`,
    );
  checkShortString("meta.runner.version", text("meta.runner.version"), 128, add);
  checkShortString("meta.runner.entrypoint", text("meta.runner.entrypoint"), 256, add);
  const minimum = text("meta.minimum_dify_version");
  if (minimum !== undefined && minimum !== null && (typeof minimum !== "string" || !isPep440(minimum)))
    add("meta.minimum_dify_version", `must be a PEP 440 version such as 1.10.0; got ${JSON.stringify(minimum)}`);

  const tags = text("tags");
  if (tags !== undefined && tags !== null) {
    if (!Array.isArray(tags)) add("tags", "must be a list");
    else
      for (const tag of tags)
        if (!(TAGS as readonly unknown[]).includes(tag))
          add("tags", `${JSON.stringify(tag)} is not an allowed tag (${TAGS.join(", ")})`);
  }

  checkCreatedAt(text("created_at"), options.now ?? new Date(), add);
  const repo = text("repo");
  if (repo !== undefined && repo !== null && repo !== "" && (typeof repo !== "string" || !URL.canParse(repo)))
    add("repo", `must be a URL; got ${JSON.stringify(repo)}`);
  return problems;
}

type Add = (field: string, message: string) => void;

function checkVersion(field: string, version: unknown, add: Add, pep440 = true): void {
  if (typeof version !== "string" || !VERSION_PATTERN.test(version)) {
    add(
      field,
      `must match ${VERSION_PATTERN} (MAJOR.MINOR.PATCH, each 1-4 digits, optional -suffix); got ${JSON.stringify(version)}`,
    );
  } else if (pep440 && !isPep440(version)) {
    add(
      field,
      `"${version}" is not a PEP 440 version (the Dify API rejects it): use a suffix such as -beta1, -rc1, -post1 or -dev1`,
    );
  }
}

function checkLocalized(field: string, value: unknown, add: Add): void {
  if (typeof value !== "object" || value === null) return add(field, "is required, with at least en_US");
  const english = at(value, "en_US");
  if (typeof english !== "string" || english.length === 0) add(`${field}.en_US`, "is required (1-1023 characters)");
  for (const language of LANGUAGES) {
    const text = at(value, language);
    if (typeof text === "string" && text.length >= 1024)
      add(`${field}.${language}`, `must be shorter than 1024 characters; got ${text.length}`);
  }
}

function checkShortString(field: string, value: unknown, max: number, add: Add): void {
  if (typeof value !== "string" || value === "") add(field, "is required");
  else if (value.length > max) add(field, `must be at most ${max} characters`);
}

function checkCategories(plugins: unknown, add: Add): void {
  if (typeof plugins !== "object" || plugins === null)
    return add("plugins", "is required: list the provider file under plugins.tools");
  const present = CATEGORIES.filter((category) => {
    const list = at(plugins, category);
    return Array.isArray(list) && list.length > 0;
  });
  if (present.length === 0) add("plugins", `must declare at least one of ${CATEGORIES.join(", ")}`);
  for (const category of EXCLUSIVE) {
    if (present.includes(category) && present.length > 1)
      add(
        `plugins.${category}`,
        `cannot be combined with ${present.filter((other) => other !== category).join(", ")} (only tools + endpoints may share a plugin)`,
      );
  }
  for (const category of present) {
    for (const entry of at(plugins, category) as unknown[]) {
      if (typeof entry !== "string" || entry.length > 128)
        add(
          `plugins.${category}`,
          `each entry must be a file path of at most 128 characters; got ${JSON.stringify(entry)}`,
        );
    }
  }
}

function checkCreatedAt(value: unknown, now: Date, add: Add): void {
  const text = value instanceof Date ? value.toISOString() : value;
  if (typeof text !== "string" || !RFC3339.test(text) || Number.isNaN(Date.parse(text))) {
    return add(
      "created_at",
      `must be an RFC 3339 date-time such as 2025-01-31T12:00:00Z; got ${JSON.stringify(value)}`,
    );
  }
  if (Date.parse(text) > now.getTime())
    add("created_at", `must be in the past; ${text} is later than now (${now.toISOString()})`);
}

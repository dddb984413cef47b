/** Where `repackage market|github` download from (base URLs overridable, as in the repackaging tool). */
import { UsageError } from "../project.js";

export const DEFAULT_MARKETPLACE_URL = "https://marketplace.dify.ai";
export const DEFAULT_GITHUB_URL = "https://github.com";

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

function segment(what: string, value: string): string {
  if (!SEGMENT.test(value) || value === "." || value === "..")
    throw new UsageError(`${what} must be letters, digits, '_', '-' or '.'; got ${JSON.stringify(value)}`);
  return value;
}

/** GET {MARKETPLACE_API_URL}/api/v1/plugins/{author}/{name}/{version}/download */
export function marketplaceUrl(base: string, author: string, name: string, version: string): string {
  return `${base.replace(/\/+$/, "")}/api/v1/plugins/${segment("author", author)}/${segment("name", name)}/${segment("version", version)}/download`;
}

/** {GITHUB_API_URL}/{owner}/{repo}/releases/download/{tag}/{asset}; the repository may be given as owner/repo or its URL. */
export function githubUrl(base: string, repository: string, tag: string, asset: string): string {
  const match = /^(?:https?:\/\/github\.com\/)?([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(repository);
  if (!match)
    throw new UsageError(
      `the repository must be owner/repo or https://github.com/owner/repo; got ${JSON.stringify(repository)}`,
    );
  if (!asset.endsWith(".difypkg"))
    throw new UsageError(`the release asset must be a .difypkg file name; got ${JSON.stringify(asset)}`);
  const parts = [
    segment("owner", match[1]!),
    segment("repository", match[2]!),
    "releases",
    "download",
    encodeURIComponent(tag),
    segment("asset", asset),
  ];
  return `${base.replace(/\/+$/, "")}/${parts.join("/")}`;
}

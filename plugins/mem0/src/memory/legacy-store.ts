/**
 * Stores written before workspace separation were named by their settings only (MemorySetup.legacyStore), so two
 * workspaces with the same settings wrote to one. Such a directory is adopted once, by the first credentials that map
 * to it and have no store of their own yet: it is renamed to their key, and a symlink under the old name records the
 * owner, so writes journaled under the old name are replayed with the owner's credentials only.
 */
import { existsSync, lstatSync, readlinkSync, renameSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import type { MemorySetup } from "../config/setup.js";

/**
 * `adopted`: the old store became these credentials' store now; `owner`: it did earlier; `other`: it belongs to other
 * credentials (or there is none).
 */
export type LegacyClaim = "adopted" | "owner" | "other";

export function claimLegacyStore(setup: MemorySetup): LegacyClaim {
  const legacy = join(dirname(setup.storeDirectory), setup.legacyStore);
  let entry;
  try {
    entry = lstatSync(legacy);
  } catch {
    return "other";
  }
  if (entry.isSymbolicLink()) return readlinkSync(legacy) === setup.store ? "owner" : "other";
  if (!entry.isDirectory() || existsSync(setup.storeDirectory)) return "other";
  renameSync(legacy, setup.storeDirectory);
  symlinkSync(setup.store, legacy);
  return "adopted";
}

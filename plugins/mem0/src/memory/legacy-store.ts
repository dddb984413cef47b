/**
 * Stores had other keys before (MemorySetup.formerStores): settings only before 0.1.0's workspace separation, then
 * settings and secrets until stores were keyed by the workspace id. Such a directory is adopted once, by the first
 * workspace (or, without tenant storage, the first credentials) that maps to it and has no store of its own yet: it is
 * renamed to the current key, and a symlink under the old name records the owner, so writes journaled under the old
 * name are replayed with the owner's credentials only.
 */
import { existsSync, lstatSync, readlinkSync, renameSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import type { MemorySetup } from "../config/setup.js";

export interface FormerStoreClaim {
  /** The former keys whose store is this setup's store: their journaled writes run with its credentials. */
  served: string[];
  /** The former key whose directory became this setup's store just now, if one did. */
  adopted?: string;
}

/** An adoption renames at most once per key, so a chain is at most as long as the list of former keys. */
const MAX_LINKS = 4;

export function claimFormerStores(setup: MemorySetup): FormerStoreClaim {
  const storesDirectory = dirname(setup.storeDirectory);
  const claim: FormerStoreClaim = { served: [] };
  for (const former of setup.formerStores) {
    const path = join(storesDirectory, former);
    let entry;
    try {
      entry = lstatSync(path);
    } catch {
      continue;
    }
    if (entry.isSymbolicLink()) {
      if (linksTo(storesDirectory, former, setup.store)) claim.served.push(former);
      continue;
    }
    if (!entry.isDirectory() || existsSync(setup.storeDirectory)) continue;
    renameSync(path, setup.storeDirectory);
    symlinkSync(setup.store, path);
    claim.served.push(former);
    claim.adopted = former;
  }
  return claim;
}

/** Follows the adoption symlinks (settings-only key, then secrets key) from `name`: true when they end at `store`. */
function linksTo(storesDirectory: string, name: string, store: string): boolean {
  for (let hop = 0; hop < MAX_LINKS; hop++) {
    let target;
    try {
      target = readlinkSync(join(storesDirectory, name));
    } catch {
      return false;
    }
    if (target === store) return true;
    name = target;
  }
  return false;
}

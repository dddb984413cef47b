/**
 * Test plugins in a scratch directory: a copy of __fixtures__/<name> whose
 * node_modules links @dify-ts/runtime to the workspace package, so esbuild
 * resolves it exactly as it does in plugins/*.
 */
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const fixtures = dirname(fileURLToPath(import.meta.url));
export const runtimePackage = join(fixtures, "../../../runtime");
export const cliPackage = join(fixtures, "../..");

export interface ScratchPlugin {
  dir: string;
  /** Writes (or overwrites) a file relative to the plugin directory. */
  write(path: string, content: string | Uint8Array): Promise<void>;
  remove(): Promise<void>;
}

export async function copyFixture(name = "hello"): Promise<ScratchPlugin> {
  const root = await mkdtemp(join(tmpdir(), `dify-ts-fixture-${name}-`));
  const dir = join(root, name);
  await cp(join(fixtures, name), dir, { recursive: true });
  await mkdir(join(dir, "node_modules", "@dify-ts"), { recursive: true });
  await symlink(runtimePackage, join(dir, "node_modules", "@dify-ts", "runtime"), "dir");
  return {
    dir,
    async write(path, content) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

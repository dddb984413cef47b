/**
 * Stands in (through package.json "dify.alias") for the optional SDKs mem0ai
 * can load but this bundle leaves out: importing it fails as a missing package
 * does. The credential check names these providers before mem0ai is reached
 * (src/config/providers.ts); this only keeps the bundle resolvable.
 */
export {};

throw Object.assign(new Error("this provider's SDK is not bundled in the Mem0 plugin; see src/config/providers.ts"), {
  code: "ERR_MODULE_NOT_FOUND",
});

export { isJsonObject, type JsonObject, type JsonValue } from "./json.js";
export * from "./wire.js";
export * from "./requests.js";
export * from "./builders.js";
export * from "./raw-http.js";
export * from "./rules.js";
export {
  checkAssetChunk,
  checkAssetsComplete,
  checkManifestDeclaration,
  checkToolDeclaration,
} from "./declaration-rules.js";
export {
  createLineParser,
  LineParseError,
  LINE_HEAD_BYTES,
  type LineParser,
  type LineParserOptions,
  type LineParseErrorKind,
} from "./line-parser.js";

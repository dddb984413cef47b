/**
 * Records conformance/vectors/*.json from the Python SDK (dify_plugin in the
 * venv scripts/setup/python.sh builds), from the definitions in
 * conformance/harness/src/cases.ts.
 *
 *   node --conditions=source --import tsx conformance/record.ts [startup.json ...]
 */
import { VECTOR_DEFINITIONS } from "./harness/src/cases.js";
import { difySdkPython, recordFromPython } from "./harness/src/record.js";
import { writeVectorFile } from "./harness/src/vectors.js";

const python = difySdkPython();
if (!python.path) {
  console.error(`cannot record: the Python SDK is unavailable (${python.reason})`);
  process.exit(1);
}
const names = process.argv.slice(2);
const unknown = names.filter((name) => !(name in VECTOR_DEFINITIONS));
if (unknown.length > 0) {
  console.error(
    `unknown vector file(s) ${unknown.join(", ")}: expected one of ${Object.keys(VECTOR_DEFINITIONS).join(", ")}`,
  );
  process.exit(1);
}
for (const name of names.length > 0 ? names : Object.keys(VECTOR_DEFINITIONS)) {
  const started = Date.now();
  const vector = await recordFromPython(python.path, VECTOR_DEFINITIONS[name]!);
  writeVectorFile(name, vector);
  console.log(`recorded ${name}: ${vector.cases.length} case(s) in ${Date.now() - started} ms`);
}

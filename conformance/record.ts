/**
 * Records conformance/vectors/*.json from the Python SDK (dify_plugin in the
 * venvs scripts/setup/python.sh builds: the pinned one, or the newest for
 * files whose definition says so), from the definitions in
 * conformance/harness/src/cases.ts.
 *
 *   node --conditions=source --import tsx conformance/record.ts [startup.json ...]
 */
import { VECTOR_DEFINITIONS } from "./harness/src/cases.js";
import { recordFromPython, sdkFor } from "./harness/src/record.js";
import { writeVectorFile } from "./harness/src/vectors.js";

const names = process.argv.slice(2);
const unknown = names.filter((name) => !(name in VECTOR_DEFINITIONS));
if (unknown.length > 0) {
  console.error(
    `unknown vector file(s) ${unknown.join(", ")}: expected one of ${Object.keys(VECTOR_DEFINITIONS).join(", ")}`,
  );
  process.exit(1);
}
for (const name of names.length > 0 ? names : Object.keys(VECTOR_DEFINITIONS)) {
  const definition = VECTOR_DEFINITIONS[name]!;
  const { python, version } = sdkFor(definition);
  if (!python.path) {
    console.error(`cannot record ${name}: ${version} is unavailable (${python.reason})`);
    process.exit(1);
  }
  const started = Date.now();
  const vector = await recordFromPython(definition);
  writeVectorFile(name, vector);
  console.log(`recorded ${name} from ${version}: ${vector.cases.length} case(s) in ${Date.now() - started} ms`);
}

/** The dify-ts executable (bin/dify-ts.js loads the built copy of this file). */
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv.slice(2));

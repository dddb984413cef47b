// Prints the closing line CI reads: "N passed, N failed" (", N skipped" when any were skipped).
// Counts tests, not suites: a test file that failed without a failed test (it did not load,
// or a hook failed) counts as one failure, once.
import { readFileSync } from "node:fs";

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch (error) {
  console.error(`summarize-tests: no test report at ${file} (${error.message}): counted as one failure`);
  console.log("0 passed, 1 failed");
  process.exit(0);
}
const filesFailedWithoutTest = report.testResults.filter(
  (testFile) => testFile.status === "failed" && !testFile.assertionResults.some((test) => test.status === "failed"),
).length;
const failed = report.numFailedTests + filesFailedWithoutTest;
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);

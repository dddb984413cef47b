// Prints the closing line CI reads: "N passed, N failed" (", N skipped" when any were skipped).
import { readFileSync } from "node:fs";

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch (error) {
  console.log(`0 passed, 1 failed (no test report at ${file}: ${error.message})`);
  process.exit(0);
}
const failed = report.numFailedTests + (report.numFailedTestSuites ?? 0) - countSuitesWithFailedTests(report);
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);

// A suite that failed to load counts as one failure; one whose tests failed is already counted by its tests.
function countSuitesWithFailedTests(report) {
  return report.testResults.filter((suite) => suite.status === "failed" && suite.assertionResults.some((test) => test.status === "failed")).length;
}

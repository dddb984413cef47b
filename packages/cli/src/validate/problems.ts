/** A validation finding: the field (or file) and the rule it breaks, with the fix where there is one. */
export interface Problem {
  field: string;
  message: string;
}

export class ValidationFailed extends Error {
  override readonly name = "ValidationFailed";
  constructor(
    readonly problems: Problem[],
    what = "the plugin",
  ) {
    super(`${what} has ${problems.length} problem(s):\n${formatProblems(problems)}`);
  }
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((problem) => `  ${problem.field}: ${problem.message}`).join("\n");
}

/** Reads a nested value from a parsed YAML/JSON object by dotted path. */
export function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * Whether a pyproject.toml's `requires-python` (PEP 440 clauses such as
 * ">=3.10,<4", "~=3.11", "==3.12.*") admits the Python the daemon runs. uv's
 * `pip compile --python-version` resolves for that version without checking it.
 */
const parts = (version: string) => version.split(".").map(Number);

function compare(a: number[], b: number[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

export function requiresPythonAdmits(specifier: string, version: string): boolean {
  const target = parts(version);
  return specifier
    .split(",")
    .map((clause) => clause.trim())
    .filter(Boolean)
    .every((clause) => {
      const match = /^(~=|===|==|!=|<=|>=|<|>)\s*([\d.]+)(\.\*)?$/.exec(clause);
      if (!match) return true; // a form we do not know: leave the decision to the installer
      const [, operator, text, wildcard] = match as unknown as [string, string, string, string | undefined];
      const bound = parts(text);
      const prefixEqual = compare(target.slice(0, bound.length), bound) === 0;
      switch (operator) {
        case "==":
        case "===":
          return wildcard ? prefixEqual : compare(target, bound) === 0;
        case "!=":
          return wildcard ? !prefixEqual : compare(target, bound) !== 0;
        case ">=":
          return compare(target, bound) >= 0;
        case "<=":
          return compare(target, bound) <= 0;
        case ">":
          return compare(target, bound) > 0;
        case "<":
          return compare(target, bound) < 0;
        default:
          return compare(target, bound) >= 0 && compare(target.slice(0, bound.length - 1), bound.slice(0, -1)) === 0; // ~=
      }
    });
}

/**
 * The GitHub workflows: actionlint finds nothing, and every tool version a
 * workflow pins agrees with the repository's own pin (a disagreement such as
 * pnpm/action-setup's `version: 10` next to packageManager pnpm@10.34.9 makes
 * the action refuse, and the workflow stops at its second step).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { RUNNER } from "@dify-ts/runtime";
import { actionlint, repositoryRoot } from "@dify-ts/test-support";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const workflowsDir = join(repositoryRoot, ".github", "workflows");
const workflows = readdirSync(workflowsDir).filter((name) => /\.ya?ml$/.test(name));
const linter = actionlint();

interface Step {
  uses?: string;
  with?: Record<string, string | number>;
}

function steps(workflow: string): Step[] {
  const parsed = parse(readFileSync(join(workflowsDir, workflow), "utf8")) as {
    jobs: Record<string, { steps?: Step[] }>;
  };
  return Object.values(parsed.jobs).flatMap((job) => job.steps ?? []);
}

interface Pins {
  pnpm: string;
  nodeEngines: string;
  python: string;
  go: string[];
}

/** The repository's own pins, read where they are kept. */
function repositoryPins(): Pins {
  const rootPackage = JSON.parse(readFileSync(join(repositoryRoot, "package.json"), "utf8")) as {
    packageManager: string;
    engines: { node: string };
  };
  const goDirectives = ["bench/sdk-compare/driver/go.mod"].map(
    (file) => /^go (\d+\.\d+)/m.exec(readFileSync(join(repositoryRoot, file), "utf8"))![1]!,
  );
  return {
    pnpm: rootPackage.packageManager.replace(/^pnpm@/, ""),
    nodeEngines: rootPackage.engines.node,
    python: RUNNER.version,
    go: goDirectives,
  };
}

/** The Node majors an engines range such as "^20.15.0 || >=22.2.0" admits (setup-node installs the newest of a major). */
function admitsMajor(engines: string, major: number): boolean {
  return engines.split("||").some((range) => {
    const match = /^\s*(\^|>=)(\d+)/.exec(range);
    if (!match) throw new Error(`engines range ${JSON.stringify(range)} is neither ^X nor >=X`);
    return match[1] === "^" ? Number(match[2]) === major : major >= Number(match[2]);
  });
}

const versionAtLeast = (version: string, minimum: string) => {
  const [a, b] = [version, minimum].map((text) => text.split(".").map(Number));
  return a![0]! > b![0]! || (a![0] === b![0] && (a![1] ?? 0) >= (b![1] ?? 0));
};

/** Every disagreement between a workflow's pinned tool versions and the repository's pins, as one line each. */
function pinDisagreements(workflow: string, workflowSteps: Step[], pins: Pins = repositoryPins()): string[] {
  const problems: string[] = [];
  for (const step of workflowSteps) {
    const action = step.uses?.split("@")[0];
    const input = (name: string) => (step.with?.[name] === undefined ? undefined : String(step.with[name]));
    if (action === "pnpm/action-setup" && input("version") !== undefined && input("version") !== pins.pnpm) {
      problems.push(
        `${workflow}: pnpm/action-setup version ${input("version")} disagrees with package.json packageManager pnpm@${pins.pnpm} (drop the input: the action reads packageManager)`,
      );
    }
    const node = input("node-version");
    if (
      action === "actions/setup-node" &&
      (node === undefined || !admitsMajor(pins.nodeEngines, Number(node.split(".")[0])))
    ) {
      problems.push(
        `${workflow}: actions/setup-node node-version ${node} is outside package.json engines.node ${pins.nodeEngines}`,
      );
    }
    if (action === "actions/setup-python" && input("python-version") !== pins.python) {
      problems.push(
        `${workflow}: actions/setup-python python-version ${input("python-version")} is not the daemon's Python ${pins.python} (RUNNER.version)`,
      );
    }
    const go = input("go-version");
    if (
      action === "actions/setup-go" &&
      (go === undefined || pins.go.some((minimum) => !versionAtLeast(go, minimum)))
    ) {
      problems.push(
        `${workflow}: actions/setup-go go-version ${go} is older than a go.mod's go directive (${pins.go.join(", ")})`,
      );
    }
  }
  return problems;
}

describe(".github/workflows", () => {
  it.skipIf(!linter.path)(`actionlint reports nothing${linter.reason ? ` (skipped: ${linter.reason})` : ""}`, () => {
    expect(workflows).toEqual(expect.arrayContaining(["ci.yml", "release.yml"]));
    const run = spawnSync(linter.path!, ["-no-color", ...workflows.map((name) => join(workflowsDir, name))], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(run.stdout + run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("pins the tool versions the repository pins", () => {
    for (const workflow of workflows) expect(pinDisagreements(workflow, steps(workflow))).toEqual([]);
  });

  it("publishes the SDK to npm for an sdk@ tag only after the whole CI passed, with an OIDC token for provenance", () => {
    const release = parse(readFileSync(join(workflowsDir, "release.yml"), "utf8")) as {
      jobs: Record<
        string,
        {
          if?: string;
          needs?: string;
          uses?: string;
          permissions?: Record<string, string>;
          steps?: { run?: string; env?: Record<string, string> }[];
        }
      >;
    };
    const ci = parse(readFileSync(join(workflowsDir, "ci.yml"), "utf8")) as { on: Record<string, unknown> };
    expect(Object.keys(ci.on)).toContain("workflow_call");
    const { release: plugins, "sdk-tests": tests, "sdk-npm": npm } = release.jobs;
    expect(plugins?.if).toBe("${{ !startsWith(github.ref_name, 'sdk@') }}");
    expect(tests).toMatchObject({
      if: "${{ startsWith(github.ref_name, 'sdk@') }}",
      uses: "./.github/workflows/ci.yml",
    });
    expect(npm?.needs).toBe("sdk-tests");
    expect(npm?.permissions).toMatchObject({ "id-token": "write" });
    const publish = npm?.steps?.find((step) => step.run?.includes("scripts/publish-sdk.sh"));
    expect(publish?.run).toBe('bash scripts/publish-sdk.sh "$TAG" npm-packages');
    expect(publish?.env).toEqual({ TAG: "${{ github.ref_name }}", NODE_AUTH_TOKEN: "${{ secrets.NPM_TOKEN }}" });
  });

  it("names each kind of disagreement", () => {
    const pins: Pins = { pnpm: "10.34.9", nodeEngines: "^20.15.0 || >=22.2.0", python: "3.12", go: ["1.22"] };
    const wrong: Step[] = [
      { uses: "pnpm/action-setup@v4", with: { version: 10 } },
      { uses: "actions/setup-node@v4", with: { "node-version": 21 } },
      { uses: "actions/setup-python@v5", with: { "python-version": "3.11" } },
      { uses: "actions/setup-go@v5", with: { "go-version": "1.21" } },
    ];
    expect(pinDisagreements("x.yml", wrong, pins)).toEqual([
      "x.yml: pnpm/action-setup version 10 disagrees with package.json packageManager pnpm@10.34.9 (drop the input: the action reads packageManager)",
      "x.yml: actions/setup-node node-version 21 is outside package.json engines.node ^20.15.0 || >=22.2.0",
      "x.yml: actions/setup-python python-version 3.11 is not the daemon's Python 3.12 (RUNNER.version)",
      "x.yml: actions/setup-go go-version 1.21 is older than a go.mod's go directive (1.22)",
    ]);
    const right: Step[] = [
      { uses: "pnpm/action-setup@v4" },
      { uses: "pnpm/action-setup@v4", with: { version: "10.34.9" } },
      { uses: "actions/setup-node@v4", with: { "node-version": 24 } },
      { uses: "actions/setup-python@v5", with: { "python-version": "3.12" } },
      { uses: "actions/setup-go@v5", with: { "go-version": "1.26" } },
    ];
    expect(pinDisagreements("x.yml", right, pins)).toEqual([]);
  });
});

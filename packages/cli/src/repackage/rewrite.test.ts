import { describe, expect, it } from "vitest";
import { expandPlatform } from "./platforms.js";
import { offlineRequirements, patchPyproject, unignoreWheels } from "./rewrite.js";

describe("offline rewrites", () => {
  it("puts the no-index line first in requirements.txt", () => {
    expect(offlineRequirements("six==1.17.0\n")).toBe("--no-index --find-links=./wheels/\nsix==1.17.0\n");
  });

  it("keeps wheels/ out of the ignore file and everything else in", () => {
    expect(unignoreWheels(".venv/\nwheels/\n/wheels/\nwheels\n*.pyc\nmy-wheels/\n")).toBe(".venv/\n*.pyc\nmy-wheels/\n");
  });

  it("adds [tool.uv] to a pyproject.toml without one", () => {
    expect(patchPyproject('[project]\nname = "x"\n')).toBe('[project]\nname = "x"\n\n[tool.uv]\nno-index = true\nfind-links = ["./wheels"]\n');
  });

  it("replaces no-index and find-links in an existing [tool.uv], keeping its other keys and the next section", () => {
    const before = '[project]\nname = "x"\n\n[tool.uv]\ndev-dependencies = ["pytest"]\nfind-links = [\n  "https://example.com/wheels",\n]\nno-index = false\n\n[tool.ruff]\nline-length = 100\n';
    expect(patchPyproject(before)).toBe('[project]\nname = "x"\n\n[tool.uv]\nno-index = true\nfind-links = ["./wheels"]\ndev-dependencies = ["pytest"]\n\n[tool.ruff]\nline-length = 100\n');
  });
});

describe("platform tags", () => {
  it("expands a manylinux target to every tag an installer on that glibc accepts", () => {
    const tags = expandPlatform("manylinux_2_28_x86_64");
    expect(tags[0]).toBe("manylinux_2_28_x86_64");
    expect(tags).toEqual(expect.arrayContaining(["manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]));
    expect(tags.some((tag) => tag.includes("_2_29_"))).toBe(false);
    expect(expandPlatform("manylinux2014_aarch64")).toContain("manylinux_2_17_aarch64");
    expect(expandPlatform("manylinux2014_aarch64")).not.toContain("manylinux_2_28_aarch64");
    expect(expandPlatform("win_amd64")).toEqual(["win_amd64"]);
    expect(() => expandPlatform("manylinux_2_28_sparc")).toThrow(/unknown architecture "sparc"/);
  });
});

import { describe, expect, it } from "vitest";
import { expandPlatform, uvPythonPlatform } from "./platforms.js";
import { requiresPythonAdmits } from "./requires-python.js";
import { offlineRequirements, unignoreWheels } from "./rewrite.js";

describe("offline rewrites", () => {
  it("puts the no-index line first in requirements.txt", () => {
    expect(offlineRequirements("six==1.17.0\n")).toBe("--no-index --find-links=./wheels/\nsix==1.17.0\n");
  });

  it("keeps wheels/ out of the ignore file and everything else in", () => {
    expect(unignoreWheels(".venv/\nwheels/\n/wheels/\nwheels\n*.pyc\nmy-wheels/\n")).toBe(
      ".venv/\n*.pyc\nmy-wheels/\n",
    );
  });
});

describe("platform tags", () => {
  it("expands a manylinux target to every tag an installer on that glibc accepts", () => {
    const tags = expandPlatform("manylinux_2_28_x86_64");
    expect(tags[0]).toBe("manylinux_2_28_x86_64");
    expect(tags).toEqual(
      expect.arrayContaining([
        "manylinux_2_17_x86_64",
        "manylinux2014_x86_64",
        "manylinux2010_x86_64",
        "manylinux1_x86_64",
      ]),
    );
    expect(tags.some((tag) => tag.includes("_2_29_"))).toBe(false);
    expect(expandPlatform("manylinux2014_aarch64")).toContain("manylinux_2_17_aarch64");
    expect(expandPlatform("manylinux2014_aarch64")).not.toContain("manylinux_2_28_aarch64");
    expect(expandPlatform("win_amd64")).toEqual(["win_amd64"]);
    expect(() => expandPlatform("manylinux_2_28_sparc")).toThrow(/unknown architecture "sparc"/);
  });

  it("names uv's --python-platform: the newest manylinux uv knows that the target's glibc runs", () => {
    expect(uvPythonPlatform("manylinux_2_28_x86_64")).toBe("x86_64-manylinux_2_28");
    expect(uvPythonPlatform("manylinux_2_30_aarch64")).toBe("aarch64-manylinux_2_28");
    expect(uvPythonPlatform("manylinux_2_39_x86_64")).toBe("x86_64-manylinux_2_39");
    expect(uvPythonPlatform("manylinux2014_aarch64")).toBe("aarch64-manylinux_2_17");
    expect(uvPythonPlatform("manylinux2010_x86_64")).toBeUndefined();
    expect(uvPythonPlatform("win_amd64")).toBeUndefined();
  });
});

describe("requires-python", () => {
  it("admits or excludes the daemon's Python", () => {
    for (const admits of [">=3.12", ">=3.8,<4", "~=3.11", "==3.12.*", "!=3.11.*", ">3.11", "<=3.12", ""])
      expect(requiresPythonAdmits(admits, "3.12")).toBe(true);
    for (const excludes of [">=3.13", ">=3.99", "<3.12", "==3.11.*", "~=3.13", ">=3.8, <3.12", "!=3.12.*"])
      expect(requiresPythonAdmits(excludes, "3.12")).toBe(false);
  });
});

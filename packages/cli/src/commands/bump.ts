/** `bump`: one plugin's version, in package.json and the manifest together. */
import { relative } from "node:path";
import { bumpVersion } from "../bump.js";
import { parseCommandArgs, type Command } from "./command.js";

export const bumpCommand: Command = {
  name: "bump",
  summary: "set a plugin's version in package.json and its manifest (src/plugin.ts) together",
  usage: "dify-ts bump <plugin dir> <version>",
  options: ["  <plugin dir>   the plugin to change", "  <version>      the new version, x.y.z"],
  examples: ["pnpm dify-ts bump plugins/s3 0.2.0"],
  async run(argv, io) {
    const { positionals } = parseCommandArgs(this, argv, {}, { min: 2, max: 2 });
    const result = await bumpVersion(positionals[0]!, positionals[1]!);
    io.out(`${result.from} -> ${result.to}: ${result.files.map((file) => relative(process.cwd(), file)).join(", ")}`);
    io.err("add the release notes to CHANGELOG.md");
    return 0;
  },
};

/** `init`: scaffolds a new tool plugin. */
import { relative } from "node:path";
import { initPlugin } from "../init.js";
import { UsageError } from "../project.js";
import { parseCommandArgs, type Command } from "./command.js";

export const initCommand: Command = {
  name: "init",
  summary: "create a new tool plugin (provider, credentials, one tool) that packages and runs as it is",
  usage: "dify-ts init <dir> --author <your-org> [--name <plugin-name>]",
  options: [
    "  <dir>                   where to create the plugin; inside a pnpm workspace it joins the workspace",
    "  --author <your-org>     required: your organisation or handle, lowercase (manifest author, plugin identifier)",
    "  --name <plugin-name>    the plugin's name: lowercase letters, digits, _ and - (default: the directory's name)",
  ],
  examples: ["pnpm dify-ts init plugins/weather --author acme"],
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      this,
      argv,
      { author: { type: "string" }, name: { type: "string" } },
      { min: 1, max: 1 },
    );
    if (!values.author)
      throw new UsageError(
        `--author is required: your organisation or handle, lowercase (it goes into the manifest and the plugin's identifier)\nusage: ${this.usage}`,
      );
    const result = await initPlugin(positionals[0]!, { author: values.author, name: values.name });
    const where = relative(process.cwd(), result.dir) || ".";
    io.out(`created ${result.name} in ${where}: ${result.files.length} files`);
    const tryIt = `--tool hello --params '{"name":"Dify"}' --credentials '{"api_key":"any-key-123"}'`;
    if (result.workspaceRoot) {
      io.err(
        `it joined the workspace at ${result.workspaceRoot}: run pnpm install, then pnpm build:all writes dist/${result.name}-0.1.0.difypkg`,
      );
      io.err(`try it: pnpm dify-ts invoke ${where} ${tryIt}`);
    } else {
      io.err(`next: cd ${where} && npm install && npm run package (writes dist/${result.name}-0.1.0.difypkg)`);
      io.err(`try it: cd ${where} && npx dify-ts invoke . ${tryIt}`);
    }
    return 0;
  },
};

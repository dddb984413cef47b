// `node --import tsx --import ./alias.mjs entry.ts`: runs the plugin from source with its dify.alias entries.
import { register } from "node:module";

register("./alias-hooks.mjs", import.meta.url);

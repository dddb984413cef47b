import { runPlugin } from "@dify-ts/runtime";
import plugin from "./plugin.js";

await runPlugin(plugin);

import { runPlugin } from "../index.js";
import plugin from "./fixture-plugin.js";

await runPlugin(plugin);

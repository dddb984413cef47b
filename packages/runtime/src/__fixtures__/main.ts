import { runPlugin } from "../index.js";
import plugin, { restrictedPlugin } from "./fixture-plugin.js";

await runPlugin(process.env.FIXTURE_RESTRICTED ? restrictedPlugin : plugin);

import { runPlugin } from "@dify-ts/runtime";
import plugin from "./plugin.js";
import { service } from "./service.js";

const running = await runPlugin(plugin);
// Replays the writes a previous process accepted but did not apply; logs go through the daemon.
service.start(running.dispatcher.logger).catch((error: unknown) => running.dispatcher.logger.error("the write journal could not be opened", error));

import type { Localized } from "@dify-ts/runtime";

/** Text shown to people, in the two languages the plugin ships. */
export const t = (en_US: string, zh_Hans: string): Localized => ({ en_US, zh_Hans });

/** get_user_checkpoint: what extraction has taken from a user's conversations in one app, and up to when. */
import { localized } from "@dify-ts/runtime";
import { extractor } from "../extraction/index.js";
import { provider } from "../provider.js";
import { checkScopeValue, ScopeError } from "../scope.js";
import { appIdParameter, respond, scopeParameters, setupFor } from "./shared.js";

/** The conversations listed, newest first; the count covers all. */
const LISTED = 100;

export const getUserCheckpoint = provider.defineTool({
  identity: { name: "get_user_checkpoint", label: localized("Get User Checkpoint", "查看用户检查点") },
  description: {
    human: localized(
      "Which conversations of a user in a Dify app have been extracted into memories, and up to when",
      "某用户在某 Dify 应用中哪些对话已提取为记忆，以及提取到何时",
    ),
    llm: "Returns the extraction checkpoint of a user in a Dify app: the conversations already extracted and when.",
  },
  parameters: {
    user_id: scopeParameters.user_id,
    app_id: {
      ...appIdParameter(localized("The Dify app", "Dify 应用"), "The id of the Dify app."),
      required: true,
    },
  },
  async handler(params, context) {
    let user_id: string;
    let app_id: string;
    try {
      user_id = checkScopeValue("user_id", params.user_id);
      app_id = checkScopeValue("app_id", params.app_id);
    } catch (error) {
      if (!(error instanceof ScopeError)) throw error;
      return respond("ERROR", error.message, null, `${error.message}.`);
    }
    const configured = await setupFor(context, null);
    if ("failure" in configured) return configured.failure;
    const checkpoint = await extractor().checkpoint(configured.setup.store, user_id, app_id);
    const conversations = Object.entries(checkpoint.conversations)
      .map(([conversation_id, entry]) => ({ conversation_id, ...entry }))
      .sort((a, b) => b.updated_at - a.updated_at);
    const newest = conversations[0]?.updated_at;
    const results = {
      user_id,
      app_id,
      conversations_extracted: conversations.length,
      last_extracted_at: checkpoint.last_extracted_at,
      newest_conversation_updated_at: newest === undefined ? null : new Date(newest * 1000).toISOString(),
      conversations: conversations.slice(0, LISTED),
    };
    return respond(
      "SUCCESS",
      { user_id, app_id },
      results,
      conversations.length === 0
        ? `Nothing extracted yet for user ${user_id} in app ${app_id}.`
        : `${conversations.length} conversation(s) extracted for user ${user_id} in app ${app_id}, last at ${checkpoint.last_extracted_at}.`,
    );
  },
});

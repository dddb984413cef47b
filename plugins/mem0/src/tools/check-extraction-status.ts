/** check_extraction_status: the progress of an extraction task, per user, with the errors met. */
import { localized } from "@dify-ts/runtime";
import { extractor } from "../extraction/index.js";
import { provider } from "../provider.js";
import { preview, respond, setupFor } from "./shared.js";

export const checkExtractionStatus = provider.defineTool({
  identity: { name: "check_extraction_status", label: localized("Check Extraction Status", "查看提取状态") },
  description: {
    human: localized(
      "Progress, per-user results and errors of an extraction task",
      "提取任务的进度、每个用户的结果和错误",
    ),
    llm: "Returns the progress of a memory extraction task started by extract_long_term_memory.",
  },
  parameters: {
    task_id: {
      type: "string",
      required: true,
      form: "llm",
      label: localized("Task ID", "任务 ID"),
      human_description: localized("The id extract_long_term_memory returned", "extract_long_term_memory 返回的 ID"),
      llm_description: "The task id returned by extract_long_term_memory.",
    },
  },
  async handler(params, context) {
    const configured = await setupFor(context, null);
    if ("failure" in configured) return configured.failure;
    await extractor().ready();
    // Another workspace's task answers as an unknown one does.
    const task = extractor().status(params.task_id.trim(), configured.setup.store);
    if (!task) {
      const problem = `Extraction task not found: ${preview(params.task_id)}`;
      return respond("ERROR", problem, null, problem);
    }
    const users = Object.values(task.users);
    const progress = {
      users_total: users.length,
      users_done: users.filter((user) => user.status === "DONE").length,
      users_with_errors: users.filter((user) => user.status === "ERROR").length,
      conversations_extracted: users.reduce((sum, user) => sum + user.extracted, 0),
      conversations_failed: users.reduce((sum, user) => sum + user.failed, 0),
    };
    const waiting =
      task.status === "WAITING_FOR_KEY"
        ? " The plugin restarted while it ran: call extract_long_term_memory again for this app to resume it (the API key is never stored)."
        : "";
    return respond(
      "SUCCESS",
      { task_id: task.task_id },
      { ...task, progress },
      `Task ${task.task_id}: ${task.status}; ${progress.users_done} of ${progress.users_total} user(s) done, ${progress.conversations_extracted} conversation(s) extracted, ${progress.conversations_failed} failed.${waiting}`,
    );
  },
});

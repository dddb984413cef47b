/**
 * Backwards invocation in serverless mode, as the SDK's `_http_backwards_invoke`
 * does it: the `invoke` session event is POSTed to
 * DIFY_PLUGIN_DAEMON_URL/backwards-invocation/transaction with the session id
 * in `Dify-Plugin-Session-ID`; the response body streams `backwards_response`
 * events (blank lines in between are the daemon's keep-alives).
 */
import { newBackwardsRequestId, ResponseQueue, type BackwardsChannel } from "./backwards.js";
import {
  createLineParser,
  MAX_INPUT_LINE_BYTES,
  serializeEvent,
  type BackwardsResponse,
  type JsonObject,
} from "@dify-ts/protocol";

export function httpBackwardsChannel(daemonUrl: string, sessionId: string): BackwardsChannel {
  const url = `${daemonUrl.replace(/\/+$/, "")}/backwards-invocation/transaction`;
  return async function* (type, request, options) {
    const id = newBackwardsRequestId();
    const queue = new ResponseQueue();
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const body = serializeEvent({
      event: "session",
      session_id: sessionId,
      data: { type: "invoke", data: { type, backwards_request_id: id, request } },
    });
    const parser = createLineParser({
      onLine: (line) => queue.push(parseAnswer(line, id, type)),
      onError: (error) => queue.push({ backwards_request_id: id, event: "error", message: error.message }),
      maxLineBytes: MAX_INPUT_LINE_BYTES,
    });
    const pump = (async () => {
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", "dify-plugin-session-id": sessionId },
          body,
          signal: controller.signal,
        });
      } catch (error) {
        const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
        queue.push({
          backwards_request_id: id,
          event: "error",
          message: `could not reach the plugin daemon at ${url} (DIFY_PLUGIN_DAEMON_URL): ${cause}`,
        });
        return;
      }
      if (!response.ok && !response.body) {
        queue.push({
          backwards_request_id: id,
          event: "error",
          message: `the plugin daemon answered HTTP ${response.status}`,
        });
        return;
      }
      try {
        for await (const chunk of response.body!) parser.feed(Buffer.from(chunk));
        parser.feed(Buffer.from("\n"));
        queue.push({ backwards_request_id: id, event: "end" });
      } catch (error) {
        if (!controller.signal.aborted)
          queue.push({
            backwards_request_id: id,
            event: "error",
            message: `the plugin daemon's answer broke off: ${(error as Error).message}`,
          });
      }
    })();
    try {
      yield* queue.read(type, options);
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      controller.abort();
      await pump;
    }
  };
}

/** One answer line: the daemon's session envelope, or (when it cannot find the session) the bare event. */
function parseAnswer(line: string, id: string, type: string): BackwardsResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return {
      backwards_request_id: id,
      event: "error",
      message: `the plugin daemon answered the ${type} invocation with something that is not JSON: ${line.slice(0, 200)}`,
    };
  }
  const object = (parsed ?? {}) as JsonObject;
  const event = (object.event === "backwards_response" ? object.data : object) as unknown as BackwardsResponse | null;
  if (!event || typeof event !== "object" || !["response", "error", "end"].includes(event.event)) {
    return {
      backwards_request_id: id,
      event: "error",
      message: `unexpected answer to the ${type} invocation: ${line.slice(0, 200)}`,
    };
  }
  return event;
}

import { defineEndpointGroup, definePlugin, localized } from "@dify-ts/runtime";
import { SIGNATURE_HEADER, verifySignature } from "./signature.js";

/** Largest event count one stream sends, so a URL cannot hold the session for long. */
export const MAX_EVENTS = 100;

export const endpoints = defineEndpointGroup({
  settings: {
    signing_secret: {
      type: "secret-input",
      required: true,
      label: localized("Signing secret", "签名密钥"),
      help: localized(
        "The secret the sender signs each delivery with (GitHub: the webhook's Secret)",
        "发送方为每次投递签名所用的密钥（GitHub：Webhook 的 Secret）",
      ),
    },
  },
  routes: [
    {
      name: "receive",
      path: "/webhook",
      method: "POST",
      async handler(request, { settings, logger }) {
        const body = new Uint8Array(await request.arrayBuffer());
        if (!verifySignature(settings.signing_secret, body, request.headers.get(SIGNATURE_HEADER)))
          return Response.json(
            { error: `missing or wrong ${SIGNATURE_HEADER}: expected sha256=<hex HMAC-SHA256 of the body>` },
            { status: 401 },
          );
        let payload: unknown;
        try {
          payload = JSON.parse(new TextDecoder().decode(body));
        } catch {
          return Response.json({ error: "the body must be JSON" }, { status: 400 });
        }
        const event = request.headers.get("x-github-event") ?? "unknown";
        logger.info(`webhook delivery accepted: event ${event}, ${body.length} bytes`);
        return Response.json({
          accepted: true,
          event,
          delivery: request.headers.get("x-github-delivery"),
          bytes: body.length,
          keys: typeof payload === "object" && payload !== null ? Object.keys(payload).sort() : [],
        });
      },
    },
    {
      name: "events",
      path: "/events/<int:count>",
      method: "GET",
      handler(_request, { params, signal }) {
        const count = Number(params.count);
        if (count < 1 || count > MAX_EVENTS)
          return Response.json({ error: `count must be between 1 and ${MAX_EVENTS}` }, { status: 400 });
        const encoder = new TextEncoder();
        let sent = 0;
        // Each event is produced when the runtime pulls the next chunk: a stream, not one buffered body (what is ready
        // at once goes out in one message).
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (signal.aborted) return controller.error(signal.reason);
            sent++;
            controller.enqueue(encoder.encode(`id: ${sent}\nevent: tick\ndata: {"n":${sent},"of":${count}}\n\n`));
            if (sent === count) controller.close();
          },
        });
        return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
      },
    },
    {
      name: "health",
      path: "/health",
      method: "GET",
      // Served, but not listed on Dify's endpoint page.
      hidden: true,
      handler: () => Response.json({ ok: true }),
    },
  ],
});

export default definePlugin({
  manifest: {
    author: "dify-ts",
    name: "webhook",
    version: "0.1.0",
    label: localized("Webhook receiver", "Webhook 接收器"),
    description: localized(
      "Receives signed webhooks (HMAC-SHA256, as GitHub sends them) on a Dify endpoint and streams Server-Sent Events",
      "在 Dify 端点上接收签名的 Webhook（HMAC-SHA256，与 GitHub 相同）并推送 Server-Sent Events",
    ),
    icon: "icon.svg",
    created_at: "2026-12-02T00:00:00Z",
    tags: ["utilities"],
    resource: { memory: 134217728, permission: { endpoint: { enabled: true } } },
    privacy: "PRIVACY.md",
  },
  endpoints,
});

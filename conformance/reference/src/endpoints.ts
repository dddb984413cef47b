/** The endpoint group of the reference plugin, twin of python/reference/group and endpoints/. */
import { defineEndpointGroup } from "@dify-ts/runtime";

export const endpoints = defineEndpointGroup({
  settings: {
    greeting: { type: "text-input", required: true, label: { en_US: "Greeting", zh_Hans: "问候语" } },
    signing_key: { type: "secret-input", label: { en_US: "Signing key", zh_Hans: "签名密钥" } },
  },
  routes: [
    {
      name: "echo",
      path: "/echo/<name>",
      method: "POST",
      async handler(request, { settings, params }) {
        const body = {
          greeting: settings.greeting,
          name: params.name,
          query: new URL(request.url).searchParams.get("q"),
          content_type: request.headers.get("content-type"),
          body: await request.text(),
        };
        return new Response(JSON.stringify(body), { status: 201, headers: { "content-type": "application/json" } });
      },
    },
    {
      name: "stream",
      path: "/stream/<int:count>",
      method: "GET",
      handler(_request, { params }) {
        const count = Number(params.count);
        let n = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            controller.enqueue(new TextEncoder().encode(`data: ${++n}\n\n`));
            if (n === count) controller.close();
          },
        });
        return new Response(body, { headers: { "content-type": "text/event-stream" } });
      },
    },
    {
      name: "fail",
      path: "/fail",
      method: "GET",
      hidden: true,
      handler(_request, { settings }) {
        throw new Error(`endpoint failed with key ${settings.signing_key}`);
      },
    },
  ],
});

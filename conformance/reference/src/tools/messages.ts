import { randomUUID } from "node:crypto";
import { image, json, link, log, streamVariable, text, variable } from "@dify-ts/runtime";
import { provider } from "../provider.js";

export const messages = provider.defineTool({
  identity: { name: "messages", label: { en_US: "Every message kind", zh_Hans: "全部消息类型" } },
  description: {
    human: {
      en_US: "Emits text, json, link, image, variables, a streamed variable and logs",
      zh_Hans: "输出文本、JSON、链接、图片、变量、流式变量和日志",
    },
    llm: "Emits one message of every kind except blobs.",
  },
  parameters: {},
  output_schema: { type: "object", properties: { count: { type: "number" }, story: { type: "string" } } },
  async *handler(_params, context) {
    // The credentials of the provider's form (an OAuth authorization has no region or tier).
    const { region, tier } =
      context.credentialType === "oauth2" ? { region: "us-east-1", tier: "free" } : context.credentials;
    yield text("hello");
    yield text('héllo — 世界 🌍 "quoted" \\ \n');
    yield json({
      region,
      tier,
      user: context.session.userId ?? null,
      nested: { list: [1, 2.5, "three", true, null] },
    });
    yield json([1, "two", { three: 3 }]);
    yield link("https://example.com/conformance");
    yield image("https://example.com/conformance.png");
    yield variable("count", 3);
    yield variable("object", { a: [1, 2], b: null });
    for (const piece of ["once ", "upon ", "a time"]) yield streamVariable("story", piece);
    const outer = randomUUID();
    const failing = randomUUID();
    yield log("outer", "start", { step: 1 }, { id: outer });
    yield log("inner", "success", { detail: "x" }, { parent_id: outer });
    yield log("failing", "start", {}, { id: failing, parent_id: outer });
    yield log("failing", "error", {}, { id: failing, parent_id: outer, error: "it broke" });
    yield log("outer", "success", { step: 2 }, { id: outer });
  },
});

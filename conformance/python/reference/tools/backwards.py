from collections.abc import Generator
from io import BytesIO
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.model import EmbeddingInputType
from dify_plugin.entities.model.llm import LLMModelConfig
from dify_plugin.entities.model.message import (
    AssistantPromptMessage,
    ImagePromptMessageContent,
    PromptMessageTool,
    SystemPromptMessage,
    TextPromptMessageContent,
    ToolPromptMessage,
    UserPromptMessage,
)
from dify_plugin.entities.model.moderation import ModerationModelConfig
from dify_plugin.entities.model.rerank import MultiModalRerankModelConfig, RerankModelConfig
from dify_plugin.entities.model.speech2text import Speech2TextModelConfig
from dify_plugin.entities.model.text_embedding import (
    MultiModalContent,
    MultiModalEmbeddingModelConfig,
    TextEmbeddingModelConfig,
)
from dify_plugin.entities.model.tts import TTSModelConfig
from dify_plugin.entities.tool import ToolInvokeMessage, ToolProviderType
from dify_plugin.entities.workflow_node import ClassConfig, ModelConfig, ParameterConfig

LLM = {"provider": "openai", "model": "gpt", "mode": "chat"}
NODE_MODEL = ModelConfig(provider="openai", name="gpt")


def conversation() -> list:
    call = AssistantPromptMessage.ToolCall(
        id="call-1",
        type="function",
        function=AssistantPromptMessage.ToolCall.ToolCallFunction(name="clock", arguments="{}"),
    )
    return [
        SystemPromptMessage(content="be brief"),
        UserPromptMessage(
            content=[
                TextPromptMessageContent(data="what time is it?"),
                ImagePromptMessageContent(format="png", mime_type="image/png", base64_data="aW1n"),
            ]
        ),
        AssistantPromptMessage(content="", tool_calls=[call]),
        ToolPromptMessage(content="12:00", tool_call_id="call-1"),
    ]


CLOCK = PromptMessageTool(name="clock", description="Tells the time", parameters={"type": "object", "properties": {}})


def usage_of(result: Any) -> dict:
    usage = result.usage
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "currency": usage.currency,
    }


class BackwardsTool(Tool):
    """One backwards invocation per `kind`, with fixed inputs; answers with what the SDK read."""

    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        yield self.create_json_message(getattr(self, "_" + tool_parameters["kind"])())

    def _llm(self) -> dict:
        model = self.session.model.llm
        chunks = list(
            model.invoke(LLMModelConfig(**LLM, completion_params={"temperature": 0.2}), conversation(), [CLOCK], ["\n\n"])
        )
        return {"text": "".join(str(c.delta.message.content) for c in chunks), "chunks": len(chunks)}

    def _llm_blocking(self) -> dict:
        result = self.session.model.llm.invoke(LLM, [UserPromptMessage(content="hi")], stream=False)
        return {
            "model": result.model,
            "content": result.message.content,
            "tool_calls": [call.model_dump() for call in result.message.tool_calls],
            "usage": usage_of(result),
        }

    def _llm_structured(self) -> dict:
        result = self.session.model.llm_structured_output.invoke(
            LLM,
            [UserPromptMessage(content="name a colour")],
            {"type": "object", "properties": {"colour": {"type": "string"}}},
            stream=False,
        )
        return {"content": result.message.content, "structured_output": result.structured_output}

    def _text_embedding(self) -> dict:
        result = self.session.model.text_embedding.invoke(
            TextEmbeddingModelConfig(provider="openai", model="embed"), ["a", "b"]
        )
        return {"model": result.model, "embeddings": result.embeddings, "tokens": result.usage.total_tokens}

    def _multimodal_embedding(self) -> dict:
        result = self.session.model.text_embedding.invoke_multimodal(
            MultiModalEmbeddingModelConfig(provider="openai", model="embed", tenant_id="tenant-1"),
            [MultiModalContent(content="a", content_type="text")],
            EmbeddingInputType.DOCUMENT,
        )
        return {"model": result.model, "embeddings": result.embeddings, "tokens": result.usage.total_tokens}

    def _rerank(self) -> dict:
        result = self.session.model.rerank.invoke(
            RerankModelConfig(provider="cohere", model="rerank", score_threshold=0.5, top_n=2), ["x", "y"], "q"
        )
        return {"model": result.model, "docs": [[doc.index, doc.text, doc.score] for doc in result.docs]}

    def _multimodal_rerank(self) -> dict:
        result = self.session.model.rerank.invoke_multimodal(
            MultiModalRerankModelConfig(provider="cohere", model="rerank"),
            MultiModalContent(content="q", content_type="text"),
            [MultiModalContent(content="aW1n", content_type="image")],
        )
        return {"model": result.model, "docs": [[doc.index, doc.text, doc.score] for doc in result.docs]}

    def _tts(self) -> dict:
        pieces = list(
            self.session.model.tts.invoke(TTSModelConfig(provider="openai", model="tts-1", voice="alloy"), "hello")
        )
        return {"pieces": len(pieces), "audio": b"".join(pieces).decode()}

    def _speech2text(self) -> dict:
        text = self.session.model.speech2text.invoke(
            Speech2TextModelConfig(provider="openai", model="whisper"), BytesIO(b"RIFF")
        )
        return {"text": text}

    def _moderation(self) -> dict:
        flagged = self.session.model.moderation.invoke(ModerationModelConfig(provider="openai", model="mod"), "bad")
        return {"flagged": flagged}

    def _summary(self) -> dict:
        summary = self.session.model.summary
        return {
            "short": summary.invoke("short text", "shorten", min_summarize_length=20),
            "long": summary.invoke("a text long enough to summarize", "shorten", min_summarize_length=20),
        }

    def _parameter_extractor(self) -> dict:
        parameter = ParameterConfig(name="city", type="string", description="the city", required=True)
        result = self.session.workflow_node.parameter_extractor.invoke([parameter], NODE_MODEL, "weather in Paris")
        return result.model_dump()

    def _question_classifier(self) -> dict:
        result = self.session.workflow_node.question_classifier.invoke(
            [ClassConfig(id="1", name="weather"), ClassConfig(id="2", name="other")],
            ModelConfig(provider="openai", name="gpt", mode="completion", completion_params={"temperature": 0}),
            "weather in Paris",
            "pick one",
        )
        return result.model_dump()

    def _tool(self) -> dict:
        messages = self.session.tool.invoke(ToolProviderType.BUILT_IN, "time", "current_time", {"timezone": "UTC"})
        return {"texts": [message.message.text for message in messages]}

    def _app_chat(self) -> dict:
        return {"events": list(self.session.app.chat.invoke("app-9", "hi", {"x": 1}, "streaming"))}

    def _app_chat_blocking(self) -> dict:
        return self.session.app.chat.invoke("app-9", "hi", {}, "blocking", conversation_id="conv-1", user="user-1")

    def _app_completion(self) -> dict:
        return self.session.app.completion.invoke("app-9", {"topic": "tea"}, "blocking")

    def _app_workflow(self) -> dict:
        return {"events": list(self.session.app.workflow.invoke("app-9", {}, "streaming"))}

    def _fetch_app(self) -> dict:
        return dict(self.session.app.fetch_app("app-9"))

    def _upload_file(self) -> dict:
        uploaded = self.session.file.upload("note.txt", b"hello", "text/plain")
        return uploaded.model_dump()

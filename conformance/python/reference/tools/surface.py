from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities import I18nObject, ParameterOption
from dify_plugin.entities.tool import ToolInvokeMessage

Resource = ToolInvokeMessage.RetrieverResourceMessage.RetrieverResource


class SurfaceTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        credential_type = self.runtime.credential_type
        yield self.create_json_message(
            {
                "credential_type": getattr(credential_type, "value", credential_type),
                "credentials": sorted(self.runtime.credentials.keys()),
                "parameters": tool_parameters,
            }
        )
        yield ToolInvokeMessage(
            type=ToolInvokeMessage.MessageType.IMAGE_LINK,
            message=ToolInvokeMessage.TextMessage(text="https://example.com/linked.png"),
        )
        yield self.create_retriever_resource_message(
            [Resource(position=1, dataset_name="docs", document_name="a.md", score=0.9, content="alpha")],
            "alpha",
        )
        yield self.create_log_message(
            "timed", {"step": 1}, status=ToolInvokeMessage.LogMessage.LogStatus.SUCCESS,
            metadata={"provider": "conformance", "elapsed_time": 0.5},
        )

    def _fetch_parameter_options(self, parameter: str) -> list[ParameterOption]:
        if parameter == "channel":
            return [
                ParameterOption(value="general", label=I18nObject(en_US="General", zh_Hans="综合")),
                ParameterOption(value="random", label=I18nObject(en_US="Random"), icon="https://example.com/r.svg"),
            ]
        raise ValueError(f"no options for {parameter}")

from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

DEFAULTS = {"ratio": 0.5, "flag": False, "choice": "a"}


def describe_file(file: Any) -> dict[str, Any]:
    return {"url": file.url, "filename": file.filename, "mime_type": file.mime_type}


class ParametersTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        def value(name: str) -> Any:
            received = tool_parameters.get(name)
            return DEFAULTS.get(name) if received is None or received == "" else received

        secret = value("secret")
        document = value("document")
        yield self.create_json_message(
            {
                "text": value("text"),
                "count": value("count"),
                "ratio": value("ratio"),
                "flag": value("flag"),
                "choice": value("choice"),
                "secret_length": len(secret) if secret is not None else None,
                "document": describe_file(document) if document is not None else None,
                "attachments": [describe_file(file) for file in value("attachments") or []],
            }
        )

from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage


class FailTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        before = int(tool_parameters.get("before") or 0)
        for index in range(before):
            yield self.create_text_message(f"message {index}")
        if tool_parameters.get("reveal_key"):
            raise TypeError(f"deliberate failure with key {self.runtime.credentials.get('api_key')}")
        raise TypeError("deliberate failure")

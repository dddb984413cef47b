from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage


class StorageTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        key = tool_parameters["key"]
        value = self.session.storage.get(key)
        self.session.storage.set(f"{key}-copy", value + b"!")
        copied = self.session.storage.exist(f"{key}-copy")
        yield self.create_json_message({"value": value.decode(), "copied": copied})

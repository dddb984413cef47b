import time
from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage


class SleepTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        ms = int(tool_parameters["ms"])
        time.sleep(ms / 1000)
        yield self.create_text_message(f"slept {ms} ms")

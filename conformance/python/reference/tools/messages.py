from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

LogStatus = ToolInvokeMessage.LogMessage.LogStatus


class MessagesTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        credentials = self.runtime.credentials
        yield self.create_text_message("hello")
        yield self.create_text_message("héllo — 世界 🌍 \"quoted\" \\ \n")
        yield self.create_json_message(
            {
                "region": credentials.get("region") or "us-east-1",
                "tier": credentials.get("tier") or "free",
                "user": self.runtime.user_id,
                "nested": {"list": [1, 2.5, "three", True, None]},
            }
        )
        yield self.create_json_message([1, "two", {"three": 3}])
        yield self.create_link_message("https://example.com/conformance")
        yield self.create_image_message("https://example.com/conformance.png")
        yield self.create_variable_message("count", 3)
        yield self.create_variable_message("object", {"a": [1, 2], "b": None})
        for piece in ["once ", "upon ", "a time"]:
            yield self.create_stream_variable_message("story", piece)
        outer = self.create_log_message("outer", {"step": 1}, status=LogStatus.START)
        yield outer
        yield self.create_log_message("inner", {"detail": "x"}, status=LogStatus.SUCCESS, parent=outer)
        failed = self.create_log_message("failing", {}, status=LogStatus.START, parent=outer)
        yield failed
        yield self.finish_log_message(failed, status=LogStatus.ERROR, error="it broke")
        yield self.finish_log_message(outer, status=LogStatus.SUCCESS, data={"step": 2})

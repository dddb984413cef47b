from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage

# Byte i is (i * 31 + 7) mod 256: the pattern repeats every 256 bytes.
PATTERN = bytes((i * 31 + 7) & 0xFF for i in range(256))


def pattern_bytes(size: int) -> bytes:
    return (PATTERN * (size // 256 + 1))[:size]


class BlobTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        size = int(tool_parameters["bytes"])
        yield self.create_blob_message(
            pattern_bytes(size),
            meta={"mime_type": "application/octet-stream", "filename": "conformance.bin"},
        )

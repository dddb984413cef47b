from collections.abc import Mapping

from werkzeug import Request, Response

from dify_plugin import Endpoint


class StreamEndpoint(Endpoint):
    def _invoke(self, r: Request, values: Mapping, settings: Mapping) -> Response:
        def events():
            for n in range(1, values["count"] + 1):
                yield f"data: {n}\n\n"

        return Response(events(), status=200, content_type="text/event-stream")

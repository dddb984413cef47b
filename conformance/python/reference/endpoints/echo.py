import json
from collections.abc import Mapping

from werkzeug import Request, Response

from dify_plugin import Endpoint


class EchoEndpoint(Endpoint):
    def _invoke(self, r: Request, values: Mapping, settings: Mapping) -> Response:
        body = {
            "greeting": settings["greeting"],
            "name": values["name"],
            "query": r.args.get("q"),
            "content_type": r.headers.get("Content-Type"),
            "body": r.get_data(as_text=True),
        }
        return Response(json.dumps(body, separators=(",", ":")), status=201, content_type="application/json")

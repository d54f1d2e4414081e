"""The published contract: GET /openapi.json, and the JSON Schema files under /_mock/schemas.

- GET /openapi.json                 the OpenAPI 3.1 document (mock_server.openapi), this server first
- GET /_mock/schemas                every schema: name, title, URL; and which ones are webhook events
- GET /_mock/schemas/{name}         one schema file, e.g. webhooks/call.end (or webhooks/call.end.json);
                                    its $refs name the files beside it, so a resolver follows them here
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from mock_server import openapi, schemas
from mock_server.control.common import control_error
from mock_server.http import Json

PREFIX = "/_mock/schemas/"


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def openapi_document(request: Request) -> Json:
    """The OpenAPI 3.1 document of every endpoint, webhook and /_mock/ route."""
    from mock_server.control.routes import operations  # the table this module's routes are in: imported late

    return Json(openapi.document(operations, _base(request)))


async def list_schemas(request: Request) -> Json:
    """Every JSON Schema the simulator validates with, and the webhook events among them."""
    base = _base(request)
    return Json({"schemas": [{"name": name, "title": schemas.schema(name).get("title"),
                              "url": f"{base}{PREFIX}{name}.json"} for name in schemas.names()],
                 "webhook_events": [name.removeprefix("webhooks/") for name in openapi.webhook_events()],
                 "openapi": f"{base}/openapi.json"})


async def get_schema(request: Request) -> Json:
    """One schema file (``.json`` optional), its $refs naming the files beside it."""
    name = request.path_params["name"].removesuffix(".json")
    if name not in schemas.names():
        raise control_error(404, f"No schema named {name[:100]!r}. GET /_mock/schemas lists them.")
    return Json(openapi.portable(name))


routes = [
    Route("/openapi.json", openapi_document, methods=["GET"]),
    Route("/_mock/schemas", list_schemas, methods=["GET"]),
    Route("/_mock/schemas/{name:path}", get_schema, methods=["GET"]),
]

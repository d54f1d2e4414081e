"""Developers API: GET /search/filters (live: GET /filters), the list of call-log filters Search Logs'
``filters`` accepts.

The list is the documented one (mock_server.developers.filter_expr.FILTERS), the same for every
account. Any other method gets the developers API's error body with a 405 and an Allow header.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from mock_server.context import AppContext
from mock_server.developers.auth import Params, developer_endpoint
from mock_server.developers.filter_expr import filters_body
from mock_server.http import Json
from mock_server.store import TenantState

PATH = "/search/filters"


@developer_endpoint
async def list_filters(request: Request, ctx: AppContext, tenant: TenantState, params: Params) -> Json:
    return Json(filters_body())


class MethodNotAllowed:
    """An ASGI app, so that its Route takes every method (a function endpoint's would default to GET)."""

    async def __call__(self, scope, receive, send) -> None:
        message = f"Method \"{scope['method']}\" not allowed: use GET {scope['path']}?token=<your API token>."
        response = Json({"status": "error", "code": 405, "message": message}, 405, headers={"Allow": "GET, HEAD"})
        await response(scope, receive, send)


# The second route takes every method the first does not (Starlette tries routes in order).
routes: list[Route] = [
    Route(PATH, list_filters, methods=["GET"]),
    Route(PATH, MethodNotAllowed()),
]

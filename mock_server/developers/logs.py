"""Developers API: POST /search/search (Search Logs), the company's call logs.

Parameters (query string, JSON or form body): token, from, to (UTC unix seconds), log_from,
page_size, search_key, filters. ``log_search`` parses them and selects the logs; each log is the
legacy short-field call log of the AfterCall webhook (``call_log.render``), its ``_fu`` pointing at
this server's recording-link request for the call's recording.

The response is not documented. Public client code reads ``data.total`` and ``data.hits[]`` with
each call under ``_source`` (an Elasticsearch-style hit), so the body is
``{"status": "success", "code": 200, "data": {"total", "log_from", "page_size", "next_log_from",
"hits": [{"_id": <_ai>, "_source": <log>}, …]}}``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from mock_server.context import AppContext
from mock_server.developers import log_search, recordings
from mock_server.developers.auth import Params, developer_endpoint, developer_error
from mock_server.domain import call_log
from mock_server.http import Json
from mock_server.store import TenantState

PATH = "/search/search"


def renderer(tenant: TenantState, base: str):
    """``session -> legacy call log`` for this tenant, recording links pointing at this server."""
    bits = call_log.tenant_bits(tenant.company_id, tenant["users"].values(), tenant["departments"].values(),
                                recording_url=recordings.link_endpoint(base))
    return lambda session: call_log.render(session, bits)


@developer_endpoint
async def search_logs(request: Request, ctx: AppContext, tenant: TenantState, params: Params) -> Json:
    try:
        query = log_search.parse_query(params)
    except log_search.QueryError as error:
        raise developer_error(400, str(error)) from None
    page = log_search.search(tenant["calls"].values(), query, renderer(tenant, recordings.base_url(request)))
    return Json(log_search.body(page))


routes: list[Route] = [Route(PATH, search_logs, methods=["POST"])]

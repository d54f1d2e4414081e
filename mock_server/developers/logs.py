"""Developers API: POST /search/search (Search Logs), the company's call logs.

Parameters (query string, JSON or form body): token, from, to (UTC unix seconds), log_from,
page_size, search_key, filters. ``log_search`` parses them and selects the calls by their AfterCall
logs (``call_log.render``: what the filters and the search key read); each selected call is
answered as the live service does (``call_log_live.hit``): ``{"status": "success", "code": 200,
"data": {"total": N, "hits": [{"user_id": …, "_source": {"caller_number": …, …}}, …]}}``.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.routing import Route

from mock_server.context import AppContext
from mock_server.developers import log_search
from mock_server.developers.auth import Params, developer_endpoint
from mock_server.domain import call_log, call_log_live
from mock_server.http import Json
from mock_server.store import TenantState
from mock_server.store.names import CALLS, DEPARTMENTS, USERS

PATH = "/search/search"


def renderers(tenant: TenantState) -> tuple[Callable[[dict], dict], Callable[[dict], dict]]:
    """``session -> AfterCall log`` for this tenant (its ``_fu`` is not shown: a hit's ``fileurl`` is
    the panel's player page), and ``session -> the part of it a search key is looked for in``."""
    bits = call_log.tenant_bits(tenant.company_id, tenant[USERS].values(), tenant[DEPARTMENTS].values())
    return (lambda session: call_log.render(session, bits)), (lambda session: call_log.searchable(session, bits))


@developer_endpoint
async def search_logs(request: Request, ctx: AppContext, tenant: TenantState, params: Params) -> Json:
    query = log_search.parse_query(params)
    reads = (tenant[USERS].version, tenant[DEPARTMENTS].version)  # what a call's searchable part reads
    page = log_search.search(tenant[CALLS], query, *renderers(tenant), reads=reads)
    return Json(log_search.body(page, call_log_live.hit))


routes: list[Route] = [Route(PATH, search_logs, methods=["POST"])]

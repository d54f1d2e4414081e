"""The developers API's User APIs: GET (list/search), POST (add) and PUT (update) /search/user (live: /user).

Each handler checks its parameters (``user_rules``), makes one call to the users service and renders;
the users are the tenant's ``users`` collection that the OBD API dials, so a user added here can be
called by its uuid at once.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from mock_server.context import AppContext
from mock_server.developers import render, user_rules as rules
from mock_server.developers.auth import Params, developer_endpoint
from mock_server.http import Json
from mock_server.refusals import Refusal
from mock_server.services import users as user_book
from mock_server.store import TenantState


@developer_endpoint
async def list_users(request: Request, ctx: AppContext, tenant: TenantState, params: Params) -> Json:
    keyword = rules.keyword_of(params)
    every = rules.wants_all(params)
    page = rules.positive_int(params, "page", 1)
    size_param = "page-size" if rules.given(params, "page-size") else "page_size"
    size = min(rules.positive_int(params, size_param, rules.DEFAULT_PAGE_SIZE), rules.MAX_PAGE_SIZE)
    found = user_book.find(tenant, keyword)
    if every:
        shown, size, next_page, prev_page = found, len(found), "", ""
    else:
        start = (page - 1) * size
        shown = found[start:start + size]
        next_page, prev_page = rules.page_links(len(found), page, size)
    return Json(render.users_page(shown, size, len(found), next_page, prev_page))


@developer_endpoint
async def add_user(request: Request, ctx: AppContext, tenant: TenantState, params: Params) -> Json:
    values = rules.clean(params, creating=True)
    user = user_book.add(ctx, tenant, values)
    return Json(render.done("user added successfully", uuid=user["id"]))


@developer_endpoint
async def update_user(request: Request, ctx: AppContext, tenant: TenantState, params: Params) -> Json:
    if not rules.given(params, "uuid"):
        raise Refusal.field("uuid", rules.UUID_REQUIRED)
    values = rules.clean(params, creating=False)
    user_book.update(ctx, tenant, params["uuid"], values)
    return Json(render.done("user updated successfully"))


routes: list[Route] = [
    Route("/search/user", list_users, methods=["GET"]),
    Route("/search/user", add_user, methods=["POST"]),
    Route("/search/user", update_user, methods=["PUT"]),
]

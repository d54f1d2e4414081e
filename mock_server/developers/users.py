"""The developers API's User APIs: GET (list/search), POST (add) and PUT (update) /search/user (live: /user).

Handlers only parse, call ``user_rules`` and write; the users are the tenant's ``users`` collection
that the OBD API dials, so a user added here can be called by its uuid at once.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from mock_server.clock import iso
from mock_server.context import AppContext
from mock_server.developers import user_rules as rules
from mock_server.developers.auth import DEV_INVALID, Params, developer_endpoint, developer_error
from mock_server.http import Json
from mock_server.store import TenantState

USERS = "users"


class _Rules:
    """Run rules, answering a broken one with the developers API's 400."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        if isinstance(error, rules.RuleError):
            raise DEV_INVALID.error(error.errors) from None
        return False


checked = _Rules()


@developer_endpoint
async def list_users(request: Request, ctx: AppContext, tenant: TenantState, params: Params) -> Json:
    with checked:
        keyword = rules.keyword_of(params)
        every = rules.wants_all(params)
        page = rules.positive_int(params, "page", 1)
        size_param = "page-size" if rules.given(params, "page-size") else "page_size"
        size = min(rules.positive_int(params, size_param, rules.DEFAULT_PAGE_SIZE), rules.MAX_PAGE_SIZE)
    found = [u for u in rules.in_order(tenant[USERS]) if rules.matches(u, keyword)]
    if every:
        shown, size, next_page, prev_page = found, len(found), "", ""
    else:
        start = (page - 1) * size
        shown = found[start:start + size]
        next_page, prev_page = rules.page_links(len(found), page, size)
    return Json({"status": "success", "page_size": size, "total_user": len(found),
                 "data": [rules.render(u) for u in shown], "next_page": next_page, "prev_page": prev_page,
                 "code": 200})


def _fresh_ids(ctx: AppContext) -> tuple[str, str]:
    """A 16-hex uuid and a 12-digit user_id that no user of any company has."""
    taken_ids, taken_user_ids = set(), set()
    for tenant in ctx.store.tenants.values():
        for user in tenant[USERS]:
            taken_ids.add(user["id"])
            taken_user_ids.add(user["user_id"])
    uuid = ctx.ids.uuid().replace("-", "")[:16]
    while uuid in taken_ids:
        uuid = ctx.ids.uuid().replace("-", "")[:16]
    user_id = ctx.ids.digits(12)
    while user_id in taken_user_ids:
        user_id = ctx.ids.digits(12)
    return uuid, user_id


@developer_endpoint
async def add_user(request: Request, ctx: AppContext, tenant: TenantState, params: Params) -> Json:
    users = tenant[USERS]
    with checked:
        values = rules.clean(params, creating=True)
        uuid, user_id = _fresh_ids(ctx)
        user = rules.new_user(values, uuid, user_id, tenant.company_id, iso(ctx.now()))
        with ctx.store.transaction():
            rules.ensure_unique(users, user)
            users.put(user)
    return Json({"status": "success", "code": 200, "message": "user added successfully", "uuid": uuid})


def _target(users: Any, params: Params) -> dict:
    uuid = params["uuid"]
    user = users.get(uuid.strip()) if isinstance(uuid, str) else None
    if user is None:
        raise developer_error(404, rules.USER_NOT_FOUND)
    if rules.is_anonymous(user):
        raise DEV_INVALID.field("uuid", rules.ANONYMOUS_FIXED)
    return user


@developer_endpoint
async def update_user(request: Request, ctx: AppContext, tenant: TenantState, params: Params) -> Json:
    users = tenant[USERS]
    if not rules.given(params, "uuid"):
        raise DEV_INVALID.field("uuid", rules.UUID_REQUIRED)
    with checked:
        values = rules.clean(params, creating=False)
        user = _target(users, params)
        changed = rules.updated_user(user, values, iso(ctx.now()))
        with ctx.store.transaction():
            rules.ensure_unique(users, changed)
            if changed != user:
                users.put(changed)
    return Json({"status": "success", "code": 200, "message": "user updated successfully"})


routes: list[Route] = [
    Route("/search/user", list_users, methods=["GET"]),
    Route("/search/user", add_user, methods=["POST"]),
    Route("/search/user", update_user, methods=["PUT"]),
]

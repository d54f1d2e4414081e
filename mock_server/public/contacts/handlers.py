"""The Contacts API's handlers: parse -> validate -> rules or the contacts service -> render."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from mock_server.context import AppContext
from mock_server.errors import CONTACT_INVALID
from mock_server.http import (
    EMPTY,
    MAX_JSON_BYTES,
    Json,
    page,
    parse_json,
    query_int,
    query_list,
    read_body,
    require_object,
)
from mock_server.public.auth import endpoint
from mock_server.public.contacts import render, rules, search
from mock_server.services import contacts as contact_book
from mock_server.services.contacts import INCLUDES, SEARCH_PARAMS
from mock_server.store import TenantState
from mock_server.store.names import CONTACTS, CUSTOM_FIELDS


async def _body(request: Request) -> Any:
    """The parsed JSON body, or EMPTY when none was sent."""
    return parse_json(await read_body(request, MAX_JSON_BYTES, CONTACT_INVALID), CONTACT_INVALID)


def _object(body: Any, schema: str) -> dict:
    return require_object(body, CONTACT_INVALID, schema)


def _includes_custom_fields(request: Request) -> bool:
    include = query_list(request, "include")
    unknown = [i for i in include if i not in INCLUDES]
    if unknown:
        raise CONTACT_INVALID.field("include", f"Unknown include value(s): {', '.join(unknown)}. "
                                               f"Choose from: {', '.join(INCLUDES)}.")
    return "custom_fields" in include


def _definitions(tenant: TenantState) -> dict[str, dict]:
    return contact_book.definitions_by_id(tenant[CUSTOM_FIELDS].values())


def _is_search(request: Request, body: Any) -> bool:
    """Search and create share POST /contacts: the documented search URL carries ?before=&after,
    and the documented search body is an {"and": ...} filter."""
    return (any(p in request.query_params for p in SEARCH_PARAMS)
            or (isinstance(body, dict) and "and" in body))


@endpoint
async def post_contacts(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    body = await _body(request)
    if _is_search(request, body):
        return _search(request, tenant, {} if body is EMPTY else body)
    return _create(ctx, tenant, body)


def _create(ctx: AppContext, tenant: TenantState, body: Any) -> Json:
    body = _object(None if body is EMPTY else body, "public/contact.create.request")
    clean = contact_book.clean_create(body, _definitions(tenant))
    doc = contact_book.add(ctx, tenant, clean)
    layout: render.Layout = "instead_of_status" if "custom_fields" in body else "none"
    return Json(render.success("Contact Created", render.contact(doc, layout)))


def _search(request: Request, tenant: TenantState, body: Any) -> Json:
    query = search.parse(body, _definitions(tenant))
    limit = query_int(request, "limit", 10, CONTACT_INVALID, minimum=1, maximum=100)
    cursors = {}
    for name in ("after", "before"):
        raw = request.query_params.get(name, "").strip()
        try:
            cursors[name] = search.decode_token(raw) if raw else None
        except ValueError:
            raise CONTACT_INVALID.field(
                name, "Invalid pagination token: use a pagination_token from a result.") from None
    results, filter_total = search.page(tenant[CONTACTS], query, cursors["after"], cursors["before"], limit)
    data = {"total": len(results), "filter_total": filter_total,
            "results": [render.search_result(c) for c in results]}
    return Json(render.success("Contacts Searched", data, code=200))


@endpoint
async def list_contacts(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    limit = query_int(request, "limit", 10, CONTACT_INVALID, minimum=1, maximum=100)
    offset = query_int(request, "offset", 0, CONTACT_INVALID)
    with_custom = _includes_custom_fields(request)
    country_code = contact_book.normalise_country_code(request.query_params.get("country_code", "")) or None
    phone = request.query_params.get("phone_number", "").strip().lstrip("+") or None
    data = page(request, rules.listed(tenant[CONTACTS], country_code, phone), limit, offset)
    data["results"] = [render.contact(c, "after_status" if with_custom else "none") for c in data["results"]]
    return Json(render.success("Data", data))


@endpoint
async def fetch_contact(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    with_custom = _includes_custom_fields(request)
    doc = contact_book.get(tenant, request.path_params["contact_id"])
    return Json(render.success("Contact Fetched", render.contact(doc, "before_status" if with_custom else "none")))


@endpoint
async def update_contact(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    """PATCH by contact id (24 hex characters) or by phone number with country code."""
    with_custom = _includes_custom_fields(request)
    body = await _body(request)
    body = _object({} if body is EMPTY else body, "public/contact.update.request")
    clean = contact_book.clean_update(body, _definitions(tenant))
    identifier = request.path_params["contact_id"]
    doc = contact_book.update(ctx, tenant, identifier, body, clean)
    by_id = contact_book.is_object_id(identifier)
    # The by-ID example echoes custom_fields after an update that sent some; the by-phone example
    # does not, so by phone they appear only when asked for with include=custom_fields.
    show = with_custom or (by_id and "custom_fields" in body)
    return Json(render.success("Contact Updated", render.contact(doc, "before_status" if show else "none")))


@endpoint
async def delete_contact(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    contact_book.delete(tenant, request.path_params["contact_id"])
    return Json(render.success("Contact Deleted", {}))

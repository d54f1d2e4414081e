"""The legacy POST /contactadd (help centre: "Contact - Add a contact"): token, contactname,
phonenumber, emailid, assignto.

It writes to the same contact book the public Contacts API serves (the tenant's ``contacts``), through
the same contacts service (``mock_server.services.contacts``), so GET /contacts shows the contact at once
and both refuse the same duplicates. Only the parameter names and the error body (the developers API's) differ.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from mock_server import schemas
from mock_server.context import AppContext
from mock_server.developers import render
from mock_server.developers.auth import Params, developer_endpoint
from mock_server.http import Json
from mock_server.phones import split_phone
from mock_server.refusals import Refusal
from mock_server.services import contacts as contact_book
from mock_server.store import TenantState
from mock_server.store.names import USERS

# The contact book's fields -> the parameter that carries each here.
PARAM_OF = {"name": "contactname", "country_code": "phonenumber", "phone_number": "phonenumber",
            "email_id": "emailid", "non_field_errors": "body"}

REQUIRED = "{field} is required"
NOT_TEXT = "{field} must be text"
PHONE_FORM = "phonenumber must be digits, optionally with a leading + and the country code"
ASSIGNEE = "assignto must be the uuid of a user of this company"


def _text(params: Params, name: str, errors: dict, required: bool = False) -> str | None:
    value = params.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = [REQUIRED.format(field=name)]
        return None
    if isinstance(value, int) and not isinstance(value, bool) and name == "phonenumber":
        return str(value)
    if not isinstance(value, str):
        errors[name] = [NOT_TEXT.format(field=name)]
        return None
    return value.strip()


def contact_body(params: Params) -> dict[str, Any]:
    """The parameters as a public Create Contact body (checked for form here, for content there)."""
    errors: dict[str, list[str]] = {}
    name = _text(params, "contactname", errors, required=True)
    phone = _text(params, "phonenumber", errors, required=True)
    email = _text(params, "emailid", errors)
    parts = split_phone(phone) if phone is not None else None
    if phone is not None and parts is None:
        errors["phonenumber"] = [PHONE_FORM]
    if errors or parts is None:  # (no parts without an error: the number is required)
        raise Refusal("400", fields=errors)
    body = {"name": name, "country_code": parts[0], "phone_number": parts[1], "email_id": email}
    as_contact(lambda: _schema_errors(body))
    return body


def _schema_errors(body: dict) -> None:
    errors = schemas.field_errors("public/contact.create.request", body)
    if errors:
        raise contact_book.invalid(errors)


def as_contact(rule):
    """Run a contact rule, its refused fields named by this API's parameters."""
    try:
        return rule()
    except Refusal as refusal:
        if refusal.status != 400 or not refusal.fields:
            raise
        mapped: dict[str, list[str]] = {}
        for field, messages in refusal.fields.items():
            mapped.setdefault(PARAM_OF.get(field, field), []).extend(messages)
        raise Refusal("400", fields=mapped) from None


def _assignee(tenant: TenantState, params: Params) -> str | None:
    value = params.get("assignto")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    user = tenant[USERS].get(value.strip()) if isinstance(value, str) else None
    if user is None:
        raise Refusal.field("assignto", ASSIGNEE)
    return user["id"]


@developer_endpoint
async def add_contact(request: Request, ctx: AppContext, tenant: TenantState, params: Params) -> Json:
    body = contact_body(params)
    clean = as_contact(lambda: contact_book.clean_create(body, {}))
    assignee = _assignee(tenant, params)
    # assigned_to is kept with the contact; the public API has no field for it
    extra = {"assigned_to": assignee} if assignee else {}
    doc = as_contact(lambda: contact_book.add(ctx, tenant, clean, **extra))
    return Json(render.done("contact added successfully", contact_id=doc["id"]))


routes: list[Route] = [Route("/contactadd", add_contact, methods=["POST"])]

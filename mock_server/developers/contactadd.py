"""The legacy POST /contactadd (help centre: "Contact - Add a contact"): token, contactname,
phonenumber, emailid, assignto.

It writes to the same contact book the public Contacts API serves (the tenant's ``contacts``), through
that API's own rules, so GET /contacts shows the contact at once and both refuse the same
duplicates. Only the parameter names and the error body (the developers API's) differ.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from mock_server import schemas
from mock_server.clock import iso
from mock_server.context import AppContext
from mock_server.developers.auth import DEV_INVALID, Params, developer_endpoint
from mock_server.errors import CONTACT_INVALID, ApiError
from mock_server.http import Json
from mock_server.phones import split_phone
from mock_server.public.contacts import rules as contact_rules
from mock_server.store import TenantState

CONTACTS, USERS = "contacts", "users"
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
    if errors:
        raise DEV_INVALID.error(errors)
    body = {"name": name, "country_code": parts[0], "phone_number": parts[1], "email_id": email}
    as_contact(lambda: _schema_errors(body))
    return body


def _schema_errors(body: dict) -> None:
    errors = schemas.field_errors("public/contact.create.request", body)
    if errors:
        raise CONTACT_INVALID.error(errors)


def as_contact(rule):
    """Run a Contacts API rule, answering its 400 in this API's body with this API's names."""
    try:
        return rule()
    except ApiError as error:
        fields = error.body.get("errors")
        if error.status != 400 or not isinstance(fields, dict):
            raise
        mapped: dict[str, list[str]] = {}
        for field, messages in fields.items():
            mapped.setdefault(PARAM_OF.get(field, field), []).extend(messages)
        raise DEV_INVALID.error(mapped) from None


def _assignee(tenant: TenantState, params: Params) -> str | None:
    value = params.get("assignto")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    user = tenant[USERS].get(value.strip()) if isinstance(value, str) else None
    if user is None:
        raise DEV_INVALID.field("assignto", ASSIGNEE)
    return user["id"]


@developer_endpoint
async def add_contact(request: Request, ctx: AppContext, tenant: TenantState, params: Params) -> Json:
    body = contact_body(params)
    clean = as_contact(lambda: contact_rules.clean_create(body, {}))
    assignee = _assignee(tenant, params)
    contacts = tenant[CONTACTS]
    now = ctx.now()
    with ctx.store.transaction():
        as_contact(lambda: contact_rules.ensure_phone_free(contacts, clean["country_code"], clean["phone_number"]))
        doc = contact_rules.new_contact(clean, ctx.ids.object_id(now), tenant.company_id, iso(now))
        if assignee:
            doc["assigned_to"] = assignee  # kept with the contact; the public API has no field for it
        contacts.put(doc)
    return Json({"status": "success", "code": 200, "message": "contact added successfully", "contact_id": doc["id"]})


routes: list[Route] = [Route("/contactadd", add_contact, methods=["POST"])]

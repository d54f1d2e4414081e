"""Contacts: the contact book the public Contacts API and the developers API's Contact Add both write.

One set of rules for a contact (its fields, its phone number, one contact per number) and the one
operation that adds a contact, so both APIs accept and refuse the same things; each answers a
``Refusal`` in its own body. No HTTP here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from mock_server.clock import iso
from mock_server.context import AppContext
from mock_server.errors import quoted
from mock_server.refusals import Refusal
from mock_server.store import Collection, TenantState
from mock_server.store.names import CONTACTS

SOURCES = ("manual_entry", "waba_campaigns", "waba_message", "imported", "public_api")
API_SOURCE = "public_api"
# What a contact may be read with (?include=), and the query parameters of Search Contacts: any of them makes
# POST /contacts a search instead of a create.
INCLUDES = ("custom_fields",)
SEARCH_PARAMS = ("before", "after", "limit")
CUSTOM_TYPES = ("text", "text_area", "number", "single_select", "multi_select", "date", "date_time", "switch")

OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
COUNTRY_CODE = re.compile(r"^[1-9]\d{0,3}$")
# Django's EmailValidator, reduced to the parts that matter for a simulator.
EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                   r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
NUMERIC = re.compile(r"^-?\d+(\.\d+)?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_TIME_SPACE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
DATE_TIME_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$")

PHONE_LENGTH = "Phone Number's length should be in the range of [7,15]."
PHONE_DIGITS = "Phone Number should contain digits only."
PHONE_TAKEN = "Contact with this phone number already exists."
# Indian national numbers are ten digits; the documented 400 for "9815516" (seven digits, inside
# [7,15]) shows the service enforces that for +91 while still answering with the generic message.
NATIONAL_LENGTH = {"91": 10}


def invalid(fields: dict[str, list[str]]) -> Refusal:
    """The Contacts API's documented 400: field -> messages."""
    return Refusal("400", "Validation Error", fields=fields)


# --- parsing single values (shared with search) ----------------------------------------------
def parse_date(value: Any) -> date | None:
    if not isinstance(value, str) or not DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_date_time(value: Any) -> datetime | None:
    """'YYYY-MM-DD HH:MM:SS' or ISO 8601 with a T (both appear in the docs); naive means UTC."""
    if not isinstance(value, str) or not (DATE_TIME_SPACE.match(value) or DATE_TIME_ISO.match(value)):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_number(value: Any) -> float | None:
    """A number, or a numeric string (the docs send "1234567890" for a number field)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str) and NUMERIC.match(value.strip()):
        return float(value.strip())
    return None


def text_of(value: Any) -> str:
    """A JSON scalar as the text the client sent (integers without a trailing '.0')."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def normalise_country_code(value: Any) -> str:
    return text_of(value).strip().lstrip("+")


# --- validating a contact's fields -----------------------------------------------------------
def definitions_by_id(definitions: Iterable[dict]) -> dict[str, dict]:
    return {str(d["id"]): d for d in definitions}


def check_custom_value(definition: dict, value: Any) -> str | None:
    """Why ``value`` does not fit the custom field, or None when it does."""
    kind, options = definition.get("type"), definition.get("options") or []
    if kind in ("text", "text_area"):
        return None if isinstance(value, str) else "Not a valid string."
    if kind == "number":
        return None if parse_number(value) is not None else "A valid number is required."
    if kind == "single_select":
        if not isinstance(value, str) or value not in options:
            return f"\"{quoted(value)}\" is not a valid choice. Choose one of: {', '.join(options)}."
        return None
    if kind == "multi_select":
        if not isinstance(value, list):
            return f"Expected a list of items but got type \"{type(value).__name__}\"."
        bad = [v for v in value if not isinstance(v, str) or v not in options]
        if bad:
            return f"\"{quoted(bad[0])}\" is not a valid choice. Choose one of: {', '.join(options)}."
        return None
    if kind == "date":
        return None if parse_date(value) else "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
    if kind == "date_time":
        return None if parse_date_time(value) else (
            "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DD HH:MM:SS, "
            "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].")
    if kind == "switch":
        return None if isinstance(value, bool) else "Must be a valid boolean."
    return f"Custom field type \"{kind}\" is not supported."


def clean_custom_fields(values: dict, definitions: dict[str, dict], errors: dict) -> dict:
    """The given custom values, checked by their definitions; null means 'clear this field'."""
    clean: dict[str, Any] = {}
    for field_id, value in values.items():
        key = f"custom_fields.{field_id}"
        definition = definitions.get(field_id)
        if definition is None:
            errors[key] = [f"Unknown custom field ID \"{quoted(field_id)}\". Use the ID column of "
                           "Contacts -> Custom Fields."]
            continue
        if value is None:
            clean[field_id] = None
            continue
        problem = check_custom_value(definition, value)
        if problem:
            errors[key] = [problem]
        else:
            clean[field_id] = list(dict.fromkeys(value)) if definition["type"] == "multi_select" else value
    return clean


def _clean_common(body: dict, definitions: dict[str, dict], errors: dict) -> dict:
    clean: dict[str, Any] = {}
    if "name" in body:
        if not body["name"].strip():
            errors["name"] = ["This field may not be blank."]
        clean["name"] = body["name"].strip()
    if "email_id" in body:
        email = body["email_id"]
        if email is not None:
            email = email.strip()
            if not email:
                errors["email_id"] = ["This field may not be blank."]
            elif not EMAIL.match(email):
                errors["email_id"] = ["Enter a valid email address."]
        clean["email_id"] = email
    if "marketing_opt_in" in body:
        clean["marketing_opt_in"] = body["marketing_opt_in"]
    if "custom_fields" in body:
        clean["custom_fields"] = clean_custom_fields(body["custom_fields"], definitions, errors)
    return clean


def clean_create(body: dict, definitions: dict[str, dict]) -> dict:
    """A schema-valid create body, checked field by field (all problems reported at once)."""
    errors: dict[str, list[str]] = {}
    clean = _clean_common(body, definitions, errors)
    country_code = normalise_country_code(body["country_code"])
    if not COUNTRY_CODE.match(country_code):
        errors["country_code"] = ["Enter a valid country code (1 to 4 digits, e.g. \"91\" or \"+91\")."]
    phone = text_of(body["phone_number"]).strip()
    if not phone.isdigit() or not phone.isascii():
        errors["phone_number"] = [PHONE_DIGITS]
    elif not 7 <= len(phone) <= 15 or len(phone) != NATIONAL_LENGTH.get(country_code, len(phone)):
        errors["phone_number"] = [PHONE_LENGTH]
    if errors:
        raise invalid(errors)
    clean.update(country_code=country_code, phone_number=phone)
    return clean


def clean_update(body: dict, definitions: dict[str, dict]) -> dict:
    errors: dict[str, list[str]] = {}
    clean = _clean_common(body, definitions, errors)
    if errors:
        raise invalid(errors)
    return clean


# --- the contact book ---------------------------------------------------------------------------
def phone_with_cc(doc: dict) -> str:
    return f"{doc['country_code']}{doc['phone_number']}"


def phone_key(doc: dict) -> tuple[str, str]:
    return doc["country_code"], doc["phone_number"]


def ensure_phone_free(contacts: Collection, country_code: str, phone: str) -> None:
    if contacts.lookup("phone", phone_key, (country_code, phone)):
        raise invalid({"phone_number": [PHONE_TAKEN]})


def new_contact(clean: dict, contact_id: str, company_id: str, now: str) -> dict:
    custom = {k: v for k, v in clean.get("custom_fields", {}).items() if v is not None}
    return {"id": contact_id, "company_id": company_id, "name": clean["name"],
            "country_code": clean["country_code"], "phone_number": clean["phone_number"],
            "email_id": clean.get("email_id"), "marketing_opt_in": clean.get("marketing_opt_in", False),
            "status": "active", "source": API_SOURCE, "custom_fields": custom, "created": now, "modified": now}


def add(ctx: AppContext, tenant: TenantState, clean: dict, **extra: Any) -> dict:
    """Add a contact checked by ``clean_create`` (``extra``: what one API keeps beside the documented fields),
    unless its number is taken; the stored document."""
    contacts = tenant[CONTACTS]
    now = ctx.now()
    with ctx.store.transaction():
        ensure_phone_free(contacts, clean["country_code"], clean["phone_number"])
        return contacts.put({**new_contact(clean, ctx.ids.object_id(now), tenant.company_id, iso(now)), **extra})


# --- finding and changing ---------------------------------------------------------------------------
def invalid_contact_id() -> Refusal:
    return Refusal("404", "Invalid Contact ID", status=404)


def by_id(contacts: Collection, contact_id: str) -> dict:
    doc = contacts.get(contact_id) if OBJECT_ID.match(contact_id) else None
    if doc is None:
        raise invalid_contact_id()
    return doc


def is_object_id(identifier: str) -> bool:
    return bool(OBJECT_ID.match(identifier))


def by_phone(contacts: Collection, identifier: str) -> dict:
    """A contact by its phone number with country code (e.g. 919876543210)."""
    wanted = identifier.strip().lstrip("+")
    doc = next(iter(contacts.lookup("phone_with_cc", phone_with_cc, wanted)), None) if wanted.isdigit() else None
    if doc is None:
        raise Refusal("not_found", "Not found.", status=404,
                      details={"detail": "Contact not found for given identifier."})
    return doc


def ensure_phone_unchanged(doc: dict, body: dict) -> None:
    """Country code and phone number may be re-sent unchanged, never changed."""
    changed = (("country_code" in body and normalise_country_code(body["country_code"]) != doc["country_code"])
               or ("phone_number" in body and text_of(body["phone_number"]).strip() != doc["phone_number"]))
    if changed:
        raise Refusal("invalid", "Invalid input.", details={"detail": "Phone Number cannot be updated."})


def updated(doc: dict, clean: dict, now: str) -> dict:
    """A copy of ``doc`` with the given fields changed; custom fields merge (null clears one)."""
    out = {**doc, **{k: v for k, v in clean.items() if k != "custom_fields"}, "modified": now}
    if "custom_fields" in clean:
        merged = {**doc.get("custom_fields", {}), **clean["custom_fields"]}
        out["custom_fields"] = {k: v for k, v in merged.items() if v is not None}
    return out


def get(tenant: TenantState, contact_id: str) -> dict:
    return by_id(tenant[CONTACTS], contact_id)


def update(ctx: AppContext, tenant: TenantState, identifier: str, sent: dict, clean: dict) -> dict:
    """Change the contact ``identifier`` names (its id, or its number with country code) by ``clean``
    (from ``clean_update``); ``sent``, the request's fields, may repeat its number but not change it."""
    contacts = tenant[CONTACTS]
    doc = by_id(contacts, identifier) if is_object_id(identifier) else by_phone(contacts, identifier)
    ensure_phone_unchanged(doc, sent)
    return contacts.put(updated(doc, clean, iso(ctx.now())))


def delete(tenant: TenantState, contact_id: str) -> None:
    doc = by_id(tenant[CONTACTS], contact_id)
    tenant[CONTACTS].delete(doc["id"])

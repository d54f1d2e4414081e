"""Contact documents in their wire shapes.

The documented bodies place ``custom_fields`` differently per endpoint, and Create Contact with
custom fields leaves ``status`` out altogether; each layout below copies one documented example.
"""

from __future__ import annotations

from typing import Literal

from mock_server.public.contacts.search import token

HEAD = ("id", "company_id", "name", "country_code", "phone_number", "email_id", "marketing_opt_in")
TAIL = ("created", "modified")
SEARCH_FIELDS = ("id", "email_id", "marketing_opt_in", "name", "phone_number", "country_code", "source",
                 "created", "modified", "status")

# Where custom_fields goes: Fetch/Update by ID put it before status, Fetch Contacts after it, and
# Create Contact with custom fields shows it with no status at all.
Layout = Literal["none", "before_status", "after_status", "instead_of_status"]


def contact(doc: dict, layout: Layout = "none") -> dict:
    out = {k: doc.get(k) for k in HEAD}
    custom = dict(doc.get("custom_fields") or {}) if layout != "none" else {}
    if layout in ("before_status", "instead_of_status"):
        out["custom_fields"] = custom
    if layout != "instead_of_status":
        out["status"] = doc.get("status", "active")
    if layout == "after_status":
        out["custom_fields"] = custom
    for key in TAIL:
        out[key] = doc[key]
    return out


def search_result(doc: dict) -> dict:
    out = {k: doc.get(k) for k in SEARCH_FIELDS}
    out["pagination_token"] = token(doc)
    return out


def success(message: str, data, code="200") -> dict:
    return {"status": "success", "code": code, "message": message, "data": data}

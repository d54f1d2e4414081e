"""The Contacts API's own rules: finding, updating and listing contacts (no HTTP here).

What a contact is and when one may be added (its fields, its number, one contact per number) is the
contacts service's (``mock_server.services.contacts``), shared with the developers API's Contact Add.
A rule that fails raises the ``Refusal`` its endpoint documents.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from mock_server.refusals import Refusal
from mock_server.services.contacts import normalise_country_code, phone_with_cc, text_of
# Only for public/chat/messages.py's ``contact_rules.phone_key`` until it imports the service itself.
from mock_server.services.contacts import phone_key  # noqa: F401
from mock_server.store import Collection

OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


def invalid_contact_id() -> Refusal:
    return Refusal("404", "Invalid Contact ID", status=404)


def by_id(contacts: Any, contact_id: str) -> dict:
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


def newest_first(contacts: Iterable[dict]) -> list[dict]:
    return sorted(contacts, key=lambda c: (c["created"], c["id"]), reverse=True)


def matches_phone_filter(doc: dict, country_code: str | None, phone: str | None) -> bool:
    """GET /contacts?country_code=91&phone_number=9198765XXXXX: the number may carry its code."""
    if country_code and doc["country_code"] != country_code:
        return False
    if phone:
        return phone in (doc["phone_number"], phone_with_cc(doc))
    return True


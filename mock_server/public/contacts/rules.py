"""The Contacts API's own request rules: which contacts a list shows, and in what order (no HTTP here).

What a contact is, when one may be added or changed, and finding one, are the contacts service's
(``mock_server.services.contacts``), shared with the developers API's Contact Add.
"""

from __future__ import annotations

from collections.abc import Iterable

from mock_server.services.contacts import phone_with_cc


def newest_first(contacts: Iterable[dict]) -> list[dict]:
    return sorted(contacts, key=lambda c: (c["created"], c["id"]), reverse=True)


def matches_phone_filter(doc: dict, country_code: str | None, phone: str | None) -> bool:
    """GET /contacts?country_code=91&phone_number=9198765XXXXX: the number may carry its code."""
    if country_code and doc["country_code"] != country_code:
        return False
    if phone:
        return phone in (doc["phone_number"], phone_with_cc(doc))
    return True


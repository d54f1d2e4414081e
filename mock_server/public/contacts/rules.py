"""The Contacts API's own request rules: which contacts a list shows, and in what order (no HTTP here).

What a contact is, when one may be added or changed, and finding one, are the contacts service's
(``mock_server.services.contacts``), shared with the developers API's Contact Add.
"""

from __future__ import annotations

from collections.abc import Sequence

from mock_server.services.contacts import phone_with_cc
from mock_server.store import Collection


def _newest(contact: dict) -> tuple[str, str]:
    return contact["created"], contact["id"]


def _by_country_newest(contact: dict) -> tuple[str, str, str]:
    return contact["country_code"], contact["created"], contact["id"]


def listed(contacts: Collection, country_code: str | None, phone: str | None) -> Sequence[dict]:
    """GET /contacts: newest first, narrowed by ``country_code`` and ``phone_number`` (which may carry its
    code: 9198765XXXXX). Read through indexes: the whole list is an ordered index, one country code a
    range of another, a phone number at most two lookups; a page of it reads only the page."""
    if phone:
        found = {c["id"]: c for c in [*contacts.lookup("phone_number", lambda c: c["phone_number"], phone),
                                      *contacts.lookup("phone_with_cc", phone_with_cc, phone)]
                 if not country_code or c["country_code"] == country_code}
        return sorted(found.values(), key=_newest, reverse=True)
    if country_code:
        in_country = contacts.ordered("country_created", _by_country_newest)
        return in_country.between((country_code,), (country_code + "\0",)).reversed()
    return contacts.ordered("created", _newest).reversed()


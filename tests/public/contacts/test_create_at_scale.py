"""Creating a contact costs the same at any number of stored contacts: its phone number's uniqueness is a
lookup, not a scan (tests/store/visits.py counts what a request visits)."""

from __future__ import annotations

from tests.public.contacts.test_list_at_scale import MORE, grow
from tests.store.visits import count_visits


def created(client, tenant, n: int) -> int:
    """Contacts visited by one create of a new number."""
    counts = count_visits(tenant.state)
    r = client.post("/contacts", json={"name": f"New {n}", "country_code": "91", "phone_number": f"70000000{n:02d}"},
                    headers=tenant.headers)
    assert r.status_code in (200, 201), r.text
    return counts["contacts"]


def test_a_create_visits_as_many_contacts_at_any_size(client, tenant):
    created(client, tenant, 0)  # the indexes built
    fresh = created(client, tenant, 1)
    grow(tenant.state["contacts"])
    grown = created(client, tenant, 2)
    assert grown == fresh <= 5
    assert len(tenant.state["contacts"]) > MORE


def test_a_number_taken_among_the_grown_contacts_is_still_refused(client, tenant):
    grow(tenant.state["contacts"], 50)
    r = client.post("/contacts", json={"name": "Again", "country_code": "44", "phone_number": "8000000049"},
                    headers=tenant.headers)
    assert r.status_code == 400, r.text

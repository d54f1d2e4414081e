"""GET /contacts costs the same at any number of stored contacts: newest first is an ordered index, a
country code a range of another, a phone number a lookup; a page reads only the page
(tests/store/visits.py counts what a request visits)."""

from __future__ import annotations

import pytest

from tests.store.visits import count_visits

MORE = 5000


def grow(contacts, n=MORE) -> None:
    """``n`` more contacts, older than the fixtures' and in another country, straight to the store."""
    model = contacts.values()[0]
    for i in range(n):
        contacts.put(dict(model, id=f"{i:024x}", phone_number=f"8{i:09d}", country_code="44",
                          created=f"2020-01-01T00:00:{i % 60:02d}.{i:06d}Z"))


def listing(client, tenant, query: str = ""):
    def act():
        r = client.get(f"/contacts{query}", headers=tenant.headers)
        assert r.status_code == 200, r.text
        return r.json()["data"]
    return act


def visits(counts, act) -> tuple[int, dict]:
    counts.clear()
    data = act()
    return counts["contacts"], data


@pytest.mark.parametrize("query", ["", "?limit=3&offset=2", "?country_code=91", "?country_code=%2B91&limit=5",
                                   "?phone_number=9876543210"])
def test_a_page_of_contacts_visits_as_many_contacts_at_any_size(client, tenant, query):
    act = listing(client, tenant, query)
    act()  # the indexes built
    counts = count_visits(tenant.state)
    fresh, before = visits(counts, act)
    grow(tenant.state["contacts"])
    grown, after = visits(counts, act)
    assert grown == fresh <= 10
    assert after["results"] == before["results"]  # the grown contacts are older, or in another country


def test_the_grown_contacts_are_listed_in_order_after_the_fixtures(client, tenant):
    """The same indexes answer what sorting every contact answers."""
    grow(tenant.state["contacts"], 50)
    everyone = sorted(tenant.state["contacts"], key=lambda c: (c["created"], c["id"]), reverse=True)
    listed = listing(client, tenant, "?limit=100")()
    assert listed["count"] == len(everyone) and [c["id"] for c in listed["results"]] == [c["id"] for c in everyone]
    british = listing(client, tenant, "?country_code=44&limit=7&offset=40")()
    assert british["count"] == 50
    assert [c["id"] for c in british["results"]] == [c["id"] for c in everyone if c["country_code"] == "44"][40:47]

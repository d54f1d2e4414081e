"""POST /search/search costs the same at any number of stored calls outside what it asks for: the finished
calls are an ordered index by start, a window is a range of it, and a page without a key or filters
renders only its own calls (tests/store/visits.py counts the calls a request visits)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mock_server.clock import iso, parse_iso
from mock_server.developers import logs
from tests.developers.support import call_key, hit_key, token
from tests.store.visits import count_visits

MORE = 5000


def grow(calls, n=MORE) -> None:
    """``n`` more finished calls, each a day before the fixtures' history begins, straight to the store."""
    model = next(c for c in calls if c["state"] == "ended")
    oldest = min(parse_iso(c["started_at"]) for c in calls)
    for i in range(n):
        start = oldest - timedelta(days=1, seconds=i)
        calls.put(dict(model, id=f"bulk-{i:05d}", uid=f"bulk-{i:05d}", started_at=iso(start),
                       ended_at=iso(start + timedelta(minutes=1))))


def searching(client, tenant, **params):
    def act():
        r = client.post("/search/search", params={"token": token(tenant), **params})
        assert r.status_code == 200, r.text
        return r.json()["data"]
    return act


@pytest.fixture
def rendered(monkeypatch):
    """How many calls Search Logs renders whole (a search key reads only each call's searchable part)."""
    counted = {"calls": 0}
    real = logs.renderers

    def counting(tenant):
        render, searchable = real(tenant)

        def once(session):
            counted["calls"] += 1
            return render(session)
        return once, searchable
    monkeypatch.setattr(logs, "renderers", counting)
    return counted


def window_of(tenant) -> dict:
    """From the fixtures' first finished call on: the grown calls all fall before it."""
    first = min(parse_iso(c["started_at"]) for c in tenant.state["calls"] if c["state"] == "ended")
    return {"from": int(first.timestamp())}


@pytest.mark.parametrize("params", [{}, {"page_size": 5, "log_from": 7}, "window", "window+key"])
def test_a_search_visits_and_renders_as_many_calls_at_any_size(client, tenant, rendered, params):
    if params in ("window", "window+key"):
        params = {**window_of(tenant), **({"search_key": "a"} if params == "window+key" else {})}
    act = searching(client, tenant, **params)
    act()  # the index built
    counts = count_visits(tenant.state)
    counts.clear()
    rendered["calls"] = 0
    before = act()
    fresh = (counts["calls"], rendered["calls"])
    grow(tenant.state["calls"])
    counts.clear()
    rendered["calls"] = 0
    after = act()
    assert (counts["calls"], rendered["calls"]) == fresh
    if "from" not in params:  # the grown calls are older: the newest page is the same, the total grew
        assert after["total"] == before["total"] + MORE and after["hits"] == before["hits"]
    else:
        assert after == before


def test_a_page_without_a_key_renders_only_its_calls(client, tenant, rendered):
    searching(client, tenant, page_size=3)()
    assert rendered["calls"] == 3


def test_a_search_key_renders_only_the_page_it_returns(client, tenant, rendered):
    found = searching(client, tenant, search_key="a", page_size=3)()
    assert found["total"] > 3 and len(found["hits"]) == 3
    assert rendered["calls"] == 3


def test_a_search_key_asked_again_visits_as_many_calls_at_any_size(client, tenant):
    model = next(c for c in tenant.state["calls"] if c["state"] == "ended")
    act = searching(client, tenant, search_key=model["customer"]["number"][-6:], page_size=5)
    act()  # the key's selection built: every finished call's searchable part read once
    counts = count_visits(tenant.state)
    before = act()
    fresh = counts["calls"]
    grow(tenant.state["calls"])  # kept in step: each grown call is tested as it is written
    counts.clear()
    after = act()
    assert counts["calls"] == fresh <= 10
    assert after["total"] == before["total"] + MORE and after["hits"] == before["hits"]


def test_a_search_key_asked_again_has_the_calls_and_the_names_since(client, tenant):
    calls = tenant.state["calls"]
    answered = next(c for c in calls if c["state"] == "ended" and any(leg.get("user_id") for leg in c["legs"]))
    user_id = next(leg["user_id"] for leg in answered["legs"] if leg.get("user_id"))
    act = searching(client, tenant, search_key="Zebedee", page_size=100)
    assert act()["total"] == 0
    users = tenant.state["users"]
    users.put(dict(users.require(user_id), name="Zebedee Quux"))  # what the key is looked for in changes
    renamed = act()
    assert renamed["total"] > 0 and call_key(answered) in {hit_key(h["_source"]) for h in renamed["hits"]}
    calls.put(dict(answered, id="one-more", uid="one-more"))
    assert act()["total"] == renamed["total"] + 1

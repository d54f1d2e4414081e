"""Listing and fetching templates costs the same at any number of stored templates: a page reads only the
page, a fetch by id is a get (tests/store/visits.py counts what a request visits)."""

from __future__ import annotations

import pytest

from tests.public.chat.template_bodies import body
from tests.store.visits import count_visits

MORE = 3000


def grow(templates, n=MORE) -> None:
    """``n`` more templates of the tenant, older than the fixtures', straight to the store."""
    model = templates.values()[0]
    for i in range(n):
        templates.put(dict(model, id=grown_id(i), name=f"grown_{i}", created="2020-01-01T00:00:00Z",
                           modified="2020-01-01T00:00:00Z"))


def grown_id(i: int) -> str:
    """Ids out of their writing order (a tiebreak by id would not pass for one by writing order)."""
    return f"00000000-0000-4000-8000-{i * 7919 % 10007:012d}"


def visited(client, tenant, path: str) -> tuple[int, dict]:
    counts = count_visits(tenant.state)
    r = client.get(path, headers=tenant.headers)
    assert r.status_code == 200, r.text
    return counts["templates"], r.json()["data"]


@pytest.mark.parametrize("query", ["?limit=10", "?limit=5&offset=3"])
def test_a_page_of_templates_visits_as_many_templates_at_any_size(client, tenant, query):
    visited(client, tenant, f"/chat/templates{query}")  # the indexes built
    fresh, before = visited(client, tenant, f"/chat/templates{query}")
    grow(tenant.state["templates"])
    grown, after = visited(client, tenant, f"/chat/templates{query}")
    assert grown == fresh <= 10


def test_a_template_fetched_by_id_visits_as_many_templates_at_any_size(client, tenant):
    first = tenant.state["templates"].values()[0]["id"]
    fresh, _ = visited(client, tenant, f"/chat/templates/{first}")
    grow(tenant.state["templates"])
    grown, _ = visited(client, tenant, f"/chat/templates/{first}")
    assert grown == fresh <= 2


def test_a_create_visits_as_many_templates_at_any_size(client, tenant):
    """A name clash is looked up among the templates of that name, not tested on every template."""
    def created(name: str) -> int:
        counts = count_visits(tenant.state)
        r = client.post("/chat/templates", json=body(name=name, waba_id=tenant.waba_id("primary")),
                        headers=tenant.headers)
        assert r.status_code == 201, r.text
        return counts["templates"]

    created("first_one")  # the index built
    fresh = created("second_one")
    grow(tenant.state["templates"])
    assert created("third_one") == fresh <= 2
    clash = client.post("/chat/templates", json=body(name="grown_7", waba_id=tenant.state["templates"].values()[0]
                                                     ["waba_id"], language=tenant.state["templates"].values()[0]
                                                     ["language"]), headers=tenant.headers)
    assert clash.status_code == 400 and "already exists" in clash.text, clash.text


@pytest.mark.parametrize("query", ["", "&category=marketing", "&waba_template_status=approved&category=utility"])
def test_the_index_answers_what_sorting_every_template_answers(client, tenant, query):
    """Newest first, and templates of one instant as they were written, the last first (as the sort was)."""
    templates = tenant.state["templates"]
    grow(templates, 30)
    for i in range(0, 30, 3):  # some rewritten since: an update keeps a template's place
        templates.put(dict(templates.get(grown_id(i)), category="utility"))
    written = list(templates)
    expected = [t["id"] for _, _, t in sorted(((t["created"], n, t) for n, t in enumerate(written)),
                                              key=lambda x: x[:2], reverse=True)
                if ("marketing" not in query or t["category"] == "marketing")
                and ("utility" not in query or (t["category"] == "utility"
                                                and t["waba_template_status"] == "approved"))]
    assert len(expected) > 10  # grown ones among them
    _, listed = visited(client, tenant, f"/chat/templates?limit=100{query}")
    assert listed["count"] == len(expected) and [t["id"] for t in listed["results"]] == expected[:100]

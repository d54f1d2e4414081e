"""Search Contacts reads through indexes: an empty filter reads only its page, an exact phone condition
only its lookup's hits; a broad filter tests each contact once, never sorting or re-reading the rest, and
asked again (paged through) reads only its page, with the writes since in it (tests/store/visits.py
counts what a request visits)."""

from __future__ import annotations

import json

import pytest

from mock_server.public.contacts import search as dsl
from tests.public.contacts.support import create, search
from tests.public.contacts.test_list_at_scale import MORE, grow
from tests.store.visits import count_visits


def visited(client, tenant, body, query: str) -> tuple[int, dict]:
    counts = count_visits(tenant.state)
    data = search(client, tenant, body, query)
    return counts["contacts"], data


@pytest.mark.parametrize("body", [{}, {"and": {"phone_number__is": "{phone}"}},
                                  {"and": {"phone_number_with_cc__is": ["{cc}{phone}", "442222"],
                                           "status__is": ["active", "inactive"]}}])
@pytest.mark.parametrize("query", ["limit=5", "limit=3&before={last}", "limit=3&after={first}"])
def test_a_narrow_search_visits_as_many_contacts_at_any_size(client, tenant, body, query):
    everyone = search(client, tenant, {}, "limit=100")["results"]
    known = everyone[len(everyone) // 2]
    body = json.loads(json.dumps(body).replace("{phone}", known["phone_number"]).replace("{cc}", known["country_code"]))
    query = query.format(first=everyone[0]["pagination_token"], last=everyone[-1]["pagination_token"])
    search(client, tenant, body, query)  # the indexes built
    fresh, before = visited(client, tenant, body, query)
    assert before["filter_total"] == (1 if body else len(everyone))
    grow(tenant.state["contacts"])
    grown, after = visited(client, tenant, body, query)
    assert grown == fresh <= 10
    if body:  # the grown contacts have other phone numbers: the same answer
        assert after == before
    else:  # the grown contacts are older: counted, and the first page is theirs
        assert after["filter_total"] == before["filter_total"] + MORE


def test_a_broad_search_visits_each_contact_once(client, tenant):
    grow(tenant.state["contacts"], 500)
    search(client, tenant, {}, "limit=1")  # the index built
    visits, data = visited(client, tenant, {"and": {"name__contains": "a"}}, "limit=5")
    assert visits <= len(tenant.state["contacts"]) + 5  # one pass over the index (and the page it returns)
    assert data["filter_total"] >= 500


BROAD = {"and": {"name__contains": "a", "status__is_not": "inactive"}}


def test_a_broad_search_asked_again_visits_as_many_contacts_at_any_size(client, tenant):
    first = search(client, tenant, BROAD, "limit=5")
    fresh, again = visited(client, tenant, BROAD, "limit=5&after=" + first["results"][-1]["pagination_token"])
    grow(tenant.state["contacts"])
    search(client, tenant, BROAD, "limit=5")  # the grown contacts are in the first page: a new build
    grown, later = visited(client, tenant, BROAD, "limit=5&after=" + first["results"][-1]["pagination_token"])
    assert grown == fresh <= 10
    assert later["filter_total"] == again["filter_total"] + MORE  # every grown contact is called "a…"


def test_a_broad_search_asked_again_has_the_writes_since(client, tenant):
    before = search(client, tenant, BROAD, "limit=100")
    created = create(client, tenant, name="Zara Added")
    renamed = before["results"][0]
    r = client.patch(f"/contacts/{renamed['id']}", headers=tenant.headers, json={"name": "Bob"})
    assert r.status_code == 200, r.text
    after = search(client, tenant, BROAD, "limit=100")
    ids = [c["id"] for c in after["results"]]
    assert created["id"] in ids and renamed["id"] not in ids
    assert after["filter_total"] == before["filter_total"]  # one in, one out
    rescanned = dsl.page(tenant.state["contacts"], dsl.parse(BROAD, {}), None, None, 100)
    assert [c["id"] for c in rescanned[0]] == ids


@pytest.mark.parametrize("query", ["limit=7", "limit=7&after={cursor}", "limit=7&before={cursor}",
                                   "limit=100&after={cursor}&before={later}"])
def test_the_index_answers_what_sorting_every_match_answers(client, tenant, query):
    grow(tenant.state["contacts"], 200)
    body = {"and": {"country_code__is": "44", "created__gte": "2020-01-01"}}
    matching = sorted((c for c in tenant.state["contacts"] if c["country_code"] == "44"), key=dsl.position)
    cursor, later = matching[50], matching[120]
    data = search(client, tenant, body, query.format(cursor=dsl.token(cursor), later=dsl.token(later)))
    ids = [c["id"] for c in matching]
    if "before" in query and "after" in query:
        expected = ids[51:120]
    elif "before" in query:
        expected = ids[43:50]
    elif "after" in query:
        expected = ids[51:58]
    else:
        expected = ids[:7]
    assert data["filter_total"] == 200
    assert [r["id"] for r in data["results"]] == expected

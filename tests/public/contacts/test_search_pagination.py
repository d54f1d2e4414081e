"""Search Contacts: cursor pagination — walking the tokens both ways, limits, totals, and the token format."""

from __future__ import annotations

import base64
import json

import pytest

from mock_server.public.contacts import search as dsl
from tests.public.contacts.support import search


# --- pagination ---------------------------------------------------------------------------------
def _walk(client, tenant, body, limit, direction):
    """Follow pagination tokens until a page comes back empty; returns the pages."""
    pages, cursor = [], ""
    while True:
        query = f"limit={limit}&{direction}={cursor}"
        data = search(client, tenant, body, query)
        if not data["results"]:
            return pages
        assert data["total"] == len(data["results"]) <= limit
        pages.append([r["id"] for r in data["results"]])
        edge = data["results"][-1] if direction == "after" else data["results"][0]
        cursor = edge["pagination_token"]
        assert len(pages) < 50


@pytest.mark.parametrize("body", [{}, {"and": {"marketing_opt_in__is": True}}])
def test_tokens_walk_every_match_exactly_once_both_ways(world, body):
    client, tenant, _ = world
    everything = search(client, tenant, body)
    expected = [r["id"] for r in everything["results"]]
    docs = {c["id"]: c for c in tenant.state["contacts"]}
    assert expected == sorted(expected, key=lambda i: (docs[i]["created"], i))  # oldest first
    forward = _walk(client, tenant, body, 4, "after")
    assert [i for p in forward for i in p] == expected
    assert all(len(p) == 4 for p in forward[:-1])
    # Backwards from the end: each page is the one just before the token, still oldest first.
    last = everything["results"][-1]["pagination_token"]
    pages, cursor = [], last
    while True:
        data = search(client, tenant, body, f"limit=4&before={cursor}")
        if not data["results"]:
            break
        pages.append([r["id"] for r in data["results"]])
        cursor = data["results"][0]["pagination_token"]
    assert [i for p in reversed(pages) for i in p] == expected[:-1]
    assert all(len(p) == 4 for p in pages[:-1])


def test_first_page_and_totals(world):
    client, tenant, people = world
    data = search(client, tenant, {"and": {"source__is": "public_api"}}, "limit=2&before=&after=")
    total_public = sum(1 for c in tenant.state["contacts"] if c["source"] == "public_api")
    assert data["total"] == 2 and data["filter_total"] == total_public
    after_b = search(client, tenant, {}, f"after={base64.b64encode(json.dumps([people['B']['id'], dsl.epoch_ms(people['B']['created'])]).encode()).decode()}")
    assert [r["id"] for r in after_b["results"]] == [people["A"]["id"]]
    both = search(client, tenant, {}, "limit=100&after={}&before={}".format(
        _token(people["C"]), _token(people["A"])))
    assert [r["id"] for r in both["results"]] == [people["B"]["id"]]


def _token(doc):
    return dsl.token(doc)


def test_default_limit_is_10_and_larger_limits_are_capped(world):
    client, tenant, _ = world
    assert len(search(client, tenant, {}, "before=&after=")["results"]) == 10
    assert len(search(client, tenant, {}, "limit=1000")["results"]) == 27


@pytest.mark.parametrize("token", ["%%%", "bm90IGpzb24", base64.b64encode(b'{"a": 1}').decode(),
                                   base64.b64encode(b'["x", "y"]').decode(), base64.b64encode(b'[1, 2]').decode()])
@pytest.mark.parametrize("param", ["after", "before"])
def test_undecodable_tokens_are_400(world, token, param):
    client, tenant, _ = world
    r = client.post(f"/contacts?{param}={token}", headers=tenant.headers, json={})
    assert r.status_code == 400
    assert r.json()["errors"] == {param: ["Invalid pagination token: use a pagination_token from a result."]}


def test_results_have_the_documented_keys_and_token_format(world):
    client, tenant, people = world
    result = next(r for r in search(client, tenant, {})["results"] if r["id"] == people["A"]["id"])
    assert list(result) == ["id", "email_id", "marketing_opt_in", "name", "phone_number", "country_code", "source",
                            "created", "modified", "status", "pagination_token"]
    assert json.loads(base64.b64decode(result["pagination_token"])) == [people["A"]["id"], 1752832800000]


def test_token_encoding_reproduces_the_documented_token():
    doc = {"id": "67c839bc3c8428fefec921ba", "created": "2025-03-05T11:47:08.574000Z"}
    assert dsl.token(doc) == "WyI2N2M4MzliYzNjODQyOGZlZmVjOTIxYmEiLDE3NDExNzUyMjg1NzRd"
    assert dsl.decode_token(dsl.token(doc)) == (1741175228574, doc["id"])

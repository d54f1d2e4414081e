"""Search Contacts: the filter language, its errors, and cursor pagination."""

from __future__ import annotations

import base64
import json

import pytest
from starlette.testclient import TestClient

from mock_server.public.contacts import search as dsl
from tests.conftest import Tenant, make_app
from tests.public.contacts.support import advance, create, fresh_phone, search, valid

A_CUSTOM = {"text": "Acme Corp", "text_area": "12 Baker Street", "number": "150", "age": 42, "gender": "female",
            "skills": ["php", "python"], "dob": "1992-05-10", "appointment_time": "2025-07-20 10:00:00",
            "local_user": True}
B_CUSTOM = {"text": "Globex", "text_area": "Industrial Area", "number": 20, "age": 17, "gender": "male",
            "skills": ["mysql"], "dob": "1980-01-01", "appointment_time": "2025-08-01T09:00:00Z",
            "local_user": False}


@pytest.fixture(scope="module")
def world():
    """Three contacts on a manual clock: C (2025-07-15, +1, imported, inactive, no custom fields),
    B (2025-07-16) and A (2025-07-18, modified 2025-07-19), besides the 24 fixture contacts."""
    app = make_app()
    with TestClient(app, raise_server_exceptions=False) as client:
        tenant = Tenant(app, list(app.state.ctx.store.tenants)[0])
        c = create(client, tenant, name="Cara Gamma", country_code="+1", phone_number="2025550143")
        contacts = tenant.state["contacts"]
        contacts.put({**contacts.get(c["id"]), "source": "imported", "status": "inactive"})  # as the panel would
        advance(client, 86_400)
        b = create(client, tenant, name="Bela Beta", email_id="bela@sample.net", custom_fields=B_CUSTOM)
        advance(client, 2 * 86_400)
        a = create(client, tenant, name="Zed Alpha", email_id="zed.alpha@example.org", marketing_opt_in=True,
                   custom_fields=A_CUSTOM)
        advance(client, 86_400)
        assert client.patch(f"/contacts/{a['id']}", headers=tenant.headers, json={"name": "Zed Alpha"}).status_code == 200
        yield client, tenant, {"A": a, "B": b, "C": c}


def ids_for(world, body) -> set[str]:
    client, tenant, _ = world
    data = search(client, tenant, body)
    assert data["total"] == len(data["results"]) == data["filter_total"]  # all fit in one page of 100
    return {r["id"] for r in data["results"]}


CASES = [
    # standard fields
    ("name__is", "Zed Alpha", "A", "B"),
    ("name__is", ["Zed Alpha", "Bela Beta"], "AB", "C"),
    ("name__is_not", "Zed Alpha", "BC", "A"),
    ("name__contains", "ALPH", "A", "B"),
    ("name__contains", ["alph", "bet"], "AB", "C"),
    ("name__not_contains", "alph", "BC", "A"),
    ("name__is_set", True, "ABC", ""),
    ("email_id__is_set", True, "AB", "C"),
    ("email_id__is_not_set", True, "C", "AB"),
    ("email_id__contains", "example.org", "A", "BC"),
    ("email_id__not_contains", "zed", "BC", "A"),
    ("country_code__is", "91", "AB", "C"),
    ("country_code__is_not", "91", "C", "AB"),
    ("phone_number__is", "2025550143", "C", "AB"),
    ("phone_number_with_cc__is", "12025550143", "C", "AB"),
    ("phone_number_with_cc__contains", "1202555", "C", "AB"),
    ("marketing_opt_in__is", True, "A", "BC"),
    ("marketing_opt_in__is", False, "BC", "A"),
    ("marketing_opt_in__is_not_set", True, "", "ABC"),
    ("status__is", "active", "AB", "C"),
    ("status__is", 0, "C", "AB"),
    ("status__is_not", 0, "AB", "C"),
    ("status__is", ["inactive", "active"], "ABC", ""),
    ("source__is", "public_api", "AB", "C"),
    ("source__is", ["manual_entry", "waba_campaigns", "waba_message", "imported", "public_api"], "ABC", ""),
    ("source__is_not", "public_api", "C", "AB"),
    ("source__contains", "import", "C", "AB"),
    ("source__not_contains", "import", "AB", "C"),
    ("created__is", "2025-07-18", "A", "BC"),
    ("created__is_not", "2025-07-18", "BC", "A"),
    ("created__gt", "2025-07-16", "A", "BC"),
    ("created__gt", "2025-07-16T09:00:00Z", "AB", "C"),
    ("created__gt", "2025-07-16T15:00:00+05:30", "AB", "C"),  # 09:30 UTC: compared as instants
    ("created__lt", "2025-07-16T15:31:00+05:30", "BC", "A"),
    ("created__gte", "2025-07-16", "AB", "C"),
    ("created__lt", "2025-07-16", "C", "AB"),
    ("created__lte", "2025-07-16", "BC", "A"),
    ("created__range", {"gte": "2025-07-16", "lte": "2025-07-17"}, "B", "AC"),
    ("created__not_range", {"gte": "2025-07-16", "lte": "2025-07-17"}, "AC", "B"),
    ("modified__gt", "2025-07-18", "A", "BC"),
    ("modified__is", "2025-07-19", "A", "BC"),
    # text
    ("custom_fields.text__is", "Acme Corp", "A", "B"),
    ("custom_fields.text__is_not", "Acme Corp", "BC", "A"),
    ("custom_fields.text__contains", "acme", "A", "B"),
    ("custom_fields.text__not_contains", "acme", "BC", "A"),
    ("custom_fields.text__is_set", True, "AB", "C"),
    ("custom_fields.text__is_not_set", True, "C", "AB"),
    # text_area
    ("custom_fields.text_area__contains", "baker", "A", "B"),
    ("custom_fields.text_area__not_contains", "baker", "BC", "A"),
    ("custom_fields.text_area__is_set", True, "AB", "C"),
    ("custom_fields.text_area__is_not_set", True, "C", "AB"),
    # number (stored as a number, and as a numeric string)
    ("custom_fields.age__is", 42, "A", "B"),
    ("custom_fields.age__is", "42", "A", "B"),
    ("custom_fields.age__is_not", 42, "BC", "A"),
    ("custom_fields.age__gt", 17, "A", "B"),
    ("custom_fields.age__gte", 42, "A", "B"),
    ("custom_fields.age__lt", 18, "B", "AC"),
    ("custom_fields.age__lte", 17.0, "B", "A"),
    ("custom_fields.age__is_set", True, "AB", "C"),
    ("custom_fields.age__is_not_set", True, "C", "AB"),
    ("custom_fields.number__gt", 100, "A", "B"),
    ("custom_fields.number__lte", "20", "B", "A"),
    # single_select
    ("custom_fields.gender__is", "female", "A", "B"),
    ("custom_fields.gender__is", ["female", "other"], "A", "B"),
    ("custom_fields.gender__is_not", "female", "BC", "A"),
    ("custom_fields.gender__contains", "fem", "A", "B"),
    ("custom_fields.gender__not_contains", "fem", "BC", "A"),
    ("custom_fields.gender__is_set", True, "AB", "C"),
    ("custom_fields.gender__is_not_set", True, "C", "AB"),
    # multi_select
    ("custom_fields.skills__is", ["python", "php"], "A", "B"),
    ("custom_fields.skills__is", ["python"], "", "AB"),
    ("custom_fields.skills__is", "mysql", "B", "A"),
    ("custom_fields.skills__is_not", ["mysql"], "AC", "B"),
    ("custom_fields.skills__contains", ["python", "golang"], "A", "B"),
    ("custom_fields.skills__contains", "mysql", "B", "A"),
    ("custom_fields.skills__not_contains", ["python"], "BC", "A"),
    ("custom_fields.skills__is_set", True, "AB", "C"),
    ("custom_fields.skills__is_not_set", True, "C", "AB"),
    # switch
    ("custom_fields.local_user__is", True, "A", "B"),
    ("custom_fields.local_user__is", False, "B", "A"),
    ("custom_fields.local_user__is_set", True, "AB", "C"),
    ("custom_fields.local_user__is_not_set", True, "C", "AB"),
    # date
    ("custom_fields.dob__is", "1992-05-10", "A", "B"),
    ("custom_fields.dob__is_not", "1992-05-10", "BC", "A"),
    ("custom_fields.dob__gt", "1990-01-01", "A", "B"),
    ("custom_fields.dob__gte", "1992-05-10", "A", "B"),
    ("custom_fields.dob__lt", "1990-01-01", "B", "A"),
    ("custom_fields.dob__lte", "1980-01-01", "B", "A"),
    ("custom_fields.dob__range", {"gte": "1990-01-01", "lte": "1995-12-31"}, "A", "BC"),
    ("custom_fields.dob__range", {"gte": "1980-01-01", "lte": "1980-01-01"}, "B", "A"),
    ("custom_fields.dob__not_range", {"gte": "1990-01-01", "lte": "1995-12-31"}, "BC", "A"),
    ("custom_fields.dob__is_set", True, "AB", "C"),
    ("custom_fields.dob__is_not_set", True, "C", "AB"),
    # date_time (the table gives it only the "all types" operations)
    ("custom_fields.appointment_time__is_set", True, "AB", "C"),
    ("custom_fields.appointment_time__is_not_set", True, "C", "AB"),
    ("custom_fields.appointment_time__is_set", False, "C", "AB"),
]


@pytest.mark.parametrize("key, value, matching, excluded", CASES, ids=[f"{k}={v}" for k, v, _, _ in CASES])
def test_each_operation_keeps_matches_and_drops_the_rest(world, key, value, matching, excluded):
    people = world[2]
    found = ids_for(world, {"and": {key: value}})
    for label in matching:
        assert people[label]["id"] in found, label
    for label in excluded:
        assert people[label]["id"] not in found, label


def test_every_operation_of_the_table_is_exercised():
    seen = {(key.rpartition("__")[0], key.rpartition("__")[2]) for key, *_ in CASES}
    types = {name: f.type for name, f in dsl.STANDARD.items()}
    types.update({f"custom_fields.{k}": t for k, t in (("text", "text"), ("text_area", "text_area"),
                                                       ("age", "number"), ("number", "number"),
                                                       ("gender", "single_select"), ("skills", "multi_select"),
                                                       ("local_user", "switch"), ("dob", "date"),
                                                       ("appointment_time", "date_time"))})
    covered = {(types[field], op) for field, op in seen}
    required = {(t, op) for op, ts in dsl.OPERATIONS.items() for t in ts}
    assert required <= covered, sorted(required - covered)
    assert {op for _, op in seen if not _.startswith("custom_fields.")} == set(dsl.OPERATIONS)


def test_conditions_combine_with_and(world):
    people = world[2]
    assert ids_for(world, {"and": {"custom_fields.age__gt": 10, "custom_fields.gender__is": "male",
                                   "created__gte": "2025-07-15"}}) == {people["B"]["id"]}


def test_filters_agree_with_the_fixture_data(world):
    _, tenant, _ = world
    expected = {c["id"] for c in tenant.state["contacts"]
                if c["source"] == "imported" and c["marketing_opt_in"] and c["email_id"]}
    assert ids_for(world, {"and": {"source__is": "imported", "marketing_opt_in__is": True,
                                   "email_id__is_set": True}}) == expected and expected


@pytest.mark.parametrize("body", [None, {}, {"and": {}}])
def test_no_filter_matches_every_contact(world, body):
    client, tenant, _ = world
    r = client.post("/contacts?before=&after=&limit=100", headers=tenant.headers,
                    content=b"" if body is None else json.dumps(body))
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["filter_total"] == data["total"] == len(tenant.state["contacts"]) == 27


ERRORS = [
    ({"or": {"name__is": "x"}}, "or", "Unknown filter key \"or\"; conditions are combined under \"and\"."),
    ({"and": ["name__is"]}, "and", "Expected an object of \"<field_name>__<operation>\": value conditions."),
    ({"and": {"nickname__is": "x"}}, "nickname__is", "Unknown field \"nickname\". Standard fields: name, "
     "country_code, phone_number, phone_number_with_cc, email_id, marketing_opt_in, status, source, created, "
     "modified; custom fields are referenced as \"custom_fields.<field_id>\"."),
    ({"and": {"name": "x"}}, "name", "Expected a key of the form \"<field_name>__<operation>\", e.g. \"name__is\"."),
    ({"and": {"name__like": "x"}}, "name__like", "Unknown operation \"like\". Supported operations: is, is_not, "
     "contains, not_contains, is_set, is_not_set, gt, gte, lt, lte, range, not_range."),
    ({"and": {"custom_fields.shoe__is": "9"}}, "custom_fields.shoe__is", "Unknown custom field ID \"shoe\"."),
    ({"and": {"name__gt": "a"}}, "name__gt", "Operation \"gt\" is not supported for text fields. Supported for "
     "text: is, is_not, contains, not_contains, is_set, is_not_set."),
    ({"and": {"custom_fields.text_area__is": "x"}}, "custom_fields.text_area__is", "Operation \"is\" is not "
     "supported for text_area fields. Supported for text_area: contains, not_contains, is_set, is_not_set."),
    ({"and": {"marketing_opt_in__is_not": True}}, "marketing_opt_in__is_not", "Operation \"is_not\" is not "
     "supported for switch fields. Supported for switch: is, is_set, is_not_set."),
    ({"and": {"custom_fields.age__contains": 4}}, "custom_fields.age__contains", "Operation \"contains\" is not "
     "supported for number fields. Supported for number: is, is_not, is_set, is_not_set, gt, gte, lt, lte."),
    ({"and": {"custom_fields.age__range": {"gte": 1, "lte": 2}}}, "custom_fields.age__range", "Operation "
     "\"range\" is not supported for number fields. Supported for number: is, is_not, is_set, is_not_set, gt, "
     "gte, lt, lte."),
    ({"and": {"custom_fields.appointment_time__gt": "2025-01-01"}}, "custom_fields.appointment_time__gt",
     "Operation \"gt\" is not supported for date_time fields. Supported for date_time: is_set, is_not_set."),
    ({"and": {"custom_fields.age__gt": "old"}}, "custom_fields.age__gt", "Expected a number, got a string."),
    ({"and": {"custom_fields.age__gt": True}}, "custom_fields.age__gt", "Expected a number, got a boolean."),
    ({"and": {"custom_fields.age__gt": [1]}}, "custom_fields.age__gt", "Expected a number, got an array."),
    ({"and": {"created__gt": "01/01/2025"}}, "created__gt", dsl.DATE_HINT),
    ({"and": {"custom_fields.dob__range": {"gte": "1990-01-01"}}}, "custom_fields.dob__range",
     "Expected {\"gte\": <date>, \"lte\": <date>}: range and not_range need both bounds."),
    ({"and": {"custom_fields.dob__range": ["1990-01-01", "1995-12-31"]}}, "custom_fields.dob__range",
     "Expected {\"gte\": <date>, \"lte\": <date>}: range and not_range need both bounds."),
    ({"and": {"custom_fields.local_user__is": "true"}}, "custom_fields.local_user__is",
     "Expected true or false, got a string."),
    ({"and": {"name__is": 5}}, "name__is", "Expected a string (or a list of strings), got a number."),
    ({"and": {"name__is": []}}, "name__is", "Expected at least one value."),
    ({"and": {"name__is_set": "yes"}}, "name__is_set", "Expected true or false, got a string."),
    ({"and": {"status__is": "deleted"}}, "status__is",
     "\"deleted\" is not a valid choice. Choose one of: active, inactive, 1, 0."),
    ({"and": {"status__is": True}}, "status__is", "\"True\" is not a valid choice. Choose one of: active, inactive, 1, 0."),
    ({"and": {"source__is": ["imported", "fax"]}}, "source__is", "\"fax\" is not a valid choice. Choose one of: "
     "manual_entry, waba_campaigns, waba_message, imported, public_api."),
    ({"and": {"custom_fields.skills__contains": ["cobol"]}}, "custom_fields.skills__contains",
     "\"cobol\" is not a valid choice. Choose one of: python, php, mysql, golang."),
]


@pytest.mark.parametrize("body, key, message", ERRORS, ids=[k for _, k, _ in ERRORS])
def test_malformed_filters_are_400_on_the_offending_key(world, body, key, message):
    client, tenant, _ = world
    r = client.post("/contacts?before=&after=", headers=tenant.headers, json=body)
    assert r.status_code == 400
    assert r.json() == {"status": "error", "code": "400", "message": "Validation Error", "errors": {key: [message]}}
    valid("public/contact.error.response", r.json())


def test_several_bad_conditions_are_reported_together(world):
    client, tenant, _ = world
    r = client.post("/contacts?after=", headers=tenant.headers,
                    json={"and": {"name__gt": "a", "name__is": "ok", "age__is": 1}, "extra": 1})
    assert r.status_code == 400 and set(r.json()["errors"]) == {"name__gt", "age__is", "extra"}


def test_non_object_bodies_are_400(world):
    client, tenant, _ = world
    for raw in (b"[1]", b"null", b"\"and\"", b"{bad json"):
        r = client.post("/contacts?before=&after=", headers=tenant.headers, content=raw)
        assert r.status_code == 400 and r.json()["message"] == "Validation Error", raw
        assert "non_field_errors" in r.json()["errors"]


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


def test_the_documented_example_filter_parses():
    """The description's example (its // comments and trailing commas removed)."""
    example = {"and": {
        "name__is": "John", "country_code__is": "91", "phone_number__is": "9876543210",
        "phone_number_with_cc__is": "919876543210", "email_id__contains": "john", "email_id__not_contains": "doe",
        "marketing_opt_in__is": True, "status__is_not": 0, "source__is": "manual_entry",
        "created__gt": "2025-01-01", "modified__lte": "2025-01-01",
        "custom_fields.my_custom_field_id_1__is": "prime",
        "custom_fields.my_custom_field_id_2__gte": 18,
        "custom_fields.my_custom_field_id_3__range": {"gte": "1990-01-01", "lte": "1995-12-31"},
        "custom_fields.my_custom_field_id_4__is": ["python", "php"]}}
    valid("public/contact.search.request", example)
    definitions = {
        "my_custom_field_id_1": {"id": "my_custom_field_id_1", "type": "single_select", "options": ["prime", "regular"]},
        "my_custom_field_id_2": {"id": "my_custom_field_id_2", "type": "number"},
        "my_custom_field_id_3": {"id": "my_custom_field_id_3", "type": "date"},
        "my_custom_field_id_4": {"id": "my_custom_field_id_4", "type": "multi_select",
                                 "options": ["python", "php", "mysql"]}}
    query = dsl.parse(example, definitions)
    assert len(query.conditions) == 15
    john = {"id": "6", "name": "John", "country_code": "91", "phone_number": "9876543210",
            "email_id": "john@example.com", "marketing_opt_in": True, "status": "active", "source": "manual_entry",
            "created": "2025-01-02T00:00:00.000000Z", "modified": "2025-01-01T23:59:59.000000Z",
            "custom_fields": {"my_custom_field_id_1": "prime", "my_custom_field_id_2": 18,
                              "my_custom_field_id_3": "1995-12-31", "my_custom_field_id_4": ["php", "python"]}}
    assert query.matches(john)
    for change in ({"status": "inactive"}, {"created": "2025-01-01T23:00:00.000000Z"},
                   {"modified": "2025-01-02T00:00:00.000000Z"}, {"email_id": "john.doe@example.com"},
                   {"custom_fields": {**john["custom_fields"], "my_custom_field_id_2": 17}},
                   {"custom_fields": {**john["custom_fields"], "my_custom_field_id_4": ["php"]}}):
        assert not query.matches({**john, **change}), change


def test_search_and_create_share_the_path(world):
    """The saved example posts its filter to plain /contacts; a create body there still creates."""
    client, tenant, _ = world
    r = client.post("/contacts", headers=tenant.headers, json={"and": {"name__is": "Zed Alpha"}})
    assert r.status_code == 200 and r.json()["message"] == "Contacts Searched" and r.json()["data"]["total"] == 1
    r = client.post("/contacts", headers=tenant.headers,
                    json={"name": "New", "country_code": "91", "phone_number": fresh_phone("97")})
    assert r.status_code == 200 and r.json()["message"] == "Contact Created"
    tenant.state["contacts"].delete(r.json()["data"]["id"])  # keep the module's world as described
    r = client.post("/contacts?before=&after=", headers=tenant.headers, json={"name": "New"})
    assert r.status_code == 400 and "name" in r.json()["errors"]

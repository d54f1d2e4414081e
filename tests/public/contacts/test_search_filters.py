"""Search Contacts: the filter language — every operation of every field type, how conditions combine,
the documented example filter, and search sharing its path with create."""

from __future__ import annotations

import json

import pytest

from mock_server.public.contacts import search as dsl
from tests.public.contacts.support import fresh_phone, search, valid


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
    r = client.post("/contacts?before=&after=&limit=100",
                    headers={**tenant.headers, "Content-Type": "application/json"},
                    content=b"" if body is None else json.dumps(body))
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["filter_total"] == data["total"] == len(tenant.state["contacts"]) == 27


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

"""Search Contacts: malformed filters and bodies, each a 400 on the offending key."""

from __future__ import annotations

import pytest

from mock_server.public.contacts import search as dsl
from tests.public.contacts.support import valid


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
        r = client.post("/contacts?before=&after=", content=raw,
                        headers={**tenant.headers, "Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["message"] == "Validation Error", raw
        assert "non_field_errors" in r.json()["errors"]

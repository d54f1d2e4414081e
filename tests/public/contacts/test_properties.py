"""Property tests: arbitrary bodies never crash the Contacts API, and numeric filters are exact."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from mock_server import schemas
from mock_server.fixtures import CUSTOM_FIELDS
from mock_server.public.contacts import search as dsl
from tests.conftest import make_app, seeded_tenant

FIELD_IDS = [f["id"] for f in CUSTOM_FIELDS]
KEYS = ["name", "country_code", "phone_number", "email_id", "marketing_opt_in", "custom_fields", "and"]
SCALARS = (st.none() | st.booleans() | st.integers(-10**16, 10**16)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
           | st.sampled_from(["91", "+91", "9876543210", "98723****", "john@example.com", "2025-01-01",
                              "2025-02-02 20:11:11", "2023-01-01T20:11:11Z", "male", "python", "active", "1.5"]))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(KEYS + FIELD_IDS) | st.text(max_size=8), inner, max_size=5),
                    max_leaves=12)
PHONES = st.one_of(st.text(alphabet="0123456789", min_size=5, max_size=16), st.integers(0, 10**16), JSON)
DATES = st.dates().map(lambda d: d.isoformat())
VALID_CUSTOM = st.fixed_dictionaries({}, optional={
    "text": st.text(max_size=20), "text_area": st.text(max_size=40), "age": st.integers(0, 100) | st.floats(0, 100),
    "number": st.integers(0, 10**6).map(str), "gender": st.sampled_from(["male", "female", "other"]),
    "skills": st.lists(st.sampled_from(["python", "php", "mysql", "golang"]), max_size=4), "dob": DATES,
    "appointment_time": st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
    "local_user": st.booleans(), "switch": st.none()})
WELL_FORMED = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=20).filter(str.strip), "country_code": st.sampled_from(["91", "+91"]),
     "phone_number": st.text(alphabet="0123456789", min_size=10, max_size=10)},
    optional={"email_id": st.emails() | st.none(), "marketing_opt_in": st.booleans(), "custom_fields": VALID_CUSTOM})
CREATE_BODIES = st.one_of(
    JSON,
    WELL_FORMED,
    st.fixed_dictionaries(
        {"name": st.one_of(st.text(max_size=30), JSON), "country_code": st.sampled_from(["91", "+91", "1", 44, "x"]),
         "phone_number": PHONES},
        optional={"email_id": st.one_of(st.emails(), JSON), "marketing_opt_in": JSON,
                  "custom_fields": st.dictionaries(st.sampled_from(FIELD_IDS) | st.text(max_size=6), JSON,
                                                   max_size=4)}),
)
CONDITION_KEYS = st.builds(
    lambda field, op: f"{field}__{op}",
    st.sampled_from(list(dsl.STANDARD) + [f"custom_fields.{i}" for i in FIELD_IDS] + ["custom_fields.nope", "x"]),
    st.sampled_from(list(dsl.OPERATIONS) + ["like"])) | st.text(max_size=12)
VALUES = JSON | st.fixed_dictionaries({"gte": JSON, "lte": JSON})
VALID_CONDITIONS = st.one_of(
    st.tuples(st.just("name__contains"), st.text(max_size=3)),
    st.tuples(st.sampled_from(["custom_fields.age__gt", "custom_fields.age__lte", "custom_fields.number__is"]),
              st.integers(0, 100) | st.floats(0, 100)),
    st.tuples(st.sampled_from(["created__gte", "modified__lt", "custom_fields.dob__is_not"]), DATES),
    st.tuples(st.sampled_from(["created__range", "custom_fields.dob__not_range"]),
              st.fixed_dictionaries({"gte": DATES, "lte": DATES})),
    st.tuples(st.just("source__is"), st.lists(st.sampled_from(["imported", "public_api", "manual_entry"]), min_size=1)),
    st.tuples(st.just("custom_fields.skills__contains"), st.lists(st.sampled_from(["python", "php"]), min_size=1)),
    st.tuples(st.sampled_from(["marketing_opt_in__is", "custom_fields.local_user__is", "email_id__is_set",
                               "custom_fields.appointment_time__is_not_set"]), st.booleans()),
    st.tuples(st.just("status__is_not"), st.sampled_from([0, 1, "active", "inactive"])),
)
SEARCH_BODIES = st.one_of(
    JSON,
    st.lists(VALID_CONDITIONS, max_size=3).map(lambda pairs: {"and": dict(pairs)}),
    st.fixed_dictionaries({"and": st.dictionaries(CONDITION_KEYS, VALUES, max_size=4)}),
)
TOKENS = st.one_of(st.just(""), st.text(max_size=20),
                   st.sampled_from(["WyI2N2M4MzliYzNjODQyOGZlZmVjOTIxYmEiLDE3NDExNzUyMjg1NzRd", "W10=", "bnVsbA=="]))
ENVELOPE_ERROR = "public/contact.error.response"


@pytest.fixture(scope="module")
def module_client():
    """One app for every example a property test draws (module-scoped: hypothesis runs many)."""
    app = make_app()
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, seeded_tenant(app)


def raw(body) -> bytes:
    return json.dumps(body).encode()


@settings(max_examples=50, deadline=None)
@given(body=CREATE_BODIES)
def test_random_create_bodies_get_a_documented_answer(module_client, body):
    client, tenant = module_client
    r = client.post("/contacts", headers={**tenant.headers, "content-type": "application/json"}, content=raw(body))
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert schemas.field_errors(ENVELOPE_ERROR, r.json()) == {}
    elif isinstance(body, dict) and "and" in body:  # an {"and": ...} body is a search
        assert schemas.field_errors("public/contact.search.response", r.json()) == {}
    else:
        assert schemas.field_errors("public/contact.response", r.json()) == {}
        assert r.json()["data"]["phone_number"].isdigit()


@settings(max_examples=50, deadline=None)
@given(body=SEARCH_BODIES, after=TOKENS, before=TOKENS, limit=st.sampled_from(["", "1", "5", "1000", "0", "x"]))
def test_random_searches_get_a_documented_answer(module_client, body, after, before, limit):
    client, tenant = module_client
    r = client.post("/contacts", params={"after": after, "before": before, "limit": limit},
                    headers={**tenant.headers, "content-type": "application/json"}, content=raw(body))
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert schemas.field_errors(ENVELOPE_ERROR, r.json()) == {}
    else:
        assert schemas.field_errors("public/contact.search.response", r.json()) == {}
        data = r.json()["data"]
        assert data["total"] == len(data["results"]) <= data["filter_total"]


@settings(max_examples=50, deadline=None)
@given(threshold=st.one_of(st.integers(-5, 80), st.floats(-5, 80, allow_nan=False),
                           st.integers(-5, 80).map(str)))
def test_age_greater_than_returns_exactly_the_older_contacts(module_client, threshold):
    client, tenant = module_client
    r = client.post("/contacts?limit=100", headers=tenant.headers,
                    json={"and": {"custom_fields.age__gt": threshold}})
    assert r.status_code == 200
    limit = float(threshold)
    expected = set()
    for contact in tenant.state["contacts"]:
        age = contact["custom_fields"].get("age")
        if isinstance(age, str):
            try:
                age = float(age)
            except ValueError:
                continue
        if isinstance(age, (int, float)) and not isinstance(age, bool) and age > limit:
            expected.add(contact["id"])
    data = r.json()["data"]
    assert {c["id"] for c in data["results"]} == expected
    assert data["filter_total"] == len(expected)

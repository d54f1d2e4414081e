"""The legacy POST /contactadd: one contact book with the public Contacts API, the developers API's errors."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from mock_server import schemas
from mock_server.developers.contactadd import split_phone
from mock_server.services import contacts as contact_rules
from tests.conftest import Tenant, check_contract, make_app, seeded_tenant
from tests.developers.support import unauthorized
from tests.moments import moment

PATH = "/contactadd"
NOW = moment("2025-07-15T10:00:00.000000Z")
_numbers = itertools.count(1)


def fresh_phone() -> str:
    return f"96{next(_numbers):08d}"


class Api:
    def __init__(self, client: TestClient, tenant: Tenant):
        self.client, self.tenant = client, tenant
        self.token = tenant.state.account["developer_token"]
        if check_contract not in client.event_hooks["response"]:  # also for clients built outside conftest
            client.event_hooks["response"].append(check_contract)

    def add(self, **params):
        return self.client.post(PATH, data={"token": self.token, **params})

    def added(self, **params) -> dict:
        r = self.add(**{"contactname": "Legacy Person", "phonenumber": fresh_phone(), **params})
        assert r.status_code == 200, r.text
        return self.tenant.state["contacts"].get(r.json()["contact_id"])

    def public_list(self, country_code: str, phone: str) -> list[dict]:
        r = self.client.get("/contacts", params={"country_code": country_code, "phone_number": phone},
                            headers=self.tenant.headers)
        assert r.status_code == 200, r.text
        return r.json()["data"]["results"]


@pytest.fixture
def api(client, tenant) -> Api:
    return Api(client, tenant)


@pytest.fixture
def other(client, other_tenant) -> Api:
    return Api(client, other_tenant)


def error(response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"status": "error", "code": status, "message": message}


# --- the phone number, with or without its country code -------------------------------------------------
@pytest.mark.parametrize("raw, parts", [
    ("9876543210", ("91", "9876543210")),
    ("09876543210", ("91", "9876543210")),
    ("919876543210", ("91", "9876543210")),
    ("+919876543210", ("91", "9876543210")),
    ("+91 98765-43210", ("91", "9876543210")),
    ("0091 9876543210", ("91", "9876543210")),
    ("+1 (415) 555-0123", ("1", "4155550123")),
    ("14155550123", ("1", "4155550123")),
    ("+447911123456", ("44", "7911123456")),
    ("+971501234567", ("971", "501234567")),
    ("+79161234567", ("7", "9161234567")),
    ("98765", ("91", "98765")),
])
def test_split_phone(raw, parts):
    assert split_phone(raw) == parts


@pytest.mark.parametrize("raw", ["", "+", "abc", "98765abc", "+91", "++919876543210", "٩٨٧٦٥٤٣٢١٠"])
def test_split_phone_refuses_what_is_no_number(raw):
    assert split_phone(raw) is None


# --- adding a contact -------------------------------------------------------------------------------------
def test_a_contact_added_here_is_a_contact_of_the_public_book(api):
    r = api.add(token=api.token, contactname=" Ravi Kumar ", phonenumber="+91 98765 11111", emailid="ravi@example.com")
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["status", "code", "message", "contact_id"]
    assert body["status"] == "success" and body["code"] == 200 and body["message"] == "contact added successfully"
    doc = api.tenant.state["contacts"].get(body["contact_id"])
    expected = contact_rules.new_contact({"name": "Ravi Kumar", "country_code": "91", "phone_number": "9876511111",
                                          "email_id": "ravi@example.com"}, body["contact_id"], api.tenant.company_id,
                                         NOW)
    assert doc == expected
    [listed] = api.public_list("91", "9876511111")
    assert (listed["id"], listed["name"], listed["email_id"]) == (body["contact_id"], "Ravi Kumar", "ravi@example.com")
    r = api.client.get(f"/contacts/{body['contact_id']}", headers=api.tenant.headers)
    assert r.status_code == 200 and r.json()["data"]["email_id"] == "ravi@example.com"


def test_the_public_api_can_update_and_delete_it(api):
    doc = api.added()
    r = api.client.patch(f"/contacts/{doc['id']}", json={"name": "Renamed"}, headers=api.tenant.headers)
    assert r.status_code == 200 and r.json()["data"]["name"] == "Renamed"
    assert api.client.delete(f"/contacts/{doc['id']}", headers=api.tenant.headers).status_code == 200
    assert api.add(contactname="Again", phonenumber=doc["phone_number"]).status_code == 200  # the number is free


def test_a_json_body_with_a_numeric_phone(api):
    r = api.client.post(PATH, json={"token": api.token, "contactname": "Json Person", "phonenumber": 9876522222})
    assert r.status_code == 200, r.text
    doc = api.tenant.state["contacts"].get(r.json()["contact_id"])
    assert (doc["country_code"], doc["phone_number"], doc["email_id"]) == ("91", "9876522222", None)


def test_parameters_may_come_in_the_query_string(api):
    r = api.client.post(PATH, params={"token": api.token, "contactname": "Query Person", "phonenumber": "9876533333"})
    assert r.status_code == 200
    assert api.public_list("91", "919876533333")[0]["name"] == "Query Person"


def test_an_international_number_keeps_its_country_code(api):
    doc = api.added(phonenumber="+1 415 555 0199")
    assert (doc["country_code"], doc["phone_number"]) == ("1", "4155550199")
    assert [c["id"] for c in api.public_list("1", "4155550199")] == [doc["id"]]


def test_assignto_names_a_user_by_uuid(api):
    agent = next(u for u in api.tenant.state["users"] if u["role"] == "agent")
    doc = api.added(assignto=agent["id"])
    assert doc["assigned_to"] == agent["id"]
    assert "assigned_to" not in api.added(assignto="")
    r = api.client.get(f"/contacts/{doc['id']}", headers=api.tenant.headers)
    assert "assigned_to" not in r.json()["data"]  # the public API has no such field


def test_empty_emailid_means_none(api):
    assert api.added(emailid="")["email_id"] is None


@pytest.mark.parametrize("params, message", [
    ({"contactname": ""}, "contactname is required"),
    ({"phonenumber": ""}, "phonenumber is required"),
    ({"contactname": None, "phonenumber": None}, "contactname is required; phonenumber is required"),
    ({"phonenumber": "call me"}, "phonenumber must be digits, optionally with a leading + and the country code"),
    ({"phonenumber": "98765"}, "phonenumber: Phone Number's length should be in the range of [7,15]."),
    ({"phonenumber": "987654321"}, "phonenumber: Phone Number's length should be in the range of [7,15]."),
    ({"phonenumber": "+0123456789"}, "phonenumber: Enter a valid country code (1 to 4 digits, e.g. \"91\" or \"+91\")."),
    ({"emailid": "ravi@"}, "emailid: Enter a valid email address."),
    ({"contactname": "x" * 256}, "contactname: Ensure this field has no more than 255 characters."),
    ({"assignto": "0000000000000000"}, "assignto must be the uuid of a user of this company"),
])
def test_each_rule_has_its_message(api, params, message):
    fields = {"contactname": "Rule Person", "phonenumber": fresh_phone(), **params}
    before = len(api.tenant.state["contacts"])
    error(api.add(**{k: v for k, v in fields.items() if v is not None}), 400, message)
    assert len(api.tenant.state["contacts"]) == before


def test_json_values_of_the_wrong_type_are_400(api):
    r = api.client.post(PATH, json={"token": api.token, "contactname": 7, "phonenumber": [1], "emailid": True})
    error(r, 400, "contactname must be text; phonenumber must be text; emailid must be text")
    r = api.client.post(PATH, json={"token": api.token, "contactname": "A", "phonenumber": "9876544444",
                                    "assignto": 5})
    error(r, 400, "assignto must be the uuid of a user of this company")


def test_a_duplicate_phone_is_refused_whichever_api_added_the_first(api):
    doc = api.added()
    for same in (doc["phone_number"], f"91{doc['phone_number']}", f"+91{doc['phone_number']}"):
        error(api.add(contactname="Twin", phonenumber=same), 400,
              "phonenumber: Contact with this phone number already exists.")
    r = api.client.post("/contacts", json={"name": "Public Twin", "country_code": "91",
                                           "phone_number": doc["phone_number"]}, headers=api.tenant.headers)
    assert r.status_code == 400 and r.json()["errors"] == {"phone_number": ["Contact with this phone number already exists."]}
    r = api.client.post("/contacts", json={"name": "Public First", "country_code": "91", "phone_number": "9876555555"},
                        headers=api.tenant.headers)
    assert r.status_code == 200
    error(api.add(contactname="Second", phonenumber="9876555555"), 400,
          "phonenumber: Contact with this phone number already exists.")


def test_a_fixture_contact_s_number_is_taken(api):
    existing = next(c for c in api.tenant.state["contacts"])
    error(api.add(contactname="Clash", phonenumber=f"+{existing['country_code']}{existing['phone_number']}"), 400,
          "phonenumber: Contact with this phone number already exists.")


# --- authentication and tenant isolation --------------------------------------------------------------
def test_the_token_is_required_and_checked(api):
    unauthorized(api.client.post(PATH, data={"contactname": "A", "phonenumber": "9876566666"}))
    unauthorized(api.client.post(PATH, data={"token": "nope", "contactname": "A", "phonenumber": "9876566666"}))
    assert api.public_list("91", "9876566666") == []


def test_only_post_is_allowed(api):
    error(api.client.get(PATH, params={"token": api.token}), 405, 'Method "GET" not allowed.')


def test_a_contact_goes_to_the_token_s_company_only(api, other):
    doc = other.added(phonenumber="9876577777")
    assert doc["company_id"] == other.tenant.company_id
    assert api.public_list("91", "9876577777") == []
    assert [c["id"] for c in other.public_list("91", "9876577777")] == [doc["id"]]
    assert api.added(phonenumber="9876577777")["company_id"] == api.tenant.company_id  # per-company uniqueness
    foreign_user = next(u for u in other.tenant.state["users"] if u["role"] == "agent")
    error(api.add(contactname="A", phonenumber=fresh_phone(), assignto=foreign_user["id"]), 400,
          "assignto must be the uuid of a user of this company")


# --- hostile input --------------------------------------------------------------------------------------
KEYS = ["contactname", "phonenumber", "emailid", "assignto", "token"]
VALUES = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False, allow_infinity=False)
          | st.text(max_size=20)
          | st.sampled_from(["9876543210", "+919876543210", "+1", "00", "a@b.co", "", " ", "0" * 16])
          | st.lists(st.text(max_size=3), max_size=2) | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@pytest.fixture(scope="module")
def shared():
    app = make_app()
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, seeded_tenant(app))


def _sane(shared, response) -> None:
    assert response.status_code < 500, response.text
    check_contract(response)
    if response.status_code == 200:  # what was added is a valid public contact
        doc = shared.tenant.state["contacts"].get(response.json()["contact_id"])
        r = shared.client.get(f"/contacts/{doc['id']}", headers=shared.tenant.headers)
        assert r.status_code == 200
        assert schemas.field_errors("public/contact.response", r.json()) == {}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), VALUES, max_size=6))
def test_random_json_parameters_never_yield_a_5xx(shared, params):
    params = {**params, "token": shared.token} if not isinstance(params.get("token"), str) else params
    _sane(shared, shared.client.post(PATH, json=params))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(KEYS[:-1]), st.text(max_size=24) | st.from_regex(r"\+?[0-9 ]{0,18}"),
                              max_size=4))
def test_random_form_parameters_never_yield_a_5xx(shared, params):
    _sane(shared, shared.client.post(PATH, data={**params, "token": shared.token}))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=64))
def test_random_bodies_never_yield_a_5xx(shared, raw):
    _sane(shared, shared.client.post(PATH, params={"token": shared.token}, content=raw))

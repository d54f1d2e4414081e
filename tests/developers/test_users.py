"""GET / POST / PUT /search/user: the documented examples, every rule, paging, uniqueness, isolation."""

from __future__ import annotations

import itertools
import json
import re
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from mock_server import schemas
from mock_server.developers import user_rules as rules
from tests.conftest import check_contract, make_app, seeded_tenant, Tenant
from tests.developers.support import unauthorized
from tests.moments import moment
from tests.support import advance

PATH = "/search/user"

# The collection's saved examples, verbatim.
GET_USERS_URL = "https://developers.myoperator.co/search/user?token=&keyword=&page=&page-size&_all"
GET_USERS_EXAMPLE = """{
    "status": "success",
    "page_size": 20,
    "total_user": 1,
    "data": [
        {
            "user_id": "666666666666",
            "uuid": "777777777777",
            "company_id": "61eaa7ed83906838",
            "name": "Anonymous User",
            "email": null,
            "extension": "0",
            "contact_number": "67",
            "contact_type": null,
            "alternate_number": null,
            "alternate_contact_type": null,
            "role_id": "8",
            "is_active": "1",
            "is_enabled": "1",
            "is_available": 0
        }
    ],
    "next_page": "",
    "prev_page": "",
    "code": 200
}"""
CREATE_USER_URL = ("https://developers.myoperator.co/search/user?token&name&contact_number&country_code&extension"
                   "&email&alternate_contact_number&alternate_cc&panel_access&receive_calls&contact_type")
CREATE_USER_EXAMPLE = """{
    "status": "success",
    "code": 200,
    "message": "user added successfully",
    "uuid": "69ce5a7f8d26d639"
}"""
FIXTURE_USER_KEYS = {"id", "user_id", "company_id", "role", "name", "email", "country_code", "contact_number",
                     "contact_type", "extension", "alternate_cc", "alternate_number", "alternate_contact_type",
                     "role_id", "panel_access", "receive_calls", "is_active", "is_enabled", "is_available",
                     "department_ids", "created", "modified"}
NOW = moment("2025-07-15T10:00:00.000000Z")

_numbers = itertools.count(1)


def fresh_mobile() -> str:
    return f"97{next(_numbers):08d}"


def fresh_extension() -> int:
    return 200 + next(_numbers)


class Api:
    def __init__(self, client: TestClient, tenant: Tenant):
        self.client, self.tenant = client, tenant
        self.token = tenant.state.account["developer_token"]
        if check_contract not in client.event_hooks["response"]:  # also for clients built outside conftest
            client.event_hooks["response"].append(check_contract)

    def get(self, **params):
        return self.client.get(PATH, params={"token": self.token, **params})

    def post(self, **params):
        return self.client.post(PATH, data={"token": self.token, **params})

    def put(self, **params):
        return self.client.put(PATH, data={"token": self.token, **params})

    def add(self, **params) -> dict:
        fields = {"name": "Test User", "contact_number": fresh_mobile(), "country_code": "91",
                  "extension": fresh_extension(), **params}
        r = self.post(**fields)
        assert r.status_code == 200, r.text
        return self.tenant.state["users"].get(r.json()["uuid"])

    def users(self, **params) -> dict:
        r = self.get(**params)
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
def api(client, tenant) -> Api:
    return Api(client, tenant)


@pytest.fixture
def other(client, other_tenant) -> Api:
    return Api(client, other_tenant)


def error(response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"status": "error", "code": status, "message": message}


def ordered_fixture_users(tenant: Tenant) -> list[dict]:
    return sorted(tenant.state["users"], key=lambda u: (u["created"], u["id"]))


# --- the documented examples --------------------------------------------------------------------------
def test_the_documented_examples_match_their_schemas():
    assert schemas.field_errors("developers/user.list.response", json.loads(GET_USERS_EXAMPLE)) == {}
    assert schemas.field_errors("developers/user.create.response", json.loads(CREATE_USER_EXAMPLE)) == {}


def test_get_users_example_replays_with_the_documented_url(api):
    query = GET_USERS_URL.split("?", 1)[1].replace("token=", f"token={api.token}")
    r = api.client.get(f"{PATH}?{query}")
    assert r.status_code == 200
    documented, body = json.loads(GET_USERS_EXAMPLE), r.json()
    assert list(body) == list(documented)
    assert body["page_size"] == 20 and body["next_page"] == "" and body["prev_page"] == ""
    assert body["total_user"] == len(api.tenant.state["users"]) == len(body["data"])
    assert all(list(user) == list(documented["data"][0]) for user in body["data"])


def test_the_documented_anonymous_user_renders_with_the_documented_types(api):
    documented = json.loads(GET_USERS_EXAMPLE)["data"][0]
    body = api.users(keyword="Anonymous User")
    assert body["total_user"] == 1
    user = body["data"][0]
    for key in ("name", "email", "extension", "contact_type", "alternate_number", "alternate_contact_type", "role_id",
                "is_active", "is_enabled", "is_available"):
        assert user[key] == documented[key], key
    assert {k: type(v) for k, v in user.items()} == {k: type(v) for k, v in documented.items()}
    assert user["company_id"] == api.tenant.company_id


def test_create_user_example_replays_with_the_documented_parameters_filled(api):
    filled = {"token": api.token, "name": "Ravi Kumar", "contact_number": "9876512345", "country_code": "91",
              "extension": "45"}  # the optional ones stay empty, as in the documented URL
    query = "&".join(f"{k}={filled[k]}" if k in filled else k
                     for k in CREATE_USER_URL.split("?", 1)[1].split("&"))
    r = api.client.post(f"{PATH}?{query}")
    assert r.status_code == 200, r.text
    documented, body = json.loads(CREATE_USER_EXAMPLE), r.json()
    assert list(body) == list(documented)
    assert {k: v for k, v in body.items() if k != "uuid"} == {k: v for k, v in documented.items() if k != "uuid"}
    assert re.fullmatch(r"[0-9a-f]{16}", body["uuid"])
    stored = api.tenant.state["users"].get(body["uuid"])
    assert stored["name"] == "Ravi Kumar" and stored["extension"] == 45 and stored["email"] is None


# --- Get Users: search and paging ---------------------------------------------------------------------
def test_users_come_oldest_first_and_render_every_field(api):
    body = api.users()
    expected = ordered_fixture_users(api.tenant)
    assert [u["uuid"] for u in body["data"]] == [u["id"] for u in expected]
    first, doc = body["data"][0], expected[0]
    assert first == {
        "user_id": doc["user_id"], "uuid": doc["id"], "company_id": api.tenant.company_id, "name": doc["name"],
        "email": doc["email"], "extension": str(doc["extension"]), "contact_number": doc["contact_number"],
        "contact_type": doc["contact_type"], "alternate_number": None, "alternate_contact_type": None,
        "role_id": str(doc["role_id"]), "is_active": "1", "is_enabled": "1",
        "is_available": 1 if doc["is_available"] else 0}


def test_inactive_and_disabled_users_render_zero_strings(api):
    users = api.tenant.state["users"]
    doc = ordered_fixture_users(api.tenant)[0]
    users.put({**doc, "is_active": False, "is_enabled": False, "is_available": False})
    rendered = api.users(keyword=doc["email"])["data"][0]
    assert (rendered["is_active"], rendered["is_enabled"], rendered["is_available"]) == ("0", "0", 0)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 8, 9, 20])
def test_pages_partition_the_users_and_link_to_each_other(api, size):
    expected = [u["id"] for u in ordered_fixture_users(api.tenant)]
    seen, page, pages = [], "1", 0
    while page:
        body = api.users(page=page, **{"page-size": size})
        assert body["page_size"] == size and body["total_user"] == len(expected)
        assert body["prev_page"] == ("" if page == "1" else str(int(page) - 1))
        seen += [u["uuid"] for u in body["data"]]
        page, pages = body["next_page"], pages + 1
    assert seen == expected
    assert pages == -(-len(expected) // size)


def test_a_page_past_the_end_is_empty_and_points_back_to_the_last_page(api):
    body = api.users(page=7, **{"page-size": 4})  # 9 users: 3 pages
    assert body["data"] == [] and body["next_page"] == "" and body["prev_page"] == "3"
    assert body["total_user"] == 9


def test_page_size_defaults_to_20_and_is_capped_at_100(api):
    for _ in range(95):
        api.add()
    total = len(api.tenant.state["users"])
    assert total == 104
    assert api.users()["page_size"] == 20 and len(api.users()["data"]) == 20
    body = api.users(**{"page-size": 1000})
    assert body["page_size"] == 100 and len(body["data"]) == 100 and body["next_page"] == "2"
    second = api.users(page=2, **{"page-size": 1000})
    assert len(second["data"]) == 4 and second["next_page"] == "" and second["prev_page"] == "1"
    every = api.users(_all=1)
    assert len(every["data"]) == every["total_user"] == every["page_size"] == 104
    assert every["next_page"] == every["prev_page"] == ""
    assert [u["uuid"] for u in every["data"]] == [u["id"] for u in ordered_fixture_users(api.tenant)]


def test_all_ignores_paging_but_keeps_the_keyword(api):
    body = api.users(_all="1", page=3, keyword="example.com", **{"page-size": 2})
    assert body["total_user"] == len(body["data"]) == 8  # every user but the anonymous one has an email
    assert body["page_size"] == 8


@pytest.mark.parametrize("value, paged", [("0", True), ("", True), ("true", False), ("false", True), ("1", False)])
def test_all_flag_values(api, value, paged):
    body = api.users(_all=value, **{"page-size": 2})
    assert len(body["data"]) == (2 if paged else 9)


def test_page_size_may_also_be_spelled_page_size(api):
    assert api.users(page_size=3)["page_size"] == 3
    assert api.users(page_size=3, **{"page-size": 5})["page_size"] == 5


@pytest.mark.parametrize("params, message", [
    ({"page": "0"}, "page must be a whole number of at least 1"),
    ({"page": "-1"}, "page must be a whole number of at least 1"),
    ({"page": "two"}, "page must be a whole number of at least 1"),
    ({"page": "1.5"}, "page must be a whole number of at least 1"),
    ({"page-size": "0"}, "page-size must be a whole number of at least 1"),
    ({"page-size": "x"}, "page-size must be a whole number of at least 1"),
    ({"page_size": "-5"}, "page_size must be a whole number of at least 1"),
    ({"_all": "maybe"}, "_all must be 1 or 0"),
])
def test_bad_paging_values_are_400(api, params, message):
    error(api.get(**params), 400, message)


def test_paging_values_in_a_json_body_may_be_numbers(api):
    r = api.client.request("GET", PATH, json={"token": api.token, "page": 2, "page-size": 4})
    assert r.status_code == 200 and len(r.json()["data"]) == 4 and r.json()["prev_page"] == "1"
    error(api.client.request("GET", PATH, json={"token": api.token, "page": True}), 400,
          "page must be a whole number of at least 1")
    error(api.client.request("GET", PATH, json={"token": api.token, "keyword": ["a"]}), 400, "keyword must be text")


def test_keyword_matches_name_email_and_phone_case_insensitively(api):
    doc = ordered_fixture_users(api.tenant)[0]
    number = doc["contact_number"]
    for keyword in (doc["name"].upper(), doc["name"].split()[0].lower(), doc["email"].upper(), number,
                    number[2:8], f"91{number}", f"+91{number}"):
        found = [u["uuid"] for u in api.users(keyword=keyword)["data"]]
        assert doc["id"] in found, keyword
    assert api.users(keyword=f"+1{number}")["total_user"] == 0
    assert api.users(keyword="no such user anywhere")["data"] == []


def test_the_keyword_total_counts_matches_not_the_page(api):
    for n in range(5):
        api.add(name=f"Zebra Person {n}")
    body = api.users(keyword="zebra", **{"page-size": 2})
    assert body["total_user"] == 5 and len(body["data"]) == 2 and body["next_page"] == "2"


# --- Create User --------------------------------------------------------------------------------------
def test_a_new_user_is_a_full_basic_user(api):
    r = api.post(name="  Meera Nair ", contact_number="9876500011", country_code="+91", extension="77")
    assert r.status_code == 200
    uuid = r.json()["uuid"]
    stored = api.tenant.state["users"].get(uuid)
    assert set(stored) == FIXTURE_USER_KEYS
    assert stored == {
        "id": uuid, "user_id": stored["user_id"], "company_id": api.tenant.company_id, "role": "agent",
        "name": "Meera Nair", "email": None, "country_code": "91", "contact_number": "9876500011",
        "contact_type": "mobile", "extension": 77, "alternate_cc": None, "alternate_number": None,
        "alternate_contact_type": None, "role_id": 8, "panel_access": 1, "receive_calls": 1, "is_active": True,
        "is_enabled": True, "is_available": True, "department_ids": [], "created": NOW, "modified": NOW}
    assert re.fullmatch(r"[0-9a-f]{16}", uuid) and re.fullmatch(r"[1-9][0-9]{11}", stored["user_id"])


def test_a_created_user_is_found_by_get(api):
    user = api.add(name="Kiran Desai", email="Kiran.Desai@Example.org", contact_type="SIP", panel_access="2",
                   receive_calls="2", alternate_contact_number="9811122233", alternate_cc="91")
    body = api.users(keyword="kiran.desai@example.org")
    assert body["total_user"] == 1
    assert body["data"][0] == {
        "user_id": user["user_id"], "uuid": user["id"], "company_id": api.tenant.company_id, "name": "Kiran Desai",
        "email": "Kiran.Desai@Example.org", "extension": str(user["extension"]),
        "contact_number": user["contact_number"], "contact_type": "sip", "alternate_number": "9811122233",
        "alternate_contact_type": "mobile", "role_id": "8", "is_active": "1", "is_enabled": "1", "is_available": 1}
    assert (user["panel_access"], user["receive_calls"], user["role"]) == (2, 2, "no_calls")
    assert api.users()["data"][-1]["uuid"] == user["id"]  # the newest user comes last


def test_create_accepts_a_json_body_with_numbers(api):
    r = api.client.post(PATH, json={"token": api.token, "name": "Json User", "contact_number": 9876500022,
                                    "country_code": 91, "extension": 78, "panel_access": 2, "receive_calls": 1,
                                    "contact_type": "Landline"})
    assert r.status_code == 200, r.text
    stored = api.tenant.state["users"].get(r.json()["uuid"])
    assert (stored["contact_number"], stored["country_code"], stored["extension"], stored["contact_type"]) == \
        ("9876500022", "91", 78, "landline")


def test_create_accepts_parameters_in_the_query_string(api):
    query = urlencode({"token": api.token, "name": "Query User", "contact_number": "9876500033",
                       "country_code": "91", "extension": "79"})
    r = api.client.post(f"{PATH}?{query}")
    assert r.status_code == 200 and api.tenant.state["users"].get(r.json()["uuid"])["name"] == "Query User"


def test_ids_are_deterministic_for_a_seed():
    uuids = []
    for _ in range(2):
        app = make_app()
        with TestClient(app) as client:
            tenant = seeded_tenant(app)
            r = client.post(PATH, data={"token": tenant.state.account["developer_token"], "name": "Same",
                                        "contact_number": "9876500044", "country_code": "91", "extension": "80"})
            uuids.append((r.json()["uuid"], tenant.state["users"].get(r.json()["uuid"])["user_id"]))
    assert uuids[0] == uuids[1]


VALID = {"name": "Valid Person", "contact_number": "9876500055", "country_code": "91", "extension": "81"}


@pytest.mark.parametrize("changes, message", [
    ({"name": ""}, "name is required"),
    ({"name": "   "}, "name is required"),
    ({"contact_number": None}, "contact_number is required"),
    ({"country_code": ""}, "country_code is required"),
    ({"extension": None}, "extension is required"),
    ({"name": "x" * 256}, "name must be at most 255 characters"),
    ({"contact_number": "98765-00055"}, "contact_number must contain digits only (without the country code)"),
    ({"contact_number": "+919876500055"}, "contact_number must contain digits only (without the country code)"),
    ({"contact_number": "919876500055"}, "contact_number must have 10 digits for country code 91"),
    ({"contact_number": "123"}, "contact_number must have 4 to 15 digits"),
    ({"contact_number": "1234567890123456", "country_code": "44"}, "contact_number must have 4 to 15 digits"),
    ({"contact_number": "12345678901234", "country_code": "44"},
     "contact_number with its country code must not exceed 15 digits"),
    ({"country_code": "0091"}, "country_code must be 1 to 4 digits, e.g. 91 or +91"),
    ({"country_code": "12345"}, "country_code must be 1 to 4 digits, e.g. 91 or +91"),
    ({"extension": "0"}, "extension must be an integer between 1 and 9999"),
    ({"extension": "10000"}, "extension must be an integer between 1 and 9999"),
    ({"extension": "1a"}, "extension must be an integer between 1 and 9999"),
    ({"email": "not-an-email"}, "email must be a valid email address"),
    ({"alternate_contact_number": "9811100000"},
     "alternate_cc is required when alternate_contact_number is given"),
    ({"alternate_cc": "91"}, "alternate_cc is given but the user has no alternate_contact_number"),
    ({"alternate_contact_number": "98111x", "alternate_cc": "91"},
     "alternate_contact_number must contain digits only (without the country code)"),
    ({"alternate_contact_number": "98111", "alternate_cc": "91"},
     "alternate_contact_number must have 10 digits for country code 91"),
    ({"alternate_contact_number": "9811100000", "alternate_cc": "+"},
     "alternate_cc must be 1 to 4 digits, e.g. 91 or +91"),
    ({"alternate_contact_number": "9876500055", "alternate_cc": "91"},
     "alternate_contact_number must differ from contact_number"),
    ({"panel_access": "3"}, "panel_access must be 1 or 2"),
    ({"receive_calls": "0"}, "receive_calls must be 1 or 2"),
    ({"contact_type": "fax"}, "contact_type must be one of Mobile, SIP, Landline"),
])
def test_each_create_rule_has_its_message(api, changes, message):
    params = {k: v for k, v in {**VALID, **changes}.items() if v is not None}
    before = len(api.tenant.state["users"])
    error(api.post(**params), 400, message)
    assert len(api.tenant.state["users"]) == before


def test_several_problems_are_reported_together_in_parameter_order(api):
    error(api.post(contact_type="fax", extension="x"), 400,
          "name is required; contact_number is required; country_code is required; "
          "extension must be an integer between 1 and 9999; contact_type must be one of Mobile, SIP, Landline")


def test_json_values_of_the_wrong_type_are_400(api):
    r = api.client.post(PATH, json={"token": api.token, "name": 5, "contact_number": True, "country_code": [91],
                                    "extension": 12.5, "email": {"a": 1}})
    error(r, 400, "name must be text; contact_number must contain digits only (without the country code); "
                  "country_code must be 1 to 4 digits, e.g. 91 or +91; "
                  "extension must be an integer between 1 and 9999; email must be text")


def test_sip_numbers_are_not_held_to_the_national_length(api):
    user = api.add(contact_number="4021", contact_type="sip")
    assert user["contact_number"] == "4021"


def test_extension_and_contact_number_are_unique_in_the_company(api):
    taken = ordered_fixture_users(api.tenant)[0]
    error(api.post(**{**VALID, "extension": str(taken["extension"])}), 400,
          f"extension {taken['extension']} is already assigned to another user")
    error(api.post(**{**VALID, "contact_number": taken["contact_number"]}), 400,
          "contact_number is already the contact number of another user")
    error(api.post(**{**VALID, "contact_number": taken["contact_number"], "extension": str(taken["extension"])}),
          400, "contact_number is already the contact number of another user; "
               f"extension {taken['extension']} is already assigned to another user")


def test_the_same_digits_under_another_country_code_and_alternates_may_repeat(api):
    taken = ordered_fixture_users(api.tenant)[0]
    api.add(contact_number=taken["contact_number"], country_code="44")
    api.add(alternate_contact_number=taken["contact_number"], alternate_cc="91")  # documented: allowed


def test_a_created_user_takes_its_extension_and_number(api):
    user = api.add(extension="333", contact_number="9876500066")
    error(api.post(**{**VALID, "extension": "333"}), 400, "extension 333 is already assigned to another user")
    error(api.post(**{**VALID, "contact_number": "9876500066"}), 400,
          "contact_number is already the contact number of another user")
    assert user["extension"] == 333


# --- Update User --------------------------------------------------------------------------------------
@pytest.mark.parametrize("params, expected", [
    ({"name": "Renamed Person"}, {"name": "Renamed Person"}),
    ({"contact_number": "9876500077"}, {"contact_number": "9876500077"}),
    ({"country_code": "+1", "contact_number": "4155550100"}, {"country_code": "1", "contact_number": "4155550100"}),
    ({"extension": "901"}, {"extension": 901}),
    ({"email": "new.mail@example.net"}, {"email": "new.mail@example.net"}),
    ({"alternate_contact_number": "9811100001", "alternate_cc": "91"},
     {"alternate_number": "9811100001", "alternate_cc": "91", "alternate_contact_type": "mobile"}),
    ({"panel_access": "2"}, {"panel_access": 2}),
    ({"receive_calls": "2"}, {"receive_calls": 2, "role": "no_calls"}),
    ({"contact_type": "LANDLINE"}, {"contact_type": "landline"}),
])
def test_update_changes_only_the_given_fields(api, params, expected):
    user = api.add()
    advance(api.client, 60)
    r = api.put(uuid=user["id"], **params)
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "success", "code": 200, "message": "user updated successfully"}
    stored = api.tenant.state["users"].get(user["id"])
    assert stored == {**user, **expected, "modified": moment("2025-07-15T10:01:00.000000Z")}


def test_a_fixture_user_can_be_updated_and_get_shows_it(api):
    doc = ordered_fixture_users(api.tenant)[0]
    assert api.put(uuid=doc["id"], name="Changed Name", extension="950").status_code == 200
    rendered = api.users(keyword="changed name")["data"][0]
    assert (rendered["uuid"], rendered["extension"]) == (doc["id"], "950")


def test_update_with_a_json_body(api):
    user = api.add()
    r = api.client.put(PATH, json={"token": api.token, "uuid": user["id"], "extension": 902, "receive_calls": 2})
    assert r.status_code == 200
    assert api.tenant.state["users"].get(user["id"])["extension"] == 902


def test_update_without_changes_keeps_modified(api):
    user = api.add()
    advance(api.client, 60)
    assert api.put(uuid=user["id"]).status_code == 200
    assert api.put(uuid=user["id"], name=user["name"], extension=str(user["extension"])).status_code == 200
    assert api.tenant.state["users"].get(user["id"]) == user


def test_update_may_keep_its_own_extension_and_number_but_not_take_others(api):
    user, taken = api.add(), ordered_fixture_users(api.tenant)[0]
    assert api.put(uuid=user["id"], extension=str(user["extension"]),
                   contact_number=user["contact_number"]).status_code == 200
    error(api.put(uuid=user["id"], extension=str(taken["extension"])), 400,
          f"extension {taken['extension']} is already assigned to another user")
    error(api.put(uuid=user["id"], contact_number=taken["contact_number"]), 400,
          "contact_number is already the contact number of another user")
    assert api.tenant.state["users"].get(user["id"]) == user


@pytest.mark.parametrize("params, message", [
    ({"name": ""}, None),  # empty means "not given"
    ({"extension": "abc"}, "extension must be an integer between 1 and 9999"),
    ({"country_code": "44"}, None),  # ten digits are fine for 44
    ({"country_code": "x"}, "country_code must be 1 to 4 digits, e.g. 91 or +91"),
    ({"contact_number": "98765"}, "contact_number must have 10 digits for country code 91"),
    ({"email": "bad@"}, "email must be a valid email address"),
    ({"alternate_contact_number": "9811100002"}, "alternate_cc is required when alternate_contact_number is given"),
    ({"alternate_cc": "91"}, "alternate_cc is given but the user has no alternate_contact_number"),
    ({"panel_access": "9"}, "panel_access must be 1 or 2"),
    ({"receive_calls": "yes"}, "receive_calls must be 1 or 2"),
    ({"contact_type": "pager"}, "contact_type must be one of Mobile, SIP, Landline"),
])
def test_update_validates_like_create(api, params, message):
    user = api.add()
    r = api.put(uuid=user["id"], **params)
    if message is None:
        assert r.status_code == 200, r.text
    else:
        error(r, 400, message)
        assert api.tenant.state["users"].get(user["id"]) == user


def test_a_country_code_change_is_checked_against_the_stored_number(api):
    user = api.add(country_code="44", contact_number="2071234")
    error(api.put(uuid=user["id"], country_code="91"), 400, "contact_number must have 10 digits for country code 91")


def test_alternate_cc_alone_changes_an_existing_alternate_number(api):
    user = api.add(alternate_contact_number="9811100003", alternate_cc="91")
    assert api.put(uuid=user["id"], alternate_cc="44").status_code == 200
    assert api.tenant.state["users"].get(user["id"])["alternate_cc"] == "44"


def test_update_needs_a_known_uuid(api):
    error(api.put(name="x"), 400, "uuid is required")
    error(api.put(uuid="", name="x"), 400, "uuid is required")
    error(api.put(uuid="0000000000000000", name="x"), 404, "user not found")
    error(api.client.put(PATH, json={"token": api.token, "uuid": 12}), 404, "user not found")


def test_field_errors_come_before_the_lookup(api):
    error(api.put(uuid="0000000000000000", extension="0"), 400, "extension must be an integer between 1 and 9999")


def test_the_anonymous_user_cannot_be_changed(api):
    anonymous = next(u for u in api.tenant.state["users"] if u["role"] == "anonymous")
    error(api.put(uuid=anonymous["id"], name="Someone"), 400,
          "uuid belongs to the Anonymous User, which cannot be changed")


# --- authentication and tenant isolation --------------------------------------------------------------
@pytest.mark.parametrize("method", ["GET", "POST", "PUT"])
def test_the_token_is_required_and_checked(api, method):
    unauthorized(api.client.request(method, PATH))
    unauthorized(api.client.request(method, PATH, params={"token": "nope"}))


def test_a_wrong_method_answers_the_developers_error_body(api):
    error(api.client.delete(PATH, params={"token": api.token}), 405, 'Method "DELETE" not allowed.')


def test_tenants_see_and_change_only_their_own_users(api, other):
    user = api.add(name="Private Person", extension="444")
    assert other.users(keyword="Private Person")["total_user"] == 0
    assert {u["company_id"] for u in other.users(_all=1)["data"]} == {other.tenant.company_id}
    error(other.put(uuid=user["id"], name="Hijacked"), 404, "user not found")
    assert api.tenant.state["users"].get(user["id"])["name"] == "Private Person"
    # uniqueness is per company: the other company may use the same extension and number
    twin = other.add(extension="444", contact_number=user["contact_number"])
    assert twin["company_id"] == other.tenant.company_id and twin["id"] != user["id"]


# --- hostile input --------------------------------------------------------------------------------------
KEYS = list(rules.PARAMS) + ["uuid", "keyword", "page", "page-size", "page_size", "_all"]
VALUES = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False, allow_infinity=False)
          | st.text(max_size=20)
          | st.sampled_from(["91", "+91", "9876543210", "sip", "MOBILE", "1", "2", "0", "a@b.co", "11", "-1", ""])
          | st.lists(st.text(max_size=3), max_size=2) | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
PARAMS = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), VALUES, max_size=8)
TEXT_PARAMS = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6),
                              st.text(max_size=20) | st.sampled_from(["9876543210", "91", "1", "2", "11"]),
                              max_size=8)


@pytest.fixture(scope="module")
def shared():
    app = make_app()
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, seeded_tenant(app))


def _sane(response) -> None:
    assert response.status_code < 500, response.text
    check_contract(response)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["GET", "POST", "PUT"]), params=PARAMS, with_token=st.booleans())
def test_random_json_parameters_never_yield_a_5xx(shared, method, params, with_token):
    body = {**params, "token": shared.token} if with_token else params
    _sane(shared.client.request(method, PATH, json=body))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["GET", "POST", "PUT"]), params=TEXT_PARAMS, in_query=st.booleans())
def test_random_text_parameters_never_yield_a_5xx(shared, method, params, in_query):
    params = {**params, "token": shared.token}
    if in_query:
        _sane(shared.client.request(method, PATH, params=params))
    else:
        _sane(shared.client.request(method, PATH, data=params))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=64))
def test_random_bodies_never_yield_a_5xx(shared, raw):
    _sane(shared.client.request("POST", PATH, params={"token": shared.token}, content=raw))

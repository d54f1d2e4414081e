"""GET /search/filters: the documented example body, the token check, other methods, schemas."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.developers.support import token, unauthorized, valid

OK, ERROR = "developers/filters.response", "developers/filters.error.response"

# The collection's saved example of "Log Filters List" (item 60), pasted verbatim.
DOCUMENTED = json.loads("""
{
    "status": "success",
    "code": 200,
    "filters": [
        {"id": "1", "name": "Source of logs", "parent_id": "0"},
        {"id": "2", "name": "Myoperator IVR", "parent_id": "1"},
        {"id": "3", "name": "Mobile", "parent_id": "1"},
        {"id": "4", "name": "Event of logs", "parent_id": "0"},
        {"id": "5", "name": "Incoming", "parent_id": "4"},
        {"id": "6", "name": "Outgoing", "parent_id": "4"},
        {"id": "7", "name": " Type of logs ", "parent_id": "0"},
        {"id": "8", "name": "Call", "parent_id": "7"},
        {"id": "9", "name": "SMS", "parent_id": "7"},
        {"id": "11", "name": "Status of logs", "parent_id": "0"},
        {"id": "12", "name": "Connected", "parent_id": "11"},
        {"id": "13", "name": "Missed", "parent_id": "11"},
        {"id": "14", "name": "Voicemail", "parent_id": "11"},
        {"id": "15", "name": "Tags", "parent_id": "0"},
        {"id": "21", "name": "Call property", "parent_id": "0"},
        {"id": "22", "name": "Noted", "parent_id": "21"},
        {"id": "23", "name": "Archived", "parent_id": "21"},
        {"id": "24", "name": "Star Marked", "parent_id": "21"},
        {"id": "25", "name": "Two word filters", "parent_id": "0"},
        {"id": "26", "name": "Incoming Myoperator IVR", "parent_id": "25"},
        {"id": "27", "name": "Incoming Mobile", "parent_id": "25"},
        {"id": "28", "name": "Outgoing MyOperator IVR", "parent_id": "25"},
        {"id": "29", "name": "Outgoing Mobile", "parent_id": "25"},
        {"id": "30", "name": "Incoming Call", "parent_id": "25"},
        {"id": "31", "name": "Incoming SMS", "parent_id": "25"},
        {"id": "33", "name": "Outgoing Call ", "parent_id": "25"},
        {"id": "34", "name": "Outgoing SMS", "parent_id": "25"},
        {"id": "36", "name": "Three word filters", "parent_id": "0"},
        {"id": "37", "name": "Incoming Connected Call", "parent_id": "36"},
        {"id": "38", "name": "Incoming Missed Call", "parent_id": "36"},
        {"id": "39", "name": "Unnoted", "parent_id": "21"},
        {"id": "40", "name": "ClickOcalls", "parent_id": "15"},
        {"id": "41", "name": "OBD Calls", "parent_id": "15"},
        {"id": "42", "name": "Callbacks", "parent_id": "15"}
    ]
}
""")


def test_the_documented_example_validates_and_its_quirks_are_kept():
    valid(OK, DOCUMENTED)
    names = {f["id"]: f["name"] for f in DOCUMENTED["filters"]}
    assert (len(names), names["7"], names["33"]) == (34, " Type of logs ", "Outgoing Call ")


def test_the_list_is_exactly_the_documented_body(client, tenant):
    r = client.get(f"/search/filters?token={token(tenant)}")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == DOCUMENTED
    assert list(r.json()) == ["status", "code", "filters"]
    assert [list(f) for f in r.json()["filters"]] == [["id", "name", "parent_id"]] * 34
    valid(OK, r.json())


def test_every_account_gets_the_same_list_and_it_does_not_change(client, tenant, other_tenant):
    first = client.get("/search/filters", params={"token": token(tenant)}).json()
    first["filters"].clear()  # a client mutating its copy changes nothing server-side
    again = client.get("/search/filters", params={"token": token(tenant)}).json()
    other = client.get("/search/filters", params={"token": token(other_tenant)}).json()
    assert again == other == DOCUMENTED


@pytest.mark.parametrize("send", ["json", "data"])
def test_the_token_may_come_in_the_body(client, tenant, send):
    r = client.request("GET", "/search/filters", **{send: {"token": token(tenant)}})
    assert (r.status_code, r.json()) == (200, DOCUMENTED)


def test_extra_parameters_are_ignored(client, tenant):
    r = client.get("/search/filters", params={"token": token(tenant), "page_size": "x", "filters": "((("})
    assert (r.status_code, r.json()) == (200, DOCUMENTED)


@pytest.mark.parametrize("query", ["", "?token", "?token=", "?token=%20%20",
                                   "?token=0123456789abcdef0123456789abcdef"])
def test_without_a_valid_token_it_is_the_live_400(client, query):
    r = client.get(f"/search/filters{query}")
    unauthorized(r)
    valid(ERROR, r.json())


def test_a_truncated_token_is_the_live_400(client, tenant):
    unauthorized(client.get("/search/filters", params={"token": token(tenant)[:-1]}))  # the live A.4 case


def test_another_accounts_public_api_key_is_not_a_developer_token(client, tenant):
    r = client.get("/search/filters", params={"token": tenant.api_key})
    unauthorized(r)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"])
def test_other_methods_are_a_clean_405(client, tenant, method):
    r = client.request(method, f"/search/filters?token={token(tenant)}")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"
    assert r.json() == {"status": "error", "code": 405,
                        "message": f"Method \"{method}\" not allowed: use GET /search/filters?token=<your API token>."}
    valid(ERROR, r.json())


def test_head_answers_like_get_without_a_body(client, tenant):
    r = client.head(f"/search/filters?token={token(tenant)}")
    assert r.status_code == 200 and r.content == b""


def test_a_malformed_json_body_is_a_400_in_the_developers_shape(client, tenant):
    r = client.request("GET", f"/search/filters?token={token(tenant)}", content=b"{not json",
                       headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["status"] == "error" and r.json()["code"] == 400
    valid(ERROR, r.json())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(["token", "Token", "filters", "x"]), st.text(max_size=30), max_size=3),
       method=st.sampled_from(["GET", "POST", "DELETE"]))
def test_any_request_gets_a_schema_valid_answer_never_a_500(client, query, method):
    r = client.request(method, "/search/filters", params=query)
    assert r.status_code in (200, 400, 405)
    valid(OK if r.status_code == 200 else ERROR, r.json())

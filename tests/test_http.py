"""Pagination links and the shared JSON parser (mock_server/http.py)."""

import json

import pytest

from mock_server.errors import DRF_INVALID, ApiError
from mock_server.http import EMPTY, Json, parse_json


def test_next_links_keep_repeated_query_parameters(client, tenant):
    url = "/chat/templates?category=marketing&category=utility&limit=2"
    first = client.get(url, headers=tenant.headers).json()["data"]
    seen, page = [], first
    while True:
        seen += [t["id"] for t in page["results"]]
        if not page["next"]:
            break
        assert "category=marketing" in page["next"] and "category=utility" in page["next"]
        page = client.get(page["next"], headers=tenant.headers).json()["data"]
    assert len(seen) == len(set(seen)) == first["count"] == 9


@pytest.mark.parametrize("raw", [b"NaN", b'{"a": Infinity}', b'{"a": 1e400}', b'{"a": ' + b"9" * 4400 + b"}",
                                 b'"\\ud83d"', b"\xff", b"[" * 50_000])
def test_the_parser_refuses_what_strict_json_does_not_allow(raw):
    with pytest.raises(ApiError) as refused:
        parse_json(raw, DRF_INVALID)
    assert refused.value.status == 400 and "non_field_errors" in refused.value.body["errors"]


def test_the_parser_accepts_valid_json_and_tells_empty_from_null():
    assert parse_json(b" ", DRF_INVALID) is EMPTY
    assert parse_json(b"null", DRF_INVALID) is None
    assert parse_json('{"a": "\\ud83d\\ude00 é", "b": 1.5, "c": 12345678901234567890123}'.encode(), DRF_INVALID) == \
        {"a": "😀 é", "b": 1.5, "c": 12345678901234567890123}


def test_responses_render_integers_beyond_64_bits():
    assert Json({"n": 10 ** 30}).body == b'{"n":1000000000000000000000000000000}'
    assert Json({"s": "é"}).body == '{"s":"é"}'.encode()


# --- Content-Type: DRF's parser selection on the public API ---------------------------------------
def unsupported(content_type: str) -> dict:
    detail = f'Unsupported media type "{content_type}" in request.'
    return {"status": "error", "code": "unsupported_media_type", "message": detail, "errors": {"detail": detail}}


@pytest.mark.parametrize("method, path", [("POST", "/chat/templates"), ("POST", "/chat/messages"),
                                          ("POST", "/contacts"), ("POST", "/contacts?before=&after="),
                                          ("PATCH", "/contacts/67b0d1d9d407deea596aba5c")])
@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "text/plain;charset=UTF-8",
                                          "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                          "application/merge-patch+json", "application/vnd.api+json"])
def test_a_json_body_of_another_content_type_is_drfs_415(client, tenant, method, path, content_type):
    response = client.request(method, path, headers={**tenant.headers, "Content-Type": content_type},
                              content=b'{"name": "Ravi", "country_code": "91", "phone_number": "9876500001"}')
    assert response.status_code == 415 and response.json() == unsupported(content_type)


def test_a_body_without_a_content_type_is_a_415_that_quotes_nothing(client, tenant):
    # DRF takes a missing Content-Type as "" and has no parser for it (request.data is then not read as JSON).
    response = client.post("/contacts", headers=tenant.headers, content=b'{"name": "Ravi"}')
    assert response.status_code == 415 and response.json() == unsupported("")


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "Application/JSON", "application/json;charset=UTF-8"])
def test_json_with_parameters_or_in_any_case_is_parsed(client, tenant, content_type):
    response = client.post("/contacts", headers={**tenant.headers, "Content-Type": content_type},
                           content=b'{"name": "Ravi", "country_code": "91", "phone_number": "9876500001"}')
    assert response.status_code == 200 and response.json()["message"] == "Contact Created"


def test_requests_without_a_body_are_never_refused(client, tenant):
    contact = tenant.state["contacts"].values()[0]
    for method in ("GET", "DELETE"):  # their handlers read no body: its Content-Type does not matter
        response = client.request(method, f"/contacts/{contact['id']}", content=b"<x/>",
                                  headers={**tenant.headers, "Content-Type": "application/xml"})
        assert response.status_code == 200, response.text
    search = client.post("/contacts?before=&after=", headers={**tenant.headers, "Content-Type": "text/plain"})
    assert search.status_code == 200  # no body: nothing to parse, an empty search


def test_the_media_upload_parses_forms_and_json_but_nothing_else(client, tenant):
    form = client.post("/chat/media/upload", headers=tenant.headers, data={"application": "template"})
    assert form.status_code == 400 and form.json()["errors"] == {"file": ["No file was submitted."]}
    text = client.post("/chat/media/upload", headers={**tenant.headers, "Content-Type": "text/csv"}, content=b"a,b")
    assert text.status_code == 415 and text.json() == unsupported("text/csv")


def test_the_gateways_refusals_come_before_the_415(client, tenant):
    response = client.post("/contacts", headers={"Content-Type": "text/plain"}, content=b"{}")
    assert response.status_code == 401
    wrong = {"Authorization": "Bearer wrong", "X-MYOP-COMPANY-ID": tenant.company_id, "Content-Type": "text/plain"}
    assert client.post("/contacts", headers=wrong, content=b"{}").status_code == 403


def test_a_long_content_type_is_cut_in_the_answer(client, tenant):
    response = client.post("/contacts", headers={**tenant.headers, "Content-Type": "text/" + "x" * 200}, content=b"{}")
    assert response.status_code == 415 and len(response.json()["errors"]["detail"]) < 100


def test_json_nested_beyond_the_cap_is_refused_at_parsing(client, tenant):
    # Nested 500 levels in Send Message's open `trail`, it used to be accepted, then broke the tenant's state
    # (GET …/state answered 500) and the message's lifecycle (deepcopy's recursion limit).
    body = {"phone_number_id": tenant.phone("primary")["phone_number_id"], "customer_country_code": "91",
            "customer_number": "9876543210", "reply_to": None, "myop_ref_id": None, "trail": "DEEP",
            "data": {"type": "template", "context": {"template_name": "start_chat", "language": "en"}}}
    deep = '{"x":[' * 250 + "{}" + "]}" * 250  # 500 levels: too deep for the test client's own encoder
    raw = json.dumps(body).replace('"DEEP"', deep)
    r = client.post("/chat/messages", content=raw, headers={**tenant.headers, "Content-Type": "application/json"})
    assert r.status_code == 400 and "nested deeper than 64 levels" in r.text
    assert client.get(f"/_mock/tenants/{tenant.company_id}/state").status_code == 200
    shallow = {"step": {"of": [{"journey": ["onboarding"]}]}}
    accepted = client.post("/chat/messages", json=dict(body, trail=shallow), headers=tenant.headers)
    assert accepted.status_code == 200, accepted.text
    assert parse_json(b"[" * 64 + b"]" * 64, DRF_INVALID) is not None
    with pytest.raises(ApiError):
        parse_json(b"[" * 65 + b"]" * 65, DRF_INVALID)

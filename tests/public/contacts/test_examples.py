"""Every saved example of the Contact APIs: the documented responses validate against our schemas,
and each documented request, replayed against the simulator, gets the documented status and a
schema-valid body with the documented keys."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

from mock_server import schemas
from tests.conftest import examples
from tests.public.contacts.support import fresh_phone

REQUESTS = ["Create Contact", "Create Contact with custom fields", "Search Contacts", "Fetch Contacts",
            "Fetch Contacts with custom fields", "Fetch Contact by ID", "Filter Contact by Phone Number",
            "Update Contact by Phone Number", "Update Contact by ID", "Delete Contact by ID"]
SAVED = [e for name in REQUESTS for e in examples(name)]
SUCCESS_SCHEMA = {"Search Contacts": "public/contact.search.response", "Fetch Contacts": "public/contact.list.response",
                  "Fetch Contacts with custom fields": "public/contact.list.response",
                  "Filter Contact by Phone Number": "public/contact.list.response",
                  "Delete Contact by ID": "public/contact.delete.response"}
MASKED = re.compile(r"\d*[X*x]{2,}")
UNKNOWN_ID = "67a1f59b1e0abbf2e03aa40b"


def schema_for(example: dict) -> str:
    if example["status"] >= 400:
        return "public/contact.error.response"
    return SUCCESS_SCHEMA.get(example["request"], "public/contact.response")


def test_every_contact_example_is_covered():
    assert len(SAVED) == 17
    assert {e["request"] for e in SAVED} == set(REQUESTS)


@pytest.mark.parametrize("example", SAVED, ids=[f"{e['request']}/{e['example']}" for e in SAVED])
def test_documented_responses_validate(example):
    assert schemas.field_errors(schema_for(example), json.loads(example["response"])) == {}


def test_documented_request_bodies_validate():
    for example in SAVED:
        if not example["body"]:
            continue
        body = json.loads(example["body"])
        if example["request"] == "Search Contacts":
            name = "public/contact.search.request"
        elif example["method"] == "POST":
            name = "public/contact.create.request"
        else:
            name = "public/contact.update.request"
        assert schemas.field_errors(name, body) == {}, example["example"]


def unmask(text: str) -> str:
    """Masked digits ("98723****", "9815516XXX") become a fresh ten-digit number."""
    return MASKED.sub(lambda m: fresh_phone(m.group(0)[:4] if m.group(0)[:1].isdigit() else "98"), text)


def fill_url(example: dict, tenant) -> str:
    target = next(c for c in tenant.state["contacts"] if c["custom_fields"])
    parts = urlsplit(example["url"])
    path, query = parts.path, parts.query
    found = example["status"] != 404
    if ":phone_number_with_country_code" in path:
        identifier = f"{target['country_code']}{target['phone_number']}"
        if not found:
            identifier = "12345" if example["example"] == "Invalid Phone Number" else "919999999999"
        path = path.replace(":phone_number_with_country_code", identifier)
    path = path.replace(":id", target["id"] if found else UNKNOWN_ID)
    query = re.sub(r"phone_number=\d*[X*x]+", f"phone_number={target['country_code']}{target['phone_number']}", query)
    return f"{path}?{query}" if query else path


def keys(value) -> object:
    """The documented key structure of a body (nested objects; the first item of a list)."""
    if isinstance(value, dict):
        return {k: keys(v) for k, v in value.items() if k != "custom_fields"} | (
            {"custom_fields": "present"} if "custom_fields" in value else {})
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [keys(value[0])]
    return None


@pytest.mark.parametrize("example", SAVED, ids=[f"{e['request']}/{e['example']}" for e in SAVED])
def test_documented_requests_replay(client, tenant, example):
    assert all(c["phone_number"] != "9999999999" for c in tenant.state["contacts"])
    body = unmask(example["body"]) if example["body"] else None
    # The collection sends every contacts request with Content-Type: application/json.
    r = client.request(example["method"], fill_url(example, tenant), content=body.encode() if body else None,
                       headers={**tenant.headers, "Content-Type": "application/json"})
    documented = json.loads(example["response"])
    assert r.status_code == example["status"], r.text
    assert schemas.field_errors(schema_for(example), r.json()) == {}
    if example["status"] >= 400:
        assert r.json() == documented  # the error bodies are fixed text
    else:
        assert keys(r.json()) == keys(documented)
        assert r.json()["code"] == documented["code"] and r.json()["message"] == documented["message"]
        got, want = r.json()["data"], documented["data"]
        assert list(got) == list(want)  # key order, as documented
        if want.get("results"):
            assert list(got["results"][0]) == list(want["results"][0])

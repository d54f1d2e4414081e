"""Helpers shared by the Contacts API tests."""

from __future__ import annotations

import itertools

from mock_server import schemas

_numbers = itertools.count(1)


def fresh_phone(prefix: str = "98") -> str:
    """A ten-digit number no fixture uses (fixture mobiles are random; these end in a counter)."""
    return f"{prefix}{next(_numbers):0{10 - len(prefix)}d}"


def valid(schema: str, body) -> None:
    assert schemas.field_errors(schema, body) == {}, body


def create(client, tenant, **fields) -> dict:
    body = {"name": "Test Person", "country_code": "91", "phone_number": fresh_phone(), **fields}
    r = client.post("/contacts", json=body, headers=tenant.headers)
    assert r.status_code == 200, r.text
    valid("public/contact.response", r.json())
    return r.json()["data"]


def advance(client, seconds: float) -> None:
    assert client.post("/_mock/clock/advance", json={"seconds": seconds}).status_code == 200


def search(client, tenant, body, query: str = "limit=100") -> dict:
    r = client.post(f"/contacts?{query}", json=body, headers=tenant.headers)
    assert r.status_code == 200, r.text
    valid("public/contact.search.response", r.json())
    return r.json()["data"]

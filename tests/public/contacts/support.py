"""Helpers shared by the Contacts API tests."""

from __future__ import annotations

import itertools

from starlette.testclient import TestClient

from mock_server import schemas
from tests.conftest import make_app, seeded_tenant
from tests.support import advance

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


def search(client, tenant, body, query: str = "limit=100") -> dict:
    r = client.post(f"/contacts?{query}", json=body, headers=tenant.headers)
    assert r.status_code == 200, r.text
    valid("public/contact.search.response", r.json())
    return r.json()["data"]


# --- the world of the Search Contacts tests (test_search_*.py) --------------------------------
A_CUSTOM = {"text": "Acme Corp", "text_area": "12 Baker Street", "number": "150", "age": 42, "gender": "female",
            "skills": ["php", "python"], "dob": "1992-05-10", "appointment_time": "2025-07-20 10:00:00",
            "local_user": True}
B_CUSTOM = {"text": "Globex", "text_area": "Industrial Area", "number": 20, "age": 17, "gender": "male",
            "skills": ["mysql"], "dob": "1980-01-01", "appointment_time": "2025-08-01T09:00:00Z",
            "local_user": False}


def search_world():
    """Three contacts on a manual clock: C (2025-07-15, +1, imported, inactive, no custom fields),
    B (2025-07-16) and A (2025-07-18, modified 2025-07-19), besides the 24 fixture contacts."""
    app = make_app()
    with TestClient(app, raise_server_exceptions=False) as client:
        tenant = seeded_tenant(app)
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

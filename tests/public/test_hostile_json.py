"""JSON that Python's parser accepts or chokes on but a strict API must refuse, on every JSON route."""

import pytest
from starlette.routing import Route

from mock_server import schemas
from mock_server.public.chat import routes as chat
from mock_server.public.contacts import routes as contacts

WRITES = sorted({(m, r.path) for r in [*chat.routes, *contacts.routes] if isinstance(r, Route)
                 for m in r.methods & {"POST", "PATCH"}})

HOSTILE = {
    "an integer of 5000 digits": b'{"name": ' + b"1" * 5000 + b"}",
    "NaN": b'{"name": "x", "country_code": NaN}',
    "Infinity": b'{"name": "x", "wallet": -Infinity}',
    "a float beyond range": b'{"name": "x", "n": 1e999}',
    "a lone surrogate": b'{"name": "Evil \\ud800", "country_code": "91", "phone_number": "9811100001"}',
    "a lone surrogate in a key": b'{"\\udfff": 1}',
    "deep nesting": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
}


@pytest.mark.parametrize("method,path", WRITES)
@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_json_is_refused_in_the_envelope_and_stores_nothing(client, tenant, method, path, case):
    url = path.replace("{contact_id}", "919811100001").replace("{id}", "x")
    response = client.request(method, url, content=HOSTILE[case],
                              headers={**tenant.headers, "Content-Type": "application/json"})
    assert response.status_code == 400, (case, response.text[:200])
    assert schemas.field_errors("public/error.response", response.json()) == {}
    assert "non_field_errors" in (response.json().get("errors") or response.json().get("error"))
    assert client.get("/contacts?phone_number=9811100001", headers=tenant.headers).json()["data"]["count"] == 0
    assert client.get(f"/_mock/tenants/{tenant.company_id}/state").status_code == 200


def test_an_integer_beyond_64_bits_in_a_stored_document_still_renders(client, tenant):
    # A 30-digit integer is valid JSON; it may be stored (a message's payload) and must render back.
    pnid = tenant.phone("primary")["phone_number_id"]
    client.post(f"/_mock/tenants/{tenant.company_id}/inbound",
                json={"phone_number_id": pnid, "customer_country_code": "91", "customer_number": "9811100001",
                      "text": "hi"})
    body = {"phone_number_id": pnid, "customer_country_code": "91", "customer_number": "9811100001",
            "myop_ref_id": None, "trail": {"name": None, "big": 10 ** 30},
            "data": {"type": "text", "context": {"body": "hello"}}}
    assert client.post("/chat/messages", json=body, headers=tenant.headers).status_code == 200
    messages = client.get(f"/_mock/tenants/{tenant.company_id}/messages")
    assert messages.status_code == 200 and str(10 ** 30) in messages.text

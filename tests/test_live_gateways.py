"""The gateways as production clients meet them: a served simulator, sent what those clients send
(OBSERVED.md B11-B14, B18, C20), each answer checked against the contract."""

import http.client
import json

import httpx
import pytest

from tests.conftest import check_contract
from tests.server import free_port, start_server, stop

TTL = 600  # --obd-reference-ttl, so the lock's end is reached with one clock advance


@pytest.fixture(scope="module")
def served():
    port = free_port()
    process = start_server(port, "--obd-reference-ttl", str(TTL))
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", event_hooks={"response": [check_contract]}) as client:
        yield client, client.get("/_mock/tenants").json()["tenants"][0]
    stop(process)


def obd_body(tenant, **fields) -> dict:
    """What a production client posts: every optional field present, the unused ones as empty strings."""
    ivr = next(i for i in tenant["ivrs"] if i["label"] == "main")
    agent = next(u for u in tenant["users"] if u["role"] == "agent")
    return {"company_id": tenant["company_id"], "secret_token": ivr["secret_token"], "type": "1",
            "number": "+919389559274", "public_ivr_id": ivr["public_ivr_id"], "user_id": agent["uuid"],
            "reference_id": "", "region": "", "caller_id": "", "group": "", "max_call_duration": 300,
            "call_hold": True, **fields}


def place(served, **fields) -> httpx.Response:
    client, tenant = served
    return client.post("/obd-api-v1", json=obd_body(tenant, **fields), headers={"x-api-key": tenant["obd_api_key"]})


def test_empty_optional_fields_are_accepted_as_not_given(served):
    r = place(served)
    assert r.status_code == 200, r.text
    assert r.json()["details"] == "Request accepted successfully" and r.json()["reference_id"] is None
    assert place(served).status_code == 200  # "" takes no reference lock


def test_max_call_duration_as_text_is_the_gateways_400(served):
    r = place(served, max_call_duration="300")
    assert r.status_code == 400
    assert r.json() == {"message": '[instance type (string) does not match any allowed primitive type '
                                   '(allowed: ["integer"])]'}


@pytest.mark.parametrize("number", ["9389559274", "919389559274"])
def test_a_number_without_plus_and_country_code_is_refused(served, number):
    r = place(served, number=number)
    assert r.status_code == 400
    assert r.json()["details"] == "Provide valid Number in string format" and r.json()["status"] == "error"


def test_a_reused_reference_is_locked_for_the_configured_ttl(served):
    client, _ = served
    assert place(served, reference_id="crm-77").status_code == 200
    again = place(served, reference_id="crm-77")
    assert again.status_code == 403 and again.json()["remaining_ttl"] == TTL
    client.post("/_mock/clock/advance", json={"seconds": TTL})
    assert place(served, reference_id="crm-77").status_code == 200


def test_the_anonymous_dialer_off_for_the_company(served):
    client, tenant = served
    client.patch(f"/_mock/tenants/{tenant['company_id']}", json={"obd_anonymous_enabled": False})
    try:
        r = place(served, user_id="", number_2="+919812345678")
        assert r.status_code == 403 and r.json()["details"] == "Your annonymous feature is not enabled"
    finally:
        client.patch(f"/_mock/tenants/{tenant['company_id']}", json={"obd_anonymous_enabled": True})


def whatsapp(served, headers: dict) -> httpx.Response:
    client, tenant = served
    return client.get("/chat/templates", headers={"X-MYOP-COMPANY-ID": tenant["company_id"], **headers})


def sent_by_urllib(served, headers: dict) -> tuple[int, dict]:
    """GET /chat/templates through the standard library, which (as requests and urllib do) sends a header value
    as given: "Bearer " keeps its space, where httpx refuses to send it."""
    client, tenant = served
    connection = http.client.HTTPConnection("127.0.0.1", client.base_url.port, timeout=30)
    try:
        connection.request("GET", "/chat/templates", headers={"X-MYOP-COMPANY-ID": tenant["company_id"], **headers})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_lowercase_or_empty_bearer_is_the_explicit_deny(served):
    _, tenant = served
    deny = {"Message": "User is not authorized to access this resource with an explicit deny in an identity-based policy"}
    for authorization in (f"bearer {tenant['api_key']}", "Bearer ", "Bearer"):
        assert sent_by_urllib(served, {"Authorization": authorization}) == (403, deny), authorization
    r = whatsapp(served, {"Authorization": f"bearer {tenant['api_key']}"})  # and checked against the contract
    assert (r.status_code, r.json()) == (403, deny)
    assert whatsapp(served, {"Authorization": f"Bearer {tenant['api_key']}"}).status_code == 200


def test_an_x_api_key_instead_of_bearer_is_unauthorized(served):
    _, tenant = served
    r = whatsapp(served, {"x-api-key": tenant["api_key"]})
    assert (r.status_code, r.json()) == (401, {"message": "Unauthorized"})

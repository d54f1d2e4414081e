"""The simulator as users run it: a real uvicorn process on loopback."""

import httpx
import pytest

from tests.server import free_port, start_server, stop


@pytest.fixture(scope="module")
def served():
    port = free_port()
    process = start_server(port)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        tenant = client.get("/_mock/tenants").json()["tenants"][0]
        client.headers.update({"Authorization": f"Bearer {tenant['api_key']}", "X-MYOP-COMPANY-ID": tenant["company_id"]})
        yield client
    stop(process)


def test_the_journal_keeps_bodies_the_endpoint_never_read(served):
    served.delete("/_mock/journal")
    assert served.put("/chat/phonenumbers", json={"a": 1}).status_code == 405
    served.post("/_mock/faults", json={"path": "/chat/messages", "method": "POST"})
    assert served.post("/chat/messages", json={"b": 2}).status_code == 500
    bodies = [(e["status"], e["body"]) for e in served.get("/_mock/journal").json()["requests"]]
    assert bodies == [(405, '{"a":1}'), (500, '{"b":2}')]


def test_a_request_after_a_refused_body_on_the_same_connection_works(served):
    assert served.post("/chat/phonenumbers", content=b"x" * 200_000).status_code == 405
    assert served.get("/chat/phonenumbers").status_code == 200

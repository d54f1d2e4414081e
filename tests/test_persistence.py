"""With --data-dir, every acknowledged write survives a restart, including kill -9."""

from __future__ import annotations

import os
import signal

import httpx
from starlette.testclient import TestClient

from tests.conftest import make_app
from tests.server import free_port, start_server, stop
from tests.support import ctx_of


def acknowledged_writes(client, tenant: dict) -> dict:
    """A write of every kind; each status assertion is the acknowledgement. Returns what to look for."""
    cid = tenant["company_id"]
    pnid = next(p["phone_number_id"] for p in tenant["phone_numbers"] if p["role"] == "primary")
    waba = next(w["waba_id"] for w in tenant["waba_accounts"] if w["role"] == "primary")
    auth = {"Authorization": f"Bearer {tenant['api_key']}", "X-MYOP-COMPANY-ID": cid}
    disabled = next(p["phone_number_id"] for p in tenant["phone_numbers"] if p["role"] == "disabled")
    assert client.patch(f"/_mock/tenants/{cid}/phonenumbers/{disabled}", json={"status": "active"}).status_code == 200
    contact = client.post("/contacts", headers=auth, json={"name": "Kept", "country_code": "91", "phone_number": "9811122233"})
    assert contact.status_code == 200
    template = client.post("/chat/templates", headers=auth, json={
        "name": "kept_template", "language": "en", "category": "utility", "waba_id": waba,
        "components": [{"type": "BODY", "text": "Your order {{1}} has shipped today.", "example": {"1": "A1"}}]})
    assert template.status_code == 201
    inbound = {"phone_number_id": pnid, "customer_country_code": "91", "customer_number": "9811122233", "text": "hi"}
    assert client.post(f"/_mock/tenants/{cid}/inbound", json=inbound).status_code == 201
    sent = client.post("/chat/messages", headers=auth, json={
        "phone_number_id": pnid, "customer_country_code": "91", "customer_number": "9811122233",
        "data": {"type": "text", "context": {"body": "hello"}}})
    assert sent.status_code == 200
    assert client.delete(f"/chat/templates/{tenant_template(client, auth, 'winter_promo')}", headers=auth).status_code == 200
    assert client.patch(f"/_mock/tenants/{cid}", json={"wallet_balance": 42.5}).status_code == 200
    return {"auth": auth, "disabled": disabled, "contact": contact.json()["data"]["id"], "template": template.json()["data"]["id"],
            "message": sent.json()["data"]["message_id"], "cid": cid}


def tenant_template(client, auth, name) -> str:
    return client.get(f"/chat/templates?name={name}", headers=auth).json()["data"]["results"][0]["id"]


def assert_writes_kept(client, kept: dict) -> None:
    auth, cid = kept["auth"], kept["cid"]
    state = client.get(f"/_mock/tenants/{cid}").json()
    assert state["wallet_balance"] == 42.5
    assert next(p for p in state["phone_numbers"] if p["phone_number_id"] == kept["disabled"])["status"] == "active"
    assert client.get(f"/contacts/{kept['contact']}", headers=auth).json()["data"]["name"] == "Kept"
    template = client.get(f"/chat/templates/{kept['template']}", headers=auth).json()["data"]
    assert template["waba_template_status"] == "pending"
    pending = client.get("/_mock/clock").json()["pending"]
    assert [j["payload"] for j in pending if j["action"] == "template.review"] == [{"template_id": kept["template"]}]
    assert [j["payload"]["index"] for j in pending if j["action"] == "scenario.step"] == [1, 2, 3]  # sent, delivered, read
    messages = client.get(f"/_mock/tenants/{cid}/messages").json()["messages"]
    assert next(m for m in messages if m["id"] == kept["message"])["status"] == "accepted"
    assert client.get("/chat/templates?name=winter_promo", headers=auth).json()["data"]["count"] == 0
    # the review and the message's delivery lifecycle still happen after the restart
    client.post("/_mock/clock/advance", json={"seconds": 3600})
    assert client.get(f"/chat/templates/{kept['template']}", headers=auth).json()["data"]["waba_template_status"] == "approved"
    messages = client.get(f"/_mock/tenants/{cid}/messages").json()["messages"]
    assert next(m for m in messages if m["id"] == kept["message"])["status"] == "read"


def test_restart_with_the_same_data_dir_keeps_every_write(tmp_path):
    with TestClient(make_app(data_dir=tmp_path)) as client:
        kept = acknowledged_writes(client, client.get("/_mock/tenants").json()["tenants"][0])
    with TestClient(make_app(data_dir=tmp_path)) as client:
        assert_writes_kept(client, kept)
        client.post("/_mock/reset")
        assert client.get(f"/_mock/tenants/{kept['cid']}").json()["wallet_balance"] == 500.0
    with TestClient(make_app(data_dir=tmp_path)) as client:  # the reset itself was durable
        assert client.get(f"/_mock/tenants/{kept['cid']}").json()["wallet_balance"] == 500.0
        assert client.get(f"/contacts/{kept['contact']}", headers=kept["auth"]).status_code == 404


def test_pending_timed_changes_survive_a_restart(tmp_path):
    app = make_app(data_dir=tmp_path)
    ctx = ctx_of(app)
    tenant = next(iter(ctx.store.tenants.values()))
    ctx.schedule(tenant, 30, "probe", {"n": 1})
    restarted = make_app(data_dir=tmp_path).state.ctx
    assert [(j.action, j.payload) for j in restarted.scheduler.pending()] == [("probe", {"n": 1})]


def test_kill_dash_9_right_after_an_acknowledged_write_loses_nothing(tmp_path):
    port = free_port()
    server = start_server(port, "--data-dir", str(tmp_path))
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            kept = acknowledged_writes(client, client.get("/_mock/tenants").json()["tenants"][0])
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        server = start_server(port, "--data-dir", str(tmp_path))
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            assert_writes_kept(client, kept)
    finally:
        stop(server)


def test_a_restarted_manual_clock_resumes_where_it_stood(tmp_path):
    with TestClient(make_app(data_dir=tmp_path)) as client:
        client.post("/_mock/clock/advance", json={"seconds": 2 * 86400})
        moved = client.get("/_mock/clock").json()["now"]
        assert moved == "2025-07-17T10:00:00.000000Z"
    with TestClient(make_app(data_dir=tmp_path)) as client:
        assert client.get("/_mock/clock").json()["now"] == moved

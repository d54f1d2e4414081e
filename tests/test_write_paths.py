"""Every write path is one unit of work: a failure injected late in it leaves memory as it was, equal
to what a restart reads from disk, and the API answers a clean error (issue 9, item 3)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mock_server import steps
from mock_server.store import Collection, SqliteBackend, Store
from mock_server.webhooks import dispatcher
from tests.conftest import make_app, seeded_tenant
from tests.obd.support import Obd
from tests.support import ctx_of


class Injected(RuntimeError):
    pass


@pytest.fixture
def served(tmp_path):
    app = make_app(data_dir=tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield app, client, seeded_tenant(app)


def on_disk(tmp_path, company_id: str) -> dict:
    store = Store(SqliteBackend(tmp_path / "state.sqlite3"))
    store.restore()
    try:
        return store.tenant(company_id).dump()
    finally:
        store.backend.close()


def fail_after_writing(monkeypatch, kind: str) -> None:
    """The next write of ``kind`` happens, then raises (a failure late in the path, after earlier writes)."""
    put = Collection.put

    def put_then_fail(self, doc):
        put(self, doc)
        if self.kind == kind:
            raise Injected(f"after writing {kind}")
    monkeypatch.setattr(Collection, "put", put_then_fail)


def public_500(response) -> None:
    assert response.status_code == 500
    assert response.json() == {"status": "error", "code": "500", "message": "Internal Server Error", "errors": {}}


def customer_wrote(client, tenant):
    """A customer message first, so a free-form text may be sent (the 24-hour window is open)."""
    inbound = {"phone_number_id": tenant.phone("primary")["phone_number_id"], "customer_country_code": "91",
               "customer_number": "9811122233", "text": "hi"}
    assert client.post(f"/_mock/tenants/{tenant.company_id}/inbound", json=inbound).status_code == 201


def send(client, tenant):
    return client.post("/chat/messages", headers=tenant.headers, json={
        "phone_number_id": tenant.phone("primary")["phone_number_id"], "customer_country_code": "91",
        "customer_number": "9811122233", "data": {"type": "text", "context": {"body": "hello"}}})


def create_template(client, tenant):
    return client.post("/chat/templates", headers=tenant.headers, json={
        "name": "unit_of_work", "language": "en", "category": "utility", "waba_id": tenant.waba_id(),
        "components": [{"type": "BODY", "text": "Your order {{1}} has shipped.", "example": {"1": "A1"}}]})


def create_contact(client, tenant):
    return client.post("/contacts", headers=tenant.headers,
                       json={"name": "Half", "country_code": "91", "phone_number": "9811122244"})


@pytest.mark.parametrize("prepare,call,last_write", [
    (customer_wrote, send, "account"),  # the wallet debit, after the conversation and the message
    (None, create_template, "templates"),  # after its review job
    (None, create_contact, "contacts")])
def test_a_failed_public_write_keeps_nothing(served, tmp_path, monkeypatch, prepare, call, last_write):
    app, client, tenant = served
    if prepare:
        prepare(client, tenant)
    before, jobs = tenant.state.dump(), ctx_of(app).scheduler.pending()
    fail_after_writing(monkeypatch, last_write)
    public_500(call(client, tenant))
    assert tenant.state.dump() == before == on_disk(tmp_path, tenant.company_id)
    assert ctx_of(app).scheduler.pending() == jobs


def test_a_failed_obd_placement_keeps_nothing(served, tmp_path, monkeypatch):
    app, client, tenant = served
    obd = Obd(client, tenant)
    before, jobs = tenant.state.dump(), ctx_of(app).scheduler.pending()
    fail_after_writing(monkeypatch, "ivrs")  # the IVR's usage count: the last write of a placement
    response = obd.call(obd.body(reference_id="crm-9"))
    assert response.status_code == 500
    assert response.json()["details"] == "Internal Server Error" and response.json()["reference_id"] == "crm-9"
    assert tenant.state.dump() == before == on_disk(tmp_path, tenant.company_id)
    assert ctx_of(app).scheduler.pending() == jobs


def run_incoming(client, tenant):
    response = client.post("/_mock/scenarios/incoming-answered/run", json={"company_id": tenant.company_id})
    assert response.status_code == 201, response.text
    return response.json()


def assert_only_the_failed_run_is_new(app, tenant, tmp_path, before: dict, run: dict) -> None:
    """Memory equals disk, and only the run itself is new: no call, no event, no delivery, no job of it."""
    after = tenant.state.dump()
    assert after == on_disk(tmp_path, tenant.company_id)
    assert {k: v for k, v in after.items() if k != "scenario_runs"} == before
    assert [r["id"] for r in after["scenario_runs"]][-1] == run["id"]
    assert all(j.payload.get("run_id") != run["id"] for j in ctx_of(app).scheduler.pending(tenant.company_id))


def test_a_failed_step_keeps_nothing_it_wrote_and_the_run_records_the_failure(served, tmp_path, monkeypatch):
    app, client, tenant = served
    start = steps.ACTIONS["call.start"]

    def start_then_fail(step):
        start(step)  # the call is stored and call.initiated emitted, then the step fails
        raise Injected("after starting the call")
    monkeypatch.setitem(steps.ACTIONS, "call.start", start_then_fail)
    before = tenant.state.dump()
    run = run_incoming(client, tenant)
    assert run["status"] == "failed" and "after starting the call" in run["error"]
    assert_only_the_failed_run_is_new(app, tenant, tmp_path, before, run)


def test_a_webhook_body_strict_rejects_keeps_nothing_of_its_step(served, tmp_path, monkeypatch):
    app, client, tenant = served
    # call.initiated checked against call.end's schema: a genuine --strict failure at emit time.
    real = dispatcher.schema_name
    monkeypatch.setattr(dispatcher, "schema_name",
                        lambda event_type, fmt: real("call.end" if event_type == "call.initiated" else event_type, fmt))
    before = tenant.state.dump()
    run = run_incoming(client, tenant)
    assert run["status"] == "failed" and "breaks its schema" in run["error"]
    assert_only_the_failed_run_is_new(app, tenant, tmp_path, before, run)

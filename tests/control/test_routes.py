from mock_server import schemas
from tests.moments import moment
from tests.conftest import seeded_tenant
from tests.support import ctx_of


def test_tenants_lists_both_companies_with_credentials_and_roles(client, tenant, other_tenant):
    tenants = client.get("/_mock/tenants").json()["tenants"]
    assert [(t["company_id"], t["api_key"]) for t in tenants] == \
        [(tenant.company_id, tenant.api_key), (other_tenant.company_id, other_tenant.api_key)]
    assert {p["role"] for p in tenants[0]["phone_numbers"]} >= {"primary", "disabled", "not_connected"}


def test_state_can_be_changed_and_reset(client, tenant):
    pnid = tenant.phone("primary")["phone_number_id"]
    r = client.patch(f"/_mock/tenants/{tenant.company_id}", json={"wallet_balance": 0, "service_active": False})
    assert r.status_code == 200 and r.json()["wallet_balance"] == 0 and r.json()["service_active"] is False
    r = client.patch(f"/_mock/tenants/{tenant.company_id}/phonenumbers/{pnid}", json={"status": "disabled"})
    assert r.status_code == 200
    r = client.patch(f"/_mock/tenants/{tenant.company_id}/wabas/{tenant.waba_id()}", json={"waba_review_status": "rejected"})
    assert r.status_code == 200
    dumped = client.get(f"/_mock/tenants/{tenant.company_id}/state").json()["state"]
    assert dumped["account"][0]["wallet_balance"] == 0
    assert next(p for p in dumped["phone_numbers"] if p["phone_number_id"] == pnid)["status"] == "disabled"

    assert client.post(f"/_mock/tenants/{tenant.company_id}/reset").json() == {"reset": [tenant.company_id]}
    restored = client.get(f"/_mock/tenants/{tenant.company_id}").json()
    assert restored["wallet_balance"] == 500.0 and restored["service_active"] is True
    assert next(p for p in restored["phone_numbers"] if p["phone_number_id"] == pnid)["status"] == "active"


def test_reset_all_restores_every_tenant(client, tenant, other_tenant):
    for t in (tenant, other_tenant):
        client.patch(f"/_mock/tenants/{t.company_id}", json={"wallet_balance": 1})
    assert client.post("/_mock/reset").json()["reset"] == [tenant.company_id, other_tenant.company_id]
    assert all(t["wallet_balance"] == 500.0 for t in client.get("/_mock/tenants").json()["tenants"])


def test_bad_control_input_is_a_clear_400_or_404(client, tenant):
    r = client.patch(f"/_mock/tenants/{tenant.company_id}", json={"wallet_balance": "lots"})
    assert r.status_code == 400 and r.json()["errors"] == {"wallet_balance": ["A number from -1e+12 to 1e+12 is required."]}
    r = client.patch(f"/_mock/tenants/{tenant.company_id}", json={"wallet_balance": 9 * 10 ** 400})
    assert r.status_code == 400 and "wallet_balance" in r.json()["errors"]
    assert client.get("/_mock/journal?status=²").status_code == 400
    r = client.patch(f"/_mock/tenants/{tenant.company_id}/phonenumbers/{tenant.phone('primary')['phone_number_id']}",
                     json={"status": "sleepy"})
    assert r.status_code == 400 and "status" in r.json()["errors"]
    r = client.patch(f"/_mock/tenants/{tenant.company_id}", content=b"{not json")
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    assert client.get("/_mock/tenants/nope/state").status_code == 404
    assert client.post("/_mock/tenants/nope/reset").status_code == 404


def test_journal_records_api_requests_and_filters_them(client, tenant):
    client.get("/chat/phonenumbers?limit=2", headers=tenant.headers)
    client.get("/chat/phonenumbers", headers={"X-MYOP-COMPANY-ID": tenant.company_id})
    client.get("/_mock/tenants")  # the control plane is not journaled
    entries = client.get("/_mock/journal").json()["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == \
        [("GET", "/chat/phonenumbers", 200), ("GET", "/chat/phonenumbers", 401)]
    assert entries[0]["query"] == {"limit": "2"} and entries[0]["company_id"] == tenant.company_id
    assert entries[0]["time"] == moment("2025-07-15T10:00:00.000000Z")  # the manual clock's time
    assert [e["status"] for e in client.get("/_mock/journal?status=401").json()["requests"]] == [401]
    assert client.get("/_mock/journal?path=/chat/*&method=get").json()["requests"] == entries
    assert client.get("/_mock/journal?status=abc").status_code == 400
    client.delete("/_mock/journal")
    assert client.get("/_mock/journal").json()["requests"] == []


def test_journal_records_the_tenant_obd_and_developers_requests_authenticated_as(client, tenant, other_tenant):
    """Neither API sends X-MYOP-COMPANY-ID: the x-api-key and the token say whose request it was."""
    ivr = tenant.state["ivrs"].find(lambda i: i["label"] == "main")
    client.post("/obd-api-v1", headers={"x-api-key": tenant.state.account["obd_api_key"]},
                json={"company_id": tenant.company_id, "secret_token": ivr["secret_token"], "type": "2",
                      "number": "+919876543210", "public_ivr_id": ivr["id"]})
    client.get(f"/search/filters?token={other_tenant.state.account['developer_token']}")
    client.get("/search/filters?token=unknown")  # authenticated as nobody
    entries = client.get("/_mock/journal").json()["requests"]
    assert [(e["path"], e["status"], e["company_id"]) for e in entries] == [
        ("/obd-api-v1", 200, tenant.company_id), ("/search/filters", 200, other_tenant.company_id),
        ("/search/filters", 400, None)]
    assert [e["path"] for e in client.get(f"/_mock/journal?company_id={other_tenant.company_id}").json()["requests"]] \
        == ["/search/filters"]


def test_journal_is_bounded():
    from starlette.testclient import TestClient

    from tests.conftest import make_app
    app = make_app(journal_size=3)
    tenant = seeded_tenant(app)
    with TestClient(app) as client:
        for limit in range(1, 6):
            client.get(f"/chat/phonenumbers?limit={limit}", headers=tenant.headers)
        assert [e["query"]["limit"] for e in client.get("/_mock/journal").json()["requests"]] == ["3", "4", "5"]


def test_journal_keeps_request_bodies(client, tenant):
    client.post("/chat/phonenumbers", headers=tenant.headers, json={"hello": "world"})
    entry = client.get("/_mock/journal").json()["requests"][-1]
    assert entry["body"] == '{"hello":"world"}' and entry["status"] == 405


def test_clock_advances_only_in_manual_mode_and_only_forward(client):
    assert client.get("/_mock/clock").json()["now"] == moment("2025-07-15T10:00:00.000000Z")
    r = client.post("/_mock/clock/advance", json={"seconds": 90})
    assert r.json()["now"] == moment("2025-07-15T10:01:30.000000Z")
    r = client.post("/_mock/clock/advance", json={"to": "2025-07-16T00:00:00Z"})
    assert r.json()["now"] == moment("2025-07-16T00:00:00.000000Z")
    assert client.post("/_mock/clock/advance", json={"to": "2025-07-01T00:00:00Z"}).status_code == 400
    assert client.post("/_mock/clock/advance", json={"seconds": -1}).status_code == 400
    assert client.post("/_mock/clock/advance", json={}).status_code == 400
    r = client.post("/_mock/clock/advance", json={"to": "9999-12-31T23:59:00Z"})
    assert r.status_code == 400 and r.json()["errors"] == {"to": ["The clock stops before 2100-01-01T00:00:00.000000Z."]}
    assert client.post("/_mock/clock/advance", json={"to": "2099-12-31T00:00:00Z"}).status_code == 200
    assert client.post("/_mock/clock/advance", json={"seconds": 2 * 86400}).status_code == 400  # past 2100


def test_real_clock_cannot_be_advanced():
    from starlette.testclient import TestClient

    from mock_server import Settings, create_app
    with TestClient(create_app(Settings(clock="real"))) as client:
        r = client.post("/_mock/clock/advance", json={"seconds": 1})
        assert r.status_code == 409 and "--clock manual" in r.json()["message"]


def test_injected_fault_answers_once_then_the_endpoint_works_again(client, tenant):
    r = client.post("/_mock/faults", json={"method": "GET", "path": "/chat/phonenumbers", "status": 500})
    assert r.status_code == 201
    r = client.get("/chat/phonenumbers", headers=tenant.headers)
    assert r.status_code == 500 and r.text == "Internal Server Error"
    assert client.get("/chat/phonenumbers", headers=tenant.headers).status_code == 200
    assert client.get("/_mock/faults").json() == {"faults": []}
    assert client.post("/_mock/faults", json={"path": "nope"}).status_code == 400
    assert client.post("/_mock/faults", json={"path": "/x", "status": 200}).status_code == 400
    assert client.post("/_mock/faults", json={"path": "/x", "content_type": "text/plain\r\nX: 1"}).status_code == 400
    assert client.post("/_mock/faults", json={"path": "/x", "body": {"not": "text"}}).status_code == 400


def test_a_gateway_outage_preset_answers_the_live_500_for_a_while_then_recovers(client, tenant):
    r = client.post("/_mock/faults", json={"preset": "gateway-outage", "path": "/chat/messages", "seconds": 60})
    assert r.status_code == 201
    (rule,) = r.json()["faults"]
    assert (rule["status"], rule["times"], rule["until"]) == (500, None, moment("2025-07-15T10:01:00.000000Z"))
    for _ in range(3):  # every request while it lasts, in the live gateway's words
        down = client.post("/chat/messages", headers=tenant.headers, json={})
        assert (down.status_code, down.headers["content-type"], down.json()) == (500, "application/json",
                                                                                 {"message": None})
    assert client.get("/chat/phonenumbers", headers=tenant.headers).status_code == 200  # other paths are up
    assert client.post("/_mock/clock/advance", json={"seconds": 59}).status_code == 200
    assert client.post("/chat/messages", headers=tenant.headers, json={}).status_code == 500
    assert client.post("/_mock/clock/advance", json={"seconds": 1}).status_code == 200
    assert client.post("/chat/messages", headers=tenant.headers, json={}).status_code == 400  # up again: our 400
    assert client.get("/_mock/faults").json() == {"faults": []}
    # The whole public API by default, for 45 minutes (the outage observed); a count ends it sooner.
    (rule,) = client.post("/_mock/faults", json={"preset": "gateway-outage", "times": 2}).json()["faults"]
    assert (rule["path"], rule["method"], rule["times"]) == ("/chat/*", "*", 2)
    assert rule["until"] == moment("2025-07-15T10:46:00.000000Z")
    assert client.post("/_mock/faults", json={"preset": "nope"}).status_code == 400
    assert client.post("/_mock/faults", json={"preset": ["gateway-outage"]}).status_code == 400
    assert client.post("/_mock/faults", json={"path": "/x", "seconds": 0}).status_code == 400
    assert client.post("/_mock/faults", json={"path": "/x", "seconds": "long"}).status_code == 400


def test_unknown_paths_and_methods_answer_in_the_public_envelope(client, tenant):
    r = client.get("/chat/unknown", headers=tenant.headers)
    assert r.status_code == 404 and schemas.field_errors("public/error.response", r.json()) == {}
    r = client.put("/chat/phonenumbers", headers=tenant.headers)
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"


def test_health_answers_version_clock_and_uptime(app, client):
    from mock_server import __version__
    body = client.get("/_mock/health").json()
    assert schemas.field_errors("control/health.response", body) == {}
    assert body["version"] == __version__ and body["status"] == "ok"
    assert body["clock"] == {"mode": "manual", "now": moment(ctx_of(app).fixtures["reference_time"])}
    ctx_of(app).started_monotonic -= 3600  # as if the server had started an hour ago
    assert client.get("/_mock/health").json()["uptime"] >= 3600


def test_health_shows_a_real_clock():
    from starlette.testclient import TestClient

    from tests.conftest import make_app
    with TestClient(make_app(clock="real")) as client:
        assert client.get("/_mock/health").json()["clock"]["mode"] == "real"


def test_control_plane_lists_are_bounded_pages(client, tenant):
    for n in range(3):
        assert client.post(f"/_mock/scenarios/whatsapp-received/run", json={
            "company_id": tenant.company_id, "params": {"text": f"hello {n}"}}).status_code == 201
    url = f"/_mock/tenants/{tenant.company_id}"
    first = client.get(f"{url}/messages", params={"limit": 2}).json()
    assert schemas.field_errors("control/message.list.response", first) == {}
    assert (first["count"], len(first["messages"]), first["previous"]) == (3, 2, None)
    rest = client.get(first["next"]).json()
    assert [m["payload"]["context"]["body"] for m in first["messages"] + rest["messages"]] == [
        "hello 0", "hello 1", "hello 2"] and rest["next"] is None
    runs = client.get(f"{url}/scenario-runs", params={"limit": 1, "offset": 1}).json()
    assert (runs["count"], len(runs["runs"])) == (3, 1) and runs["next"] and runs["previous"]
    assert len(client.get(f"{url}/messages", params={"limit": 5000}).json()["messages"]) == 3  # capped at 1000
    assert client.get(f"{url}/messages", params={"limit": 0}).status_code == 400
    assert client.get(f"{url}/scenario-runs", params={"offset": "x"}).status_code == 400

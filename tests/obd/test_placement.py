"""An accepted OBD request is a call session, played out on the clock with the default outcome."""

import pytest

from mock_server import schemas
from mock_server.clock import parse_iso
from mock_server.domain import call_log
from tests.obd.support import Obd


@pytest.fixture
def obd(client, tenant):
    return Obd(client, tenant)


def place(obd, **kwargs):
    response = obd.call(obd.body(**kwargs))
    assert response.status_code == 200, response.json()
    return response.json()["unique_id"]


def session_of(tenant, unique_id):
    request = tenant.state["obd_requests"].get(unique_id)
    return tenant.state["calls"].get(request["session_id"])


@pytest.mark.parametrize("dialer,first", [("user", "agent"), ("anonymous", "agent"), ("ivr", "customer")])
def test_the_call_starts_now_and_finishes_on_the_clock(obd, client, tenant, dialer, first):
    unique_id = place(obd, dialer=dialer, reference_id=f"crm-{dialer}")
    live = session_of(tenant, unique_id)
    assert live["category"] == "obd" and live["state"] == "initiated" and live["status"] is None
    assert live["ref_id"] == unique_id and live["client_ref_id"] == f"crm-{dialer}" and live["legs"] == []

    client.post("/_mock/clock/advance", json={"seconds": 600})
    done = session_of(tenant, unique_id)
    assert done["state"] == "ended" and done["status"] == "bridged" and done["recording"] == f"{done['id']}.mp3"
    assert done["legs"][0]["type"] == first and done["customer"]["number"] == "+919876543210"
    assert done["obd_campaign"]["id"] == obd.ivrs["main"]["id"]
    log = call_log.render(done, call_log.tenant_bits(tenant.company_id, tenant.state["users"].values(),
                                                     tenant.state["departments"].values()))
    assert schemas.field_errors("webhooks/legacy.call_log", log) == {}
    assert log["_ri"] == unique_id and log["_cri"] == f"crm-{dialer}" and log["_ivid"] == obd.ivrs["main"]["id"]


def test_the_user_dialer_rings_that_user_and_the_anonymous_dialer_number_2(obd, client, tenant):
    user_call = place(obd, dialer="user")
    anonymous_call = place(obd, dialer="anonymous")
    client.post("/_mock/clock/advance", json={"seconds": 600})
    agent_leg = session_of(tenant, user_call)["legs"][0]
    assert agent_leg["user_id"] == obd.agent["id"]
    assert agent_leg["phone"] == f"+91{obd.agent['contact_number']}"
    assert session_of(tenant, anonymous_call)["legs"][0]["phone"] == "+919812345678"


def test_max_call_duration_cuts_the_conversation(obd, client, tenant):
    unique_id = place(obd, max_call_duration=10)
    client.post("/_mock/clock/advance", json={"seconds": 600})
    customer = next(leg for leg in session_of(tenant, unique_id)["legs"] if leg["type"] == "customer")
    assert 0 < customer["talk_duration"] <= 10


def test_the_end_of_a_call_survives_a_restart(tmp_path):
    from starlette.testclient import TestClient

    from tests.conftest import Tenant, make_app
    app = make_app(data_dir=tmp_path)
    tenant = Tenant(app, list(app.state.ctx.store.tenants)[0])
    with TestClient(app) as client:
        unique_id = place(Obd(client, tenant), dialer="user")
    app = make_app(data_dir=tmp_path)
    tenant = Tenant(app, tenant.company_id)
    with TestClient(app) as client:
        assert session_of(tenant, unique_id)["state"] != "ended"
        client.post("/_mock/clock/advance", json={"seconds": 600})
        assert session_of(tenant, unique_id)["state"] == "ended"


def test_a_user_created_through_the_developers_api_can_be_dialled(obd, client, tenant):
    token = tenant.state.account["developer_token"]
    created = client.post("/search/user", data={"token": token, "name": "New Agent", "contact_number": "9811177777",
                                                "country_code": "91", "extension": 77})
    assert created.status_code == 200, created.text
    uuid = created.json()["uuid"]
    unique_id = place(obd, dialer="user", user_id=uuid)
    client.post("/_mock/clock/advance", json={"seconds": 600})
    leg = session_of(tenant, unique_id)["legs"][0]
    assert leg["user_id"] == uuid and leg["phone"] == "+919811177777" and leg["name"] == "New Agent"


@pytest.mark.parametrize("limit", [20, 30, 300])
def test_max_call_duration_bounds_the_whole_call(obd, client, tenant, limit):
    unique_id = place(obd, max_call_duration=limit)
    client.post("/_mock/clock/advance", json={"seconds": 600})
    session = session_of(tenant, unique_id)
    assert (parse_iso(session["ended_at"]) - parse_iso(session["started_at"])).total_seconds() <= limit


def test_a_foreign_customer_keeps_its_country_code(obd, client, tenant):
    unique_id = place(obd, number="+971501234567")
    client.post("/_mock/clock/advance", json={"seconds": 600})
    session = session_of(tenant, unique_id)
    assert session["customer"]["country_code"] == "971"
    log = call_log.render(session, call_log.tenant_bits(tenant.company_id, tenant.state["users"].values(),
                                                        tenant.state["departments"].values()))
    assert (log["_cy"], log["_cr"]) == ("971", "501234567")


def test_the_anonymous_dialer_works_without_a_built_in_anonymous_user(tmp_path):
    import json

    from starlette.testclient import TestClient

    from mock_server import fixtures
    from mock_server.settings import DEFAULT_SEED
    from tests.conftest import Tenant, make_app
    data = fixtures.generate(DEFAULT_SEED)
    for tenant in data["tenants"]:
        tenant["state"]["users"] = [u for u in tenant["state"]["users"] if u["role"] != "anonymous"]
    path = tmp_path / "fixtures.json"
    path.write_text(json.dumps(data))
    app = make_app(fixtures_path=path)
    with TestClient(app) as client:
        tenant = Tenant(app, list(app.state.ctx.store.tenants)[0])
        obd = Obd(client, tenant)
        unique_id = place(obd, dialer="anonymous")
        client.post("/_mock/clock/advance", json={"seconds": 600})
        assert session_of(tenant, unique_id)["legs"][0]["phone"] == "+919812345678"

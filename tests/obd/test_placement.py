"""An accepted OBD request starts its OBD scenario: the magic-number rules, overrides, the request's
parameters, max_call_duration, and the call as the APIs see it afterwards."""

import pytest
from starlette.testclient import TestClient

from mock_server import schemas
from mock_server.clock import parse_iso
from mock_server.domain import call_log, calls
from mock_server.engine import call_rules
from mock_server.webhooks import subscriptions
from tests.conftest import make_app, seeded_tenant, Tenant
from tests.engine.support import answers_a_failed_leg
from tests.obd.support import Obd
from tests.moments import seconds
from tests.support import ctx_of


@pytest.fixture
def obd(client, tenant):
    return Obd(client, tenant)


def place(obd, **kwargs):
    response = obd.call(obd.body(**kwargs))
    assert response.status_code == 200, response.json()
    return response.json()["unique_id"]


def request_of(tenant, unique_id):
    return tenant.state["obd_requests"].get(unique_id)


def session_of(tenant, unique_id):
    return tenant.state["calls"].get(request_of(tenant, unique_id)["session_id"])


def run_of(tenant, unique_id):
    return tenant.state["scenario_runs"].get(request_of(tenant, unique_id)["run_id"])


def legs(session):
    return [(leg["type"], leg["dial_status"]) for leg in session["legs"]]


def bits(tenant):
    return call_log.tenant_bits(tenant.company_id, tenant.state["users"].values(), tenant.state["departments"].values())


@pytest.mark.parametrize("dialer,first,scenario", [("user", "agent", "obd-user"),
                                                   ("anonymous", "agent", "obd-anonymous"),
                                                   ("ivr", "customer", "obd-ivr")])
def test_the_call_starts_now_and_finishes_on_the_clock(obd, client, tenant, dialer, first, scenario):
    unique_id = place(obd, dialer=dialer, reference_id=f"crm-{dialer}")
    live = session_of(tenant, unique_id)
    # The first party is being dialled when the API answers; nothing is logged yet.
    assert live["category"] == "obd" and live["state"] == "ringing" and live["status"] is None
    assert live["ref_id"] == unique_id and live["client_ref_id"] == f"crm-{dialer}"
    assert [(leg["type"], leg["state"]) for leg in live["legs"]] == [(first, "dialing")]
    run = run_of(tenant, unique_id)
    assert run["scenario"] == scenario and run["status"] == "running"
    assert run["trigger"] == {"kind": "obd", "unique_id": unique_id, "chosen_by": "rule:answered"}

    client.post("/_mock/clock/advance", json={"seconds": 600})
    done = session_of(tenant, unique_id)
    assert done["state"] == "ended" and done["status"] == "bridged"
    assert done["recording"] == calls.recording_file_name(done)
    assert done["legs"][0]["type"] == first and done["customer"]["number"] == "+919876543210"
    assert done["obd_campaign"]["id"] == obd.ivrs["main"]["id"] and done["dialer"] == dialer
    assert run_of(tenant, unique_id)["status"] == "finished"
    log = call_log.render(done, bits(tenant))
    assert schemas.field_errors("webhooks/legacy.call_log", log) == {}
    assert log["_ri"] == unique_id and log["_cri"] == f"crm-{dialer}" and log["_ivid"] == obd.ivrs["main"]["id"]


def test_the_run_takes_its_parameters_from_the_request(obd, client, tenant):
    unique_id = place(obd, dialer="user", reference_id="crm-9", max_call_duration=40, custom_1="lead 9",
                      number="+919800012345")
    run = run_of(tenant, unique_id)
    assert {k: run["params"][k] for k in ("customer", "agent", "ivr", "ref_id", "client_ref_id", "custom",
                                          "max_call_duration")} == {
        "customer": "+919800012345", "agent": obd.agent["id"], "ivr": obd.ivrs["main"]["id"], "ref_id": unique_id,
        "client_ref_id": "crm-9", "custom": {"custom_1": "lead 9"}, "max_call_duration": 40}
    assert run["params"]["did"] == request_of(tenant, unique_id)["did"]
    assert session_of(tenant, unique_id)["custom"] == {"custom_1": "lead 9"}


def test_the_user_dialer_rings_that_user_and_the_anonymous_dialer_number_2(obd, client, tenant):
    user_call = place(obd, dialer="user")
    anonymous_call = place(obd, dialer="anonymous")
    client.post("/_mock/clock/advance", json={"seconds": 600})
    agent_leg = session_of(tenant, user_call)["legs"][0]
    assert agent_leg["user_id"] == obd.agent["id"]
    assert agent_leg["phone"] == f"+91{obd.agent['contact_number']}"
    anonymous_leg = session_of(tenant, anonymous_call)["legs"][0]
    anonymous_user = next(u for u in tenant.state["users"] if u["role"] == "anonymous")
    assert anonymous_leg["phone"] == "+919812345678" and anonymous_leg["user_id"] == anonymous_user["id"]


def test_the_ivr_dialer_hears_the_ivr_and_reaches_an_agent_of_its_department(obd, client, tenant):
    unique_id = place(obd, dialer="ivr")
    client.post("/_mock/clock/advance", json={"seconds": 600})
    session = session_of(tenant, unique_id)
    department = obd.ivrs["main"]["department_id"]
    assert session["department"]["id"] == department and session["ivr_started_at"]
    agent = session["legs"][1]
    assert agent["type"] == "agent" and department in tenant.state["users"].get(agent["user_id"])["department_ids"]


@pytest.mark.parametrize("limit,status,customer_leg", [
    (10, "missed", ("customer", "CANCEL")),  # cut while the customer's phone rings (it answers at 11 s)
    (20, "bridged", ("customer", "ANSWER")),
    (300, "bridged", ("customer", "ANSWER")),
])
def test_max_call_duration_hangs_the_call_up(obd, client, tenant, limit, status, customer_leg):
    unique_id = place(obd, max_call_duration=limit)
    client.post("/_mock/clock/advance", json={"seconds": 600})
    session = session_of(tenant, unique_id)
    assert session["status"] == status and legs(session)[1] == customer_leg
    natural = 57  # obd-user: rings of 5 s, a second between the legs, 45 s of talk, a second to hang up
    assert session["duration"] == min(limit, natural)
    assert (parse_iso(session["ended_at"]) - parse_iso(session["started_at"])).total_seconds() == seconds(min(limit, natural))
    if limit == 20:
        assert session["legs"][1]["talk_duration"] == 9


def test_the_end_of_a_call_survives_a_restart(tmp_path):
    from starlette.testclient import TestClient

    from tests.conftest import Tenant, make_app
    app = make_app(data_dir=tmp_path)
    tenant = seeded_tenant(app)
    with TestClient(app) as client:
        unique_id = place(Obd(client, tenant), dialer="user")
    app = make_app(data_dir=tmp_path)
    tenant = Tenant(app, tenant.company_id)
    with TestClient(app) as client:
        assert session_of(tenant, unique_id)["state"] != "ended"
        client.post("/_mock/clock/advance", json={"seconds": 600})
        assert session_of(tenant, unique_id)["state"] == "ended"
        assert run_of(tenant, unique_id)["status"] == "finished"


def test_a_timed_job_no_version_here_knows_is_dropped_and_the_clock_goes_on(app, client, tenant, caplog):
    # A data dir written by another version may hold a job of a kind this server does not have.
    ctx = ctx_of(app)
    ctx.schedule(tenant.state, 30, "obd.call_ended", {"session": {}})
    with caplog.at_level("WARNING", logger="mock_server"):
        answer = client.post("/_mock/clock/advance", json={"seconds": 31})
    assert answer.status_code == 200, answer.text
    assert "no 'obd.call_ended' job here" in caplog.text
    assert [j for j in ctx.scheduler.pending(tenant.company_id) if j.action == "obd.call_ended"] == []


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


def test_a_foreign_customer_keeps_its_country_code(obd, client, tenant):
    unique_id = place(obd, number="+971501234567")
    client.post("/_mock/clock/advance", json={"seconds": 600})
    session = session_of(tenant, unique_id)
    assert session["customer"]["country_code"] == "971"
    log = call_log.render(session, bits(tenant))
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
        tenant = seeded_tenant(app)
        obd = Obd(client, tenant)
        unique_id = place(obd, dialer="anonymous")
        client.post("/_mock/clock/advance", json={"seconds": 600})
        leg = session_of(tenant, unique_id)["legs"][0]
        assert leg["phone"] == "+919812345678" and leg["user_id"] is None and leg["name"] == "Anonymous User"


# --- the magic numbers ------------------------------------------------------------------------------
MAGIC = [
    # (number, dialer, call_hold, scenario, status, legs as (type, dial_status))
    ("+910000000001", "user", True, "obd-customer-unanswered", "missed", [("agent", "ANSWER"), ("customer", "BUSY")]),
    ("+910000000002", "user", True, "obd-customer-unanswered", "missed",
     [("agent", "ANSWER"), ("customer", "NO ANSWER")]),
    ("+910000000003", "anonymous", True, "obd-customer-unanswered", "missed",
     [("agent", "ANSWER"), ("customer", "NO CARRIER")]),
    ("+910000000001", "ivr", True, "obd-ivr-customer-unanswered", "missed", [("customer", "BUSY")]),
    ("+910000000002", "ivr", True, "obd-ivr-customer-unanswered", "missed", [("customer", "NO ANSWER")]),
    ("+910000000003", "ivr", True, "obd-ivr-customer-unanswered", "missed", [("customer", "NO CARRIER")]),
    ("+910000000004", "user", True, "obd-agent-unanswered", "missed", [("agent", "NO ANSWER")]),
    ("+910000000004", "ivr", True, "obd-ivr-agents-unanswered", "missed",
     [("customer", "ANSWER"), ("agent", "NO ANSWER"), ("agent", "NO ANSWER")]),
    ("+910000000005", "user", False, "obd-agent-unanswered", "missed", [("agent", "BUSY")]),
    ("+910000000005", "ivr", False, "obd-no-free-agent", "missed", [("customer", "ANSWER")]),
    ("+910000000005", "user", True, "obd-user", "bridged", [("agent", "ANSWER"), ("customer", "ANSWER")]),
    ("+910000000005", "ivr", True, "obd-ivr", "bridged", [("customer", "ANSWER"), ("agent", "ANSWER")]),
    ("+919876543210", "anonymous", False, "obd-anonymous", "bridged", [("agent", "ANSWER"), ("customer", "ANSWER")]),
]


@pytest.mark.parametrize("number,dialer,call_hold,scenario,status,expected", MAGIC,
                         ids=[f"{m[0]}-{m[1]}-hold={m[2]}" for m in MAGIC])
def test_magic_numbers_choose_the_outcome(obd, client, tenant, number, dialer, call_hold, scenario, status, expected):
    unique_id = place(obd, dialer=dialer, number=number, call_hold=call_hold)
    client.post("/_mock/clock/advance", json={"seconds": 600})
    session, run = session_of(tenant, unique_id), run_of(tenant, unique_id)
    assert run["scenario"] == scenario and run["status"] == "finished"
    assert run["trigger"]["chosen_by"] == f"rule:{call_rules.outcome_of(number).name}"
    assert session["status"] == status and legs(session) == expected
    assert (session["recording"] is not None) == (status == "bridged")


def test_a_held_request_waits_for_its_agent(obd, client, tenant):
    held = place(obd, dialer="user", number="+910000000005")
    free = place(obd, dialer="user")
    client.post("/_mock/clock/advance", json={"seconds": 600})
    call = session_of(tenant, held)
    waited = parse_iso(call["legs"][0]["started_at"]) - parse_iso(call["started_at"])
    assert waited.total_seconds() == seconds(call_rules.QUEUE_SECONDS)
    assert session_of(tenant, free)["legs"][0]["started_at"] == session_of(tenant, free)["started_at"]


def test_every_magic_number_is_a_valid_number_no_phone_has():
    from mock_server.phones import is_e164
    assert all(is_e164(n) and n.startswith("+910") for n in call_rules.MAGIC_NUMBERS)


# --- overrides ------------------------------------------------------------------------------------
def override(client, tenant, **body):
    response = client.post(f"/_mock/tenants/{tenant.company_id}/overrides", json={"kind": "obd", **body})
    assert response.status_code == 201, response.text
    assert schemas.field_errors("control/override.response", response.json()) == {}
    return response.json()


def test_an_override_for_the_number_wins_over_the_rules_and_is_used_up(obd, client, tenant):
    override(client, tenant, match={"customer_number": "+919876543210"}, scenario="obd-customer-unanswered",
             params={"dial_status": "BUSY", "fail_after": 3})
    first = place(obd, dialer="user")
    second = place(obd, dialer="user")
    client.post("/_mock/clock/advance", json={"seconds": 600})
    assert run_of(tenant, first)["scenario"] == "obd-customer-unanswered"
    assert run_of(tenant, first)["trigger"]["chosen_by"] == "override"
    assert legs(session_of(tenant, first)) == [("agent", "ANSWER"), ("customer", "BUSY")]
    # The request's own parameters still apply (its ids, its user).
    call = session_of(tenant, first)
    assert call["ref_id"] == first and call["legs"][0]["user_id"] == obd.agent["id"]
    assert run_of(tenant, second)["scenario"] == "obd-user"
    assert client.get(f"/_mock/tenants/{tenant.company_id}/overrides").json() == {"overrides": []}


def test_a_numbered_override_wins_over_one_for_any_number_and_times_counts_down(obd, client, tenant):
    anyone = override(client, tenant, scenario="obd-agent-unanswered", times=2)
    override(client, tenant, match={"customer_number": "+919800000001"}, scenario="obd-customer-unanswered")
    numbered = place(obd, number="+919800000001")
    other = place(obd, number="+919800000002")
    assert run_of(tenant, numbered)["scenario"] == "obd-customer-unanswered"
    assert run_of(tenant, other)["scenario"] == "obd-agent-unanswered"
    (left,) = client.get(f"/_mock/tenants/{tenant.company_id}/overrides").json()["overrides"]
    assert left["id"] == anyone["id"] and left["times"] == 1 and left["used"] == 1
    # It wins over a magic number too.
    assert run_of(tenant, place(obd, number="+910000000001"))["scenario"] == "obd-agent-unanswered"
    assert run_of(tenant, place(obd))["scenario"] == "obd-user"


def test_overrides_are_checked_when_set(client, tenant):
    url = f"/_mock/tenants/{tenant.company_id}/overrides"
    cases = [
        ({"kind": "obd", "scenario": "nope"}, "scenario"),
        ({"kind": "message", "scenario": "obd-user"}, "scenario"),
        ({"kind": "obd", "scenario": "obd-user", "params": {"colour": "red"}}, "params.colour"),
        ({"kind": "obd", "scenario": "obd-user", "params": {"talk": "long"}}, "params.talk"),
        ({"kind": "obd", "scenario": "obd-user", "params": {"agent": "not-a-user"}}, "params.agent"),
        ({"kind": "obd", "scenario": "obd-user", "match": {"customer_number": "9876543210"}}, "match.customer_number"),
        ({"kind": "fax", "scenario": "obd-user"}, "kind"),
        ({"kind": "obd", "scenario": "obd-user", "times": 0}, "times"),
    ]
    for body, field in cases:
        response = client.post(url, json=body)
        assert response.status_code == 400, (body, response.text)
        assert field in response.json()["errors"], (body, response.json())
    assert client.post(url, content=b"{nope", headers={"content-type": "application/json"}).status_code == 400
    assert client.get(url).json() == {"overrides": []}


def test_overrides_can_be_listed_and_deleted(client, tenant):
    url = f"/_mock/tenants/{tenant.company_id}/overrides"
    one = override(client, tenant, scenario="obd-agent-unanswered")
    override(client, tenant, scenario="obd-ivr")
    assert [o["scenario"] for o in client.get(url).json()["overrides"]] == ["obd-agent-unanswered", "obd-ivr"]
    assert client.delete(f"{url}/{one['id']}").json() == {"deleted": 1}
    assert client.delete(f"{url}/{one['id']}").status_code == 404
    assert client.delete(url).json() == {"deleted": 1}
    assert client.get("/_mock/tenants/nope/overrides").status_code == 404


def test_an_override_whose_scenario_cannot_play_the_request_falls_back_to_the_rules(app, obd, client, tenant):
    override(client, tenant, scenario="obd-user")
    # The override's stored parameters stop fitting (a user who no longer takes calls).
    stored = tenant.state["scenario_overrides"].values()[0]
    tenant.state["scenario_overrides"].put(dict(stored, params={"agent": "0000000000000000"}))
    unique_id = place(obd, dialer="user")
    run = run_of(tenant, unique_id)
    assert run["scenario"] == "obd-user" and run["trigger"]["chosen_by"] == "rule:answered"
    assert "params.agent" in run["trigger"]["override_error"]


# --- a call whose scenario fails at once is not placed -------------------------------------------


def test_a_call_whose_scenario_fails_at_its_first_steps_is_an_error_and_leaves_nothing(tmp_path):
    (tmp_path / "obd-fails-at-once.yaml").write_text(answers_a_failed_leg("obd-fails-at-once"), encoding="utf-8")
    # A subscription, so the call's first event is queued for delivery before the failing step.
    app = make_app(scenario_dirs=(tmp_path,),
                   webhook_subscriptions=(subscriptions.from_url("http://127.0.0.1:9/hooks", subscription_id="s1"),))
    tenant = seeded_tenant(app)
    ctx = ctx_of(app)
    with TestClient(app) as client:
        obd = Obd(client, tenant)
        override(client, tenant, scenario="obd-fails-at-once")
        before, jobs = tenant.state.dump(), ctx.scheduler.pending(tenant.company_id)
        response = obd.call(obd.body(reference_id="crm-1"))
        assert response.status_code == 500, response.json()
        answer = response.json()
        assert answer["status"] == "error" and answer["code"] == "500" and answer["reference_id"] == "crm-1"
        assert answer["details"].startswith("Call initiation failed: step 4 (call.answer)")
        assert schemas.field_errors("obd/call.response", answer) == {}
        # No session, run, request, event, delivery or job; the override and the IVR's usage untouched.
        assert tenant.state.dump() == before and ctx.scheduler.pending(tenant.company_id) == jobs
        # The reference_id was not taken: the same request with a working scenario is placed.
        client.delete(f"/_mock/tenants/{tenant.company_id}/overrides")
        assert obd.call(obd.body(reference_id="crm-1")).status_code == 200

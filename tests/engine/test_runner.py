"""Runs through the control API: listing, parameters (defaults, checks, 400s), many runs at once, a
failing step, deadlines, determinism, restarts."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from mock_server import schemas
from mock_server.domain import call_builders
from mock_server.engine import loader, runner
from mock_server.steps import VOCABULARY
from tests.conftest import Tenant, make_app, seeded_tenant
from tests.engine import support
from tests.support import advance, ctx_of


def test_the_listing_names_every_scenario_and_its_parameters(client, tenant):
    listed = client.get("/_mock/scenarios").json()["scenarios"]
    names = [s["name"] for s in listed]
    assert "incoming-answered" in names and "obd-ivr" in names
    answered = next(s for s in listed if s["name"] == "incoming-answered")
    assert answered["channel"] == "call" and answered["description"]
    assert answered["params"]["talk"] == {"kind": "seconds", "description": "Seconds of conversation.", "default": 45,
                                          "min": 1, "max": 7200}
    assert answered["params"]["agent"]["default"] is None
    assert answered["params"]["agent"]["default_from"] == "the 1st of the tenant's users who take calls"
    # With a tenant, defaults drawn from its fixtures are shown resolved.
    resolved = client.get("/_mock/scenarios", params={"company_id": tenant.company_id}).json()["scenarios"]
    agent = next(s for s in resolved if s["name"] == "incoming-answered")["params"]["agent"]["default"]
    assert agent == next(u["id"] for u in tenant.state["users"] if call_builders.takes_calls(u))
    assert client.get("/_mock/scenarios", params={"company_id": "nope"}).status_code == 404


def test_one_scenario_shows_its_steps(client):
    shown = client.get("/_mock/scenarios/obd-user").json()
    assert shown["steps"][0] == {"at": 0, "do": "call.start", "with": shown["steps"][0]["with"]}
    assert shown["deadline"]["at"] == "$max_call_duration"
    missing = client.get("/_mock/scenarios/nope")
    assert missing.status_code == 404 and missing.json()["code"] == "404"


def test_a_run_uses_the_given_parameters_and_defaults_for_the_rest(client, tenant):
    contact = tenant.state["contacts"].values()[3]
    number = f"+{contact['country_code']}{contact['phone_number']}"
    run = support.run(client, tenant, "incoming-answered", customer=number, talk="30")  # the CLI sends text
    assert run["params"]["customer"] == number and run["params"]["talk"] == 30
    assert run["params"]["did"] == tenant.state["dids"].values()[0]["number"]
    assert run["trigger"] == "api" and run["status"] == "running"
    call = support.session(tenant, run)
    assert call["customer"] == {"number": number, "country_code": "91", "name": contact["name"]}
    assert [s["status"] for s in run["steps"]] == ["done", "pending", "pending", "pending", "pending"]
    support.advance(client, 100)
    assert support.reload(client, tenant, run)["status"] == "finished"
    assert support.session(tenant, run)["duration"] == 8 + 6 + 30 + 1


@pytest.mark.parametrize("params,field", [
    ({"colour": "red"}, "params.colour"),
    ({"talk": "long"}, "params.talk"),
    ({"talk": -5}, "params.talk"),
    ({"talk": 10 ** 9}, "params.talk"),
    ({"talk": None}, "params.talk"),
    ({"talk": True}, "params.talk"),
    ({"talk": 10 ** 400}, "params.talk"),
    ({"customer": "9876543210"}, "params.customer"),
    ({"agent": "0000000000000000"}, "params.agent"),
    ({"did": "+910000000000"}, "params.did"),
    ({"department": ["x"]}, "params.department"),
])
def test_bad_parameters_are_a_400(client, tenant, params, field):
    response = client.post("/_mock/scenarios/incoming-answered/run",
                           json={"company_id": tenant.company_id, "params": params})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "invalid" and field in body["errors"], body
    assert tenant.state["scenario_runs"].values() == []


def test_bad_run_bodies(client, tenant):
    url = "/_mock/scenarios/incoming-answered/run"
    assert client.post(url, json={"params": {}}).status_code == 400
    assert client.post(url, json={"company_id": tenant.company_id, "params": [1]}).status_code == 400
    assert client.post(url, json={"company_id": tenant.company_id, "extra": 1}).status_code == 400
    assert client.post(url, content=b"\xff", headers={"content-type": "application/json"}).status_code == 400
    assert client.post(url, json={"company_id": "nope"}).status_code == 404
    assert client.post("/_mock/scenarios/nope/run", json={"company_id": tenant.company_id}).status_code == 404
    # A user who does not take calls cannot be the agent; a fixture pool too small for a pick has no default.
    no_calls = next(u for u in tenant.state["users"] if u["role"] == "no_calls")
    response = client.post(url, json={"company_id": tenant.company_id, "params": {"agent": no_calls["id"]}})
    assert response.status_code == 400 and "params.agent" in response.json()["errors"]


def test_parameters_written_as_text_are_read_as_their_kind(client, tenant):
    # What `myoperator-mock trigger NAME --param k=v` sends: every value as text.
    run = support.run(client, tenant, "disposition-with-comment", type="2", wrap_up="5.5", talk="10")
    assert (run["params"]["type"], run["params"]["wrap_up"], run["params"]["talk"]) == (2, 5.5, 10)
    run = support.run(client, tenant, "obd-user", custom='{"custom_1": "lead 7"}', max_call_duration="20")
    assert run["params"]["custom"] == {"custom_1": "lead 7"} and run["params"]["max_call_duration"] == 20
    assert support.session(tenant, run)["custom"] == {"custom_1": "lead 7"}


def test_a_pick_beyond_the_fixtures_has_no_default(client, tenant):
    for user in tenant.state["users"].values()[1:]:
        tenant.state["users"].put(dict(user, receive_calls=2))
    response = client.post("/_mock/scenarios/incoming-hunting/run", json={"company_id": tenant.company_id})
    assert response.status_code == 400
    assert "No default" in response.json()["errors"]["params.next_agent"][0]


def test_runs_are_listed_and_found(client, tenant, other_tenant):
    first = support.run(client, tenant, "ivr-only")
    second = support.run(client, tenant, "incoming-missed")
    support.advance(client, 30)
    url = f"/_mock/tenants/{tenant.company_id}/scenario-runs"
    assert [r["id"] for r in client.get(url).json()["runs"]] == [first["id"], second["id"]]
    assert [r["id"] for r in client.get(url, params={"status": "finished"}).json()["runs"]] == [first["id"]]
    assert [r["id"] for r in client.get(url, params={"scenario": "incoming-missed"}).json()["runs"]] == [second["id"]]
    assert client.get(url, params={"status": "done"}).status_code == 400
    assert client.get(f"{url}/nope").status_code == 404
    assert client.get(f"/_mock/tenants/{other_tenant.company_id}/scenario-runs/{first['id']}").status_code == 404
    assert client.get("/_mock/tenants/nope/scenario-runs").status_code == 404
    for run in client.get(url).json()["runs"]:
        assert schemas.field_errors("control/scenario.run.response", run) == {}


def test_many_runs_at_once_keep_their_own_calls(app, client, tenant):
    runs = [support.run(client, tenant, "incoming-answered") for _ in range(3)]
    runs.append(support.run(client, tenant, "obd-user"))
    support.advance(client, 600)
    sessions = [support.session(tenant, support.reload(client, tenant, r)) for r in runs]
    assert len({s["id"] for s in sessions}) == len({s["uid"] for s in sessions}) == 4
    for run in runs:
        events = support.events(ctx_of(app), tenant, support.reload(client, tenant, run))
        support.check_bodies(events)
        assert [e["event_type"] for e in events][-2:] == ["call.end", "call.summary"]
    timelines = [support.timeline(support.events(ctx_of(app), tenant, r), r) for r in runs[:3]]
    assert timelines[0] == timelines[1] == timelines[2]


def test_a_step_that_cannot_happen_fails_the_run_and_cancels_the_rest(app, client, tenant):
    run = support.run(client, tenant, "incoming-answered")
    # Before the agent is dialled (at 8 s), the agent stops taking calls.
    agent = run["params"]["agent"]
    token = tenant.state.account["developer_token"]
    assert client.put("/search/user", data={"token": token, "uuid": agent, "receive_calls": 2}).status_code == 200
    assert client.post("/_mock/clock/advance", json={"seconds": 600}).status_code == 200
    failed = support.reload(client, tenant, run)
    assert failed["status"] == "failed" and failed["error"].startswith("step 2 (call.dial) at 8 s: user")
    assert [s["status"] for s in failed["steps"]] == ["done", "failed", "cancelled", "cancelled", "cancelled"]
    assert not [j for j in ctx_of(app).scheduler.pending() if j.payload.get("run_id") == run["id"]]
    assert not [j for j in tenant.state["jobs"] if j["payload"].get("run_id") == run["id"]]
    call = support.session(tenant, failed)  # as it stood before the failing step
    assert call["state"] == "initiated" and len(call["legs"]) == 1
    assert [e["event_type"] for e in support.events(ctx_of(app), tenant, failed)] == ["call.initiated"]


def test_an_illegal_move_fails_the_run_without_a_500(client, tenant, own_scenarios):
    (own_scenarios / "answer-twice.yaml").write_text(support.answers_a_failed_leg("answer-twice"), encoding="utf-8")
    response = client.post("/_mock/scenarios/answer-twice/run", json={"company_id": tenant.company_id})
    assert response.status_code == 201, response.text
    run = response.json()
    assert run["status"] == "failed" and "cannot take 'answer'" in run["error"]
    assert [s["status"] for s in run["steps"]] == ["done", "done", "done", "failed", "cancelled"]


def test_a_deadline_drops_the_later_steps_and_ends_the_call_then(app, client, tenant):
    run = support.run(client, tenant, "obd-ivr", max_call_duration=12)
    assert [s["do"] for s in run["steps"]] == ["call.start", "call.dial", "call.answer", "call.ivr", "call.end"]
    assert [s["offset"] for s in run["steps"]] == [0, 0, 5, 6, 12]
    support.advance(client, 60)
    call = support.session(tenant, support.reload(client, tenant, run))
    assert call["duration"] == 12 and call["status"] == "missed" and len(call["legs"]) == 1


def events_of_a_fresh_server(name: str, **params) -> tuple[list[dict], dict]:
    app = make_app(strict=True)
    tenant = seeded_tenant(app)
    with TestClient(app) as client:
        run = support.run(client, tenant, name, **params)
        support.advance(client, 3600)
        return ctx_of(app).webhooks.events(tenant.company_id), support.session(tenant, run)


def test_the_same_seed_and_inputs_give_the_same_events():
    first, first_call = events_of_a_fresh_server("incoming-transfer", talk=20)
    again, again_call = events_of_a_fresh_server("incoming-transfer", talk=20)
    assert json.dumps(first) == json.dumps(again) and first_call == again_call
    other, _ = events_of_a_fresh_server("incoming-transfer", talk=21)
    assert json.dumps(other) != json.dumps(first)


def test_a_run_carries_on_after_a_restart(tmp_path):
    app = make_app(data_dir=tmp_path)
    tenant = seeded_tenant(app)
    with TestClient(app) as client:
        run = support.run(client, tenant, "incoming-answered")
        support.advance(client, 10)
    app = make_app(data_dir=tmp_path)
    tenant = Tenant(app, tenant.company_id)
    with TestClient(app) as client:
        support.advance(client, 100)
        run = support.reload(client, tenant, run)
        assert run["status"] == "finished"
        kinds = [e["event_type"] for e in support.events(ctx_of(app), tenant, run)]
        assert kinds == ["call.initiated", "call.dial_begin", "call.answered", "call.end", "call.summary"]


def test_a_reset_drops_the_runs_and_their_steps(app, client, tenant):
    support.run(client, tenant, "incoming-answered")
    assert client.post(f"/_mock/tenants/{tenant.company_id}/reset").status_code == 200
    assert client.get(f"/_mock/tenants/{tenant.company_id}/scenario-runs").json()["runs"] == []
    assert not [j for j in ctx_of(app).scheduler.pending() if j.action == runner.STEP_JOB]


def _run_to_its_end(client, tenant, name: str, **params) -> dict | None:
    """Runs ``name`` to its end; None with the 400's errors checked when its defaults are used up."""
    response = client.post(f"/_mock/scenarios/{name}/run", json={"company_id": tenant.company_id, "params": params})
    if response.status_code == 400:
        ((field, (message,)),) = response.json()["errors"].items()
        assert field.startswith("params.") and f"Pass {field}" in message, (name, message)
        return None
    assert response.status_code == 201, (name, response.text)
    support.advance(client, 2 * 86400)
    return support.reload(client, tenant, response.json())


@pytest.mark.parametrize("name", sorted(loader.catalog((loader.builtin_dir(),), VOCABULARY)))
def test_a_shipped_scenario_runs_again_without_a_reset_or_names_the_parameter_to_pass(client, tenant, name):
    # Runs use up fixtures (a template reviewed, a campaign run): a second run on the defaults finishes too,
    # or says which parameter to pass instead of an unexplained "No default".
    for attempt in (1, 2):
        run = _run_to_its_end(client, tenant, name)
        assert run is not None or attempt == 2, name
        if run is not None:
            assert run["status"] == "finished", (name, attempt, run["error"])


def test_a_review_rejected_follows_a_review_approved_on_the_defaults(client, tenant):
    approved = _run_to_its_end(client, tenant, "template-review-approved")
    # The fixtures' only template awaiting review is decided now: the next review takes a decided one.
    assert [t for t in tenant.state["templates"].values() if t["waba_template_status"] == "pending"] == []
    rejected = _run_to_its_end(client, tenant, "template-review-rejected")
    assert approved["status"] == rejected["status"] == "finished"
    reviewed = tenant.state["templates"].get(rejected["params"]["template"])
    assert reviewed["waba_template_status"] == "rejected"


def test_a_used_up_default_names_the_parameter_to_pass(client, tenant):
    for campaign in tenant.state["campaigns"].values():
        tenant.state["campaigns"].put(dict(campaign, status="completed"))
    response = client.post("/_mock/scenarios/campaign-run/run", json={"company_id": tenant.company_id})
    assert response.status_code == 400
    (message,) = response.json()["errors"]["params.campaign"]
    assert message.startswith("No default left for params.campaign: the company has 0 of the tenant's scheduled "
                              "campaigns") and "Pass params.campaign" in message, message



def test_the_run_log_keeps_the_newest_finished_runs_and_every_running_one():
    app = make_app(run_log_size=3)
    ctx, tenant = ctx_of(app), seeded_tenant(app)
    runs = tenant.state["scenario_runs"]
    for n in range(6):
        runs.put({"id": f"run-{n}", "status": "failed" if n == 2 else "finished",
                  "finished_at": f"2026-01-01T00:00:0{n}.000000Z"})
    runs.put({"id": "running", "status": "running", "finished_at": None})
    runner.forget_old_runs(ctx, tenant.state, keep="run-5")
    assert sorted(r["id"] for r in runs) == ["run-3", "run-4", "run-5", "running"]
    # On the manual clock many runs end at one instant: the one that just ended is never the one dropped.
    for n in range(3):
        runs.put({"id": f"tied-{n}", "status": "finished", "finished_at": "2026-01-01T00:00:09.000000Z"})
        runner.forget_old_runs(ctx, tenant.state, keep=f"tied-{n}")
        assert runs.get(f"tied-{n}") is not None and runs.get("running") is not None


def test_runs_played_on_the_clock_leave_a_bounded_log():
    app = make_app(run_log_size=2)
    with TestClient(app) as client:
        tenant = seeded_tenant(app)
        started = [support.run(client, tenant, "oneway")["id"] for _ in range(5)]
        advance(client, 3600)
        runs = tenant.state["scenario_runs"]
        assert all(r["status"] != "running" for r in runs)
        assert 2 <= len(runs) <= 3 and started[-1] in {r["id"] for r in runs}
        listed = client.get(f"/_mock/tenants/{tenant.company_id}/scenario-runs").json()
        assert listed["count"] == len(runs)

"""The Simulator the plugin hands to tests, used directly: credentials, the clock, the helpers and
their failures, reset, and the real-port mode."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest

from mock_server.testing import Simulator
from mock_server.webhooks.dispatcher import RETRY_SCHEDULE

CALL_EVENTS = ["call.initiated", "call.dial_begin", "call.answered", "call.dial_begin", "call.answered",
               "call.end", "call.summary"]  # an answered OBD call, agent first


@pytest.fixture
def sim():
    with Simulator.start() as simulator:
        yield simulator


# --- starting one ------------------------------------------------------------------------------
def test_it_starts_in_process_on_a_manual_clock_with_every_company(sim):
    assert (sim.server, sim.base_url, sim.clock_mode) == ("asgi", "http://testserver", "manual")
    assert [t.company_id for t in sim.tenants] == ["87d05bea95f1fc22", "88226f6f6c7e7c0b"]  # the README's table
    assert sim.tenant is sim.tenants[0]
    assert sim.client.get("/_mock/clock").json()["now"] == "2025-07-15T10:00:00.000000Z"


def test_settings_are_checked_before_anything_starts():
    with pytest.raises(TypeError, match="Unknown simulator setting.*colour.*the settings are: data_dir, seed"):
        with Simulator.start(colour="blue"):
            pass
    with pytest.raises(ValueError, match="server must be one of"):
        with Simulator.start("ftp"):
            pass


def test_another_seed_gives_other_companies():
    with Simulator.start(seed=7) as other:
        assert other.tenant.company_id != "87d05bea95f1fc22"


# --- credentials ---------------------------------------------------------------------------------
def test_each_surfaces_credentials_are_accepted(sim):
    tenant = sim.tenant
    assert sim.client.get("/chat/phonenumbers", headers=tenant.headers).status_code == 200
    assert sim.client.get("/search/filters", params={"token": tenant.developer_token}).status_code == 200
    for dialer in ("user", "anonymous", "ivr"):
        answer = sim.client.post("/obd-api-v1", json=tenant.obd_request(dialer=dialer), headers=tenant.obd_headers)
        assert answer.status_code == 200, answer.text
    assert tenant.phone_number_id() == "591127325652582" and tenant.waba_id() == "411139881166676"
    assert tenant.ivr("expired")["public_ivr_id"] != tenant.ivr()["public_ivr_id"]


def test_the_obd_request_builder_adds_and_drops_fields(sim):
    body = sim.tenant.obd_request("+919000000001", reference_id="r-1", user_id=None, number_2="+919812345678")
    assert body["reference_id"] == "r-1" and "user_id" not in body and body["type"] == "1"
    with pytest.raises(ValueError, match="dialer must be"):
        sim.tenant.obd_request(dialer="robot")
    with pytest.raises(LookupError, match="No IVR with label 'nope'; there are: main, no_anonymous"):
        sim.tenant.ivr("nope")


# --- the clock -----------------------------------------------------------------------------------
def test_advance_moves_by_seconds_or_to_an_instant(sim):
    start = sim.now()
    assert sim.advance(90) == start + timedelta(seconds=90)
    target = datetime(2025, 7, 16, tzinfo=timezone.utc)
    assert sim.advance(to=target) == target == sim.now()
    assert sim.advance(to="2025-07-16T01:00:00Z") == target + timedelta(hours=1)
    with pytest.raises(TypeError, match="exactly one"):
        sim.advance()
    with pytest.raises(AssertionError, match=r"POST /_mock/clock/advance answered 400: .*cannot move backwards"):
        sim.advance(to=start)


def test_advance_on_a_real_clock_fails_with_the_servers_reason():
    with Simulator.start(clock="real") as real:
        assert real.clock_mode == "real"
        with pytest.raises(AssertionError, match="answered 409: .*The clock is real"):
            real.advance(10)


# --- calls and events ----------------------------------------------------------------------------
def test_an_obd_call_plays_out_as_the_clock_moves(sim):
    answer = sim.obd_call(reference_id="crm-1")
    assert answer["reference_id"] == "crm-1"
    assert [e["event_type"] for e in sim.events()] == ["call.initiated", "call.dial_begin"]  # offset 0
    sim.advance(300)
    assert [e["event_type"] for e in sim.events()] == CALL_EVENTS
    end = sim.expect_event("call.end", client_ref_id="crm-1")
    assert (end["payload"]["ref_id"], end["payload"]["status"]) == (answer["unique_id"], "bridged")
    assert sim.expect_event("call.end", ref_id=answer["unique_id"], session_id=end["session_id"]) == end


def test_events_filter_by_pattern_payload_field_format_and_company(sim):
    sim.obd_call(reference_id="a")
    sim.obd_call("+919812300000", reference_id="b")
    sim.advance(300)
    assert [e["event_type"] for e in sim.events("call.d*")] == ["call.dial_begin"] * 4
    assert [e["payload"]["client_ref_id"] for e in sim.events("call.end")] == ["a", "b"]
    assert [e["event_type"] for e in sim.events(client_ref_id="b")] == ["call.end", "call.summary"]
    assert sim.events(customer_number="+919812300000", status="bridged")[0]["payload"]["client_ref_id"] == "b"
    legacy = sim.events(format="legacy_call")
    assert len(legacy) == 2 and all("_ai" in body for body in legacy)  # the AfterCall log, on call.summary
    assert sim.events(company_id=sim.tenants[1].company_id) == []
    with pytest.raises(LookupError, match="No company 'nope'"):
        sim.events(company_id="nope")


def test_expect_event_on_a_manual_clock_fails_at_once_and_says_what_did_happen(sim):
    sim.obd_call(reference_id="crm-9")
    with pytest.raises(AssertionError) as failure:
        sim.expect_event("call.end", client_ref_id="crm-9")
    lines = str(failure.value).splitlines()
    assert lines[0] == ("No call.end event with client_ref_id='crm-9' (company 87d05bea95f1fc22, envelope format; "
                        "waited 0 s).")
    assert lines[1].startswith("The clock is manual and stands at 2025-07-15T10:00:00.000000Z: nothing happens")
    assert lines[2] == "Events so far (2):"
    assert lines[3].startswith("  2025-07-15T10:00:00.000000Z call.initiated session_id=s")
    assert lines[3].endswith(" client_ref_id=(absent)") and " call.dial_begin " in lines[4]


def test_expect_event_names_the_values_that_did_not_match(sim):
    sim.obd_call(reference_id="crm-1")
    sim.advance(300)
    with pytest.raises(AssertionError, match=r"call.end session_id=\S+ client_ref_id='crm-1'"):
        sim.expect_event("call.end", client_ref_id="crm-2")
    with pytest.raises(AssertionError, match="(?s)No message.sent event .*Events so far \\(7\\)"):
        sim.expect_event("message.sent")


def test_expect_event_on_a_real_clock_waits_for_the_event():
    with Simulator.start(clock="real", speed=600) as real:  # a minute-long call takes a tenth of a second
        real.obd_call(reference_id="fast")
        end = real.expect_event("call.end", client_ref_id="fast", timeout=60)
        assert end["payload"]["status"] == "bridged"
        with pytest.raises(AssertionError, match=r"No call.end event with client_ref_id='never' .*waited 0.2 s"):
            real.expect_event("call.end", client_ref_id="never", timeout=0.2)


def test_obd_call_fails_with_the_apis_answer(sim):
    with pytest.raises(AssertionError, match=r"POST /obd-api-v1 answered 400: .*Provide valid Number"):
        sim.obd_call("9876543210")


# --- scenarios and overrides ---------------------------------------------------------------------
def test_run_scenario_starts_a_run_whose_events_follow_the_clock(sim):
    run = sim.run_scenario("incoming-answered", talk=20)
    assert (run["scenario"], run["params"]["talk"], run["status"]) == ("incoming-answered", 20, "running")
    sim.advance(600)
    end = sim.expect_event("call.end")
    assert end["payload"]["category"] == "incoming" and end["payload"]["status"] == "bridged"
    with pytest.raises(AssertionError, match="answered 404: .*GET /_mock/scenarios lists them"):
        sim.run_scenario("no-such-scenario")
    with pytest.raises(AssertionError, match=r"answered 400: .*params\.talk"):
        sim.run_scenario("incoming-answered", talk=-5)


def test_an_override_decides_the_next_obd_call(sim):
    sim.override("obd", "obd-customer-unanswered", match={"customer_number": "+919876543210"},
                 params={"dial_status": "BUSY"})
    sim.obd_call("+919876543210", reference_id="busy")
    sim.obd_call("+919876543210", reference_id="answered")  # the override was used up
    sim.advance(300)
    assert sim.expect_event("call.end", client_ref_id="busy")["payload"]["status"] == "missed"
    assert sim.expect_event("call.end", client_ref_id="answered")["payload"]["status"] == "bridged"


# --- webhooks and the journal --------------------------------------------------------------------
def test_a_subscriber_that_fails_then_recovers_gets_every_event_in_order(sim, receiver):
    sim.subscribe(receiver.url)
    receiver.fail(503)
    sim.obd_call()
    sim.advance(300)
    assert receiver.event_ids() == [] and {d["status"] for d in sim.deliveries()} == {"pending"}
    receiver.recover()
    sim.advance(sum(RETRY_SCHEDULE))
    assert receiver.event_ids() == [e["event_id"] for e in sim.events()]
    assert {d["status"] for d in sim.deliveries()} == {"delivered"}


def test_subscribe_takes_the_subscription_fields_and_unsubscribe_removes(sim, receiver):
    subscription = sim.subscribe(receiver.url, events=["call.end"], format="envelope")
    assert subscription["company_id"] == sim.tenant.company_id
    sim.obd_call()
    sim.advance(300)
    assert [b["event_type"] for b in receiver.bodies()] == ["call.end"]
    [delivery] = sim.deliveries(status="delivered")
    assert sim.redeliver(delivery["id"])["status"] == "pending"
    sim.advance(0)
    assert receiver.event_ids() == [delivery["event_id"]] * 2  # the same event, once more
    sim.unsubscribe(subscription["id"])
    assert sim.client.get("/_mock/webhooks").json()["subscriptions"] == []
    everyone = sim.subscribe(receiver.url, company_id=None)
    assert everyone["company_id"] is None
    sim.unsubscribe()
    assert sim.client.get("/_mock/webhooks").json()["subscriptions"] == []


def test_the_journal_lists_the_api_requests_with_filters(sim):
    sim.obd_call()
    sim.client.get("/chat/phonenumbers", headers=sim.tenant.headers)
    sim.client.get("/chat/phonenumbers")  # no credentials: 401
    assert [(r["method"], r["path"]) for r in sim.journal()] == [
        ("POST", "/obd-api-v1"), ("GET", "/chat/phonenumbers"), ("GET", "/chat/phonenumbers")]
    assert [r["status"] for r in sim.journal(path="/chat/*")] == [200, 401]
    assert len(sim.journal(status=401)) == 1 and len(sim.journal(method="POST")) == 1


# --- reset ---------------------------------------------------------------------------------------
def test_reset_puts_everything_back_but_the_clock(sim, receiver):
    sim.subscribe(receiver.url)
    sim.obd_call(reference_id="before")
    sim.client.patch(f"/_mock/tenants/{sim.tenant.company_id}", json={"wallet_balance": 1})
    sim.client.post("/_mock/faults", json={"path": "/chat/messages"})
    sim.advance(300)
    moved = sim.now()
    sim.reset()
    assert sim.events() == [] and sim.deliveries() == [] and sim.journal() == []
    assert sim.client.get("/_mock/webhooks").json()["subscriptions"] == []
    assert sim.client.get("/_mock/faults").json()["faults"] == []
    assert sim.client.get(f"/_mock/tenants/{sim.tenant.company_id}").json()["wallet_balance"] == 500
    assert sim.now() == moved
    sim.obd_call(reference_id="before")  # the reference id is free again
    sim.advance(300)
    assert len(receiver.bodies()) == len(CALL_EVENTS)  # nothing after the reset went to the old subscriber


# --- on a real port ------------------------------------------------------------------------------
def test_on_a_real_port_anything_can_reach_it_and_its_links_point_at_it():
    with Simulator.start("http") as served:
        assert served.server == "http" and served.base_url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{served.base_url}/_mock/clock", trust_env=False).json()["mode"] == "manual"
        served.obd_call()
        served.advance(300)
        summary = served.expect_event("call.summary")
        link = served.client.get("/search/recordings/link", params={
            "token": served.tenant.developer_token, "file": summary["payload"]["recording_filename"]})
        assert link.json()["url"].startswith(served.base_url + "/")
        assert httpx.get(link.json()["url"], trust_env=False).headers["content-type"] == "audio/mpeg"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{served.base_url}/_mock/clock", trust_env=False)

"""Every shipped call scenario, run on the manual clock: the exact events in order with their legs and
offsets, every body valid, event_sequence in order, and the call as the developers API shows it after."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from mock_server.clock import parse_iso
from mock_server.domain import call_log_live
from mock_server.domain.call_log import STATUS, epoch, hms
from mock_server.engine import runner
from tests.developers.support import call_key, hit_key
from tests.domain.call_support import check_invariants
from tests.engine import support
from tests.support import ctx_of

I, V, D, A, E, S = "call.initiated", "call.ivr_started", "call.dial_begin", "call.answered", "call.end", "call.summary"
DISPOSITION = "disposition"


@dataclass
class Case:
    name: str
    timeline: list[tuple]  # (event_type, leg_index or None, seconds from the run's start)
    status: str
    legs: list[tuple]  # (type, dial_status) of each leg of the finished call
    params: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return "-".join([self.name, *(f"{k}={v}" for k, v in self.params.items())])

    @property
    def recorded(self) -> bool:
        return self.status in ("bridged", "voicemail")


def ended_at(t: float) -> list[tuple]:
    return [(E, None, t), (S, None, t)]


AGENT_FIRST = [(I, None, 0), (D, 1, 0), (A, 1, 5), (D, 2, 6)]
CUSTOMER_FIRST_IVR = [(I, None, 0), (D, 1, 0), (A, 1, 5), (V, None, 6)]
CASES = [
    Case("incoming-answered", [(I, None, 0), (D, 2, 8), (A, 2, 14), *ended_at(60)], "bridged",
         [("customer", ""), ("agent", "ANSWER")]),
    Case("incoming-hunting", [(I, None, 0), (D, 2, 8), (D, 3, 30), (A, 3, 35), *ended_at(76)], "bridged",
         [("customer", ""), ("agent", "NO ANSWER"), ("agent", "ANSWER")]),
    Case("incoming-hunting", [(I, None, 0), (D, 2, 8), (D, 3, 15), (A, 3, 20), *ended_at(61)], "bridged",
         [("customer", ""), ("agent", "BUSY"), ("agent", "ANSWER")], {"first_result": "BUSY", "first_ring": 5}),
    Case("incoming-missed", [(I, None, 0), (D, 2, 8), *ended_at(43)], "missed",
         [("customer", ""), ("agent", "NO ANSWER")]),
    Case("incoming-voicemail", [(I, None, 0), (D, 2, 8), *ended_at(60)], "voicemail",
         [("customer", ""), ("agent", "NO ANSWER")]),
    Case("ivr-only", [(I, None, 0), (V, None, 1), *ended_at(26)], "missed", [("customer", "")]),
    Case("extension-dial", [(I, None, 0), (D, 2, 6), (A, 2, 11), *ended_at(72)], "bridged",
         [("customer", ""), ("agent", "ANSWER")]),
    Case("incoming-transfer", [(I, None, 0), (D, 2, 8), (A, 2, 14), (D, 3, 44), (A, 3, 52), *ended_at(83)], "bridged",
         [("customer", ""), ("agent", "ANSWER"), ("agent", "ANSWER")]),
    Case("oneway", [(I, None, 0), (D, 2, 1), (A, 2, 7), *ended_at(98)], "bridged",
         [("agent", ""), ("customer", "ANSWER")]),
    Case("click-to-call", [(I, None, 0), (D, 1, 1), (A, 1, 6), (D, 2, 7), (A, 2, 12), *ended_at(103)], "bridged",
         [("agent", "ANSWER"), ("customer", "ANSWER")]),
    Case("callback", [(I, None, 0), (D, 1, 1), (A, 1, 7), (D, 2, 8), (A, 2, 14), *ended_at(90)], "bridged",
         [("agent", "ANSWER"), ("customer", "ANSWER")]),
    Case("webcall", [(I, None, 0), (D, 2, 2), (A, 2, 9), *ended_at(130)], "bridged",
         [("agent", ""), ("customer", "ANSWER")]),
    Case("obd-user", [*AGENT_FIRST, (A, 2, 11), *ended_at(57)], "bridged",
         [("agent", "ANSWER"), ("customer", "ANSWER")]),
    # max_call_duration hangs up mid-conversation, or while the customer's phone still rings.
    Case("obd-user", [*AGENT_FIRST, (A, 2, 11), *ended_at(30)], "bridged",
         [("agent", "ANSWER"), ("customer", "ANSWER")], {"max_call_duration": 30}),
    Case("obd-user", [*AGENT_FIRST, *ended_at(8)], "missed", [("agent", "ANSWER"), ("customer", "CANCEL")],
         {"max_call_duration": 8}),
    Case("obd-anonymous", [*AGENT_FIRST, (A, 2, 11), *ended_at(57)], "bridged",
         [("agent", "ANSWER"), ("customer", "ANSWER")]),
    Case("obd-ivr", [*CUSTOMER_FIRST_IVR, (D, 2, 14), (A, 2, 19), *ended_at(65)], "bridged",
         [("customer", "ANSWER"), ("agent", "ANSWER")]),
    Case("obd-customer-unanswered", [*AGENT_FIRST, *ended_at(37)], "missed",
         [("agent", "ANSWER"), ("customer", "NO ANSWER")]),
    Case("obd-customer-unanswered", [*AGENT_FIRST, *ended_at(10)], "missed",
         [("agent", "ANSWER"), ("customer", "BUSY")], {"dial_status": "BUSY", "fail_after": 3}),
    Case("obd-customer-unanswered", [*AGENT_FIRST, *ended_at(9)], "missed",
         [("agent", "ANSWER"), ("customer", "NO CARRIER")], {"dialer": "anonymous", "dial_status": "NO CARRIER",
                                                             "fail_after": 2}),
    Case("obd-agent-unanswered", [(I, None, 0), (D, 1, 0), *ended_at(31)], "missed", [("agent", "NO ANSWER")]),
    Case("obd-agent-unanswered", [(I, None, 0), (D, 1, 0), *ended_at(4)], "missed", [("agent", "BUSY")],
         {"dial_status": "BUSY", "fail_after": 3}),
    Case("obd-ivr-customer-unanswered", [(I, None, 0), (D, 1, 0), *ended_at(31)], "missed",
         [("customer", "NO ANSWER")]),
    Case("obd-ivr-customer-unanswered", [(I, None, 0), (D, 1, 0), *ended_at(4)], "missed", [("customer", "BUSY")],
         {"dial_status": "BUSY", "fail_after": 3}),
    Case("obd-ivr-agents-unanswered", [*CUSTOMER_FIRST_IVR, (D, 2, 14), (D, 3, 46), *ended_at(78)], "missed",
         [("customer", "ANSWER"), ("agent", "NO ANSWER"), ("agent", "NO ANSWER")]),
    Case("obd-no-free-agent", [*CUSTOMER_FIRST_IVR, *ended_at(10)], "missed", [("customer", "ANSWER")]),
    # OTP calls emit no dial events (documented): the customer's leg is dialled and answered silently.
    Case("otp-call", [(I, None, 0), *ended_at(16)], "bridged", [("customer", "ANSWER")]),
    Case("disposition-with-comment", [(I, None, 0), (D, 2, 8), (A, 2, 14), *ended_at(60), (DISPOSITION, None, 80)],
         "bridged", [("customer", ""), ("agent", "ANSWER")]),
    Case("disposition-without-comment", [(I, None, 0), (D, 2, 8), (A, 2, 14), *ended_at(60), (DISPOSITION, None, 80)],
         "bridged", [("customer", ""), ("agent", "ANSWER")]),
]


def test_every_shipped_call_scenario_has_a_case(app):
    shipped = {name for name, s in runner.catalog(ctx_of(app)).items() if s.channel == "call"}
    assert {case.name for case in CASES} == shipped


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_the_scenario_plays_as_specified(app, client, tenant, case):
    ctx = ctx_of(app)
    run = support.run(client, tenant, case.name, **case.params)
    support.advance(client, 3600)
    run = support.reload(client, tenant, run)
    assert run["status"] == "finished", run["error"]
    assert all(step["status"] == "done" for step in run["steps"])

    events = support.events(ctx, tenant, run)
    assert support.timeline(events, run) == case.timeline
    support.check_bodies(events)

    call = support.session(tenant, run)
    check_invariants(call)
    assert call["status"] == case.status and [(l["type"], l["dial_status"]) for l in call["legs"]] == case.legs
    assert (call["recording"] is not None) == case.recorded

    # What the webhooks said is what the developers API answers afterwards: the AfterCall log (short
    # names), call.end and the Search Logs hit (long names) tell the same times, numbers, duration,
    # status, recording and agents, and the hit's filename fetches the recording.
    end = next(e for e in events if e["event_type"] == E)["bodies"]["envelope"]["payload"]
    summary = next(e for e in events if e["event_type"] == S)["bodies"]
    after_call = summary["legacy_call"]
    hit = support.search_log(client, tenant, call)
    source = hit["_source"]
    assert (source["start_time"], source["end_time"]) == (after_call["_st"], after_call["_et"]) == (
        epoch(end["started_at"]), epoch(end["ended_at"]))
    assert source["duration"] == after_call["_dr"] == hms(end["duration"])
    assert source["status"] == after_call["_su"] == STATUS[end["status"]]
    assert source["filename"] == after_call["_fn"] == end["recording_filename"]
    assert (source["caller_number"], source["caller_number_raw"]) == (after_call["_cl"], after_call["_cr"])
    assert source["caller_number"] == end["customer_number"] == summary["envelope"]["payload"]["customer_number"]
    agent_legs = [leg for leg in end["legs"] if leg["type"] == "agent"]
    assert [l["duration"] for l in source["log_details"]] == [l["_dr"] for l in after_call["_ld"]] == [
        hms(leg["talk_duration"] or 0) for leg in agent_legs]
    agents = [leg["agent"]["uuid"] for leg in summary["envelope"]["payload"]["legs"] if leg["type"] == "agent"]
    assert [a["user_id"] for leg in source["log_details"] for a in leg["received_by"]] == [
        a["_id"] for leg in after_call["_ld"] for a in leg["_rr"]] == agents
    assert source["_us"] == after_call["_us"]
    assert hit == call_log_live.hit(after_call)  # every field: the hit is the AfterCall log, renamed
    if case.recorded:
        support.recording_plays(client, tenant, source["filename"])


def run_and_finish(client, tenant, name: str, **params) -> tuple[dict, list[dict], dict]:
    run = support.run(client, tenant, name, **params)
    support.advance(client, 3600)
    run = support.reload(client, tenant, run)
    return run, support.events(ctx_of(client.app), tenant, run), support.session(tenant, run)


def payload(events: list[dict], event_type: str) -> dict:
    return next(e for e in events if e["event_type"] == event_type)["bodies"]["envelope"]["payload"]


def test_the_leg_mapping_of_each_call_type(client, tenant):
    cases = {"incoming-answered": ["customer", "agent"], "oneway": ["agent", "customer"],
             "click-to-call": ["agent", "customer"],
             "callback": ["agent", "customer"], "webcall": ["agent", "customer"], "obd-user": ["agent", "customer"],
             "obd-anonymous": ["agent", "customer"], "obd-ivr": ["customer", "agent"]}
    for name, types in cases.items():
        run, events, call = run_and_finish(client, tenant, name)
        assert [leg["type"] for leg in payload(events, E)["legs"]] == types, name
        first_dial = payload(events, D)["legs"]
        if name in ("incoming-answered", "oneway", "webcall"):  # leg 1 called in: never dialled, already on the call
            assert [leg["result"] for leg in first_dial] == ["connected", "dialing"]
        else:
            assert [leg["type"] for leg in first_dial] == types[:1]


def test_details_each_call_type_shows(client, tenant):
    _, events, call = run_and_finish(client, tenant, "extension-dial")
    assert [leg["dept_id"] for leg in payload(events, E)["legs"]] == ["", "extension"]

    _, events, call = run_and_finish(client, tenant, "webcall")
    assert payload(events, E)["legs"][0]["pickup_device"] == "web" and call["notification"] == "webrtc"

    _, events, call = run_and_finish(client, tenant, "click-to-call")
    assert call["notification"] == "clickocall"
    assert payload(events, S)["legs"][0]["agent"]["uuid"] == call["legs"][0]["user_id"]


def test_a_oneway_calls_agent_is_on_the_call_from_the_start_as_documented(client, tenant):
    # The docs' "Oneway Call" examples: leg 1, the agent, "connected" in every event, never rung or answered.
    _, events, call = run_and_finish(client, tenant, "oneway")
    assert call["notification"] is None and call["category"] == "oneway"
    agent_legs = [e["bodies"]["envelope"]["payload"]["legs"][0] for e in events if e["event_type"] in (D, A, E, S)]
    assert len(agent_legs) == 4
    for leg in agent_legs:
        assert leg["type"] == "agent" and leg["result"] == "connected" and leg["dial_status"] == ""
        assert leg["answered_at"] is None and leg["ring_duration"] is None
    started, ended = parse_iso(agent_legs[-1]["started_at"]), parse_iso(agent_legs[-1]["ended_at"])
    assert agent_legs[-1]["talk_duration"] == round((ended - started).total_seconds())

    run, events, call = run_and_finish(client, tenant, "incoming-transfer")
    assert call["legs"][1]["transferred_to"] == 3 and call["legs"][2]["transferred_from"] == 2
    summary = next(e for e in events if e["event_type"] == S)["bodies"]
    assert [leg["_ac"] for leg in summary["legacy_call"]["_ld"]] == ["transferred", "received"]
    next_agent = tenant.state["users"].get(run["params"]["next_agent"])
    assert summary["envelope"]["payload"]["legs"][2]["agent"]["name"] == next_agent["name"]

    run, events, call = run_and_finish(client, tenant, "callback", note="Asked for the new price list")
    (comment,) = payload(events, S)["comments"]
    agent = tenant.state["users"].get(run["params"]["agent"])
    assert comment["content"] == "Asked for the new price list" and comment["posted_by"]["uuid"] == agent["id"]
    assert comment["posted_by"]["extension"] == str(agent["extension"])  # a string in call.summary
    assert call["category"] == "callback" and payload(events, E)["category"] == "callback"

    _, events, call = run_and_finish(client, tenant, "incoming-answered")
    department = tenant.state["departments"].get(call["department"]["id"])
    assert payload(events, S)["legs"][1]["department"] == {"id": department["id"], "name": department["name"]}

    _, events, _ = run_and_finish(client, tenant, "ivr-only")
    ivr = payload(events, V)
    assert ivr["ivr_id"] == tenant.state["ivrs"].values()[0]["id"] and [e["event_type"] for e in events].count(D) == 0

    run, events, call = run_and_finish(client, tenant, "obd-anonymous", agent_number="+919800011122")
    assert call["legs"][0]["phone"] == "+919800011122" and call["legs"][0]["name"] == "Anonymous User"
    assert next(e for e in events if e["event_type"] == S)["bodies"]["legacy_call"]["_an"] == 1
    assert next(e for e in events if e["event_type"] == I)["bodies"]["envelope"]["customer_identifier"] == ""


def test_dispositions_with_and_without_a_comment(client, tenant):
    run, events, call = run_and_finish(client, tenant, "disposition-with-comment", disposition="Callback", type=2)
    disposition = next(e for e in events if e["event_type"] == DISPOSITION)["bodies"]
    agent = tenant.state["users"].get(run["params"]["agent"])
    assert [(d["type"], d["name"], d["user_id"]) for d in disposition["envelope"]["payload"]["dispositions"]] == [
        (2, "Callback", agent["id"])]
    (comment,) = disposition["envelope"]["payload"]["comments"]
    assert comment["content"] == run["params"]["comment"] and comment["posted_by"]["uuid"] == agent["id"]
    assert [(d["_lb"], d["_na"]) for d in disposition["legacy_call"]["_dsp"]] == [(2, "Callback")]
    # The comment is in the call's log: /search/search finds the call by its text.
    token = tenant.state.account["developer_token"]
    found = client.post("/search/search", data={"token": token, "search_key": "call back tomorrow"}).json()
    assert [hit_key(hit["_source"]) for hit in found["data"]["hits"]] == [call_key(call)]

    run, events, call = run_and_finish(client, tenant, "disposition-without-comment")
    disposition = next(e for e in events if e["event_type"] == DISPOSITION)["bodies"]["envelope"]
    assert disposition["payload"]["comments"] == []
    assert disposition["payload"]["dispositions"][0]["name"] == "Interested"
    assert call["comments"] == []

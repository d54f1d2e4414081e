"""The new call webhooks: documented examples, exact payloads for the documented timelines, quirks."""

from __future__ import annotations

import copy
import random
from datetime import timedelta

import pytest
from hypothesis import given, settings

from mock_server.clock import parse_iso
from mock_server.domain import call_builders, call_events, call_log, calls
from tests.domain.call_support import SHAPES, bits, build, seeds, shape_label, shapes, state, valid
from tests.support import webhook_examples

EXAMPLES = webhook_examples("call")

NEW = [e for e in EXAMPLES if not e["schema"].startswith("legacy.")]


def example(schema: str, title: str) -> dict:
    return copy.deepcopy(next(e["body"] for e in NEW if e["schema"] == schema and e["title"] == title))


@pytest.mark.parametrize("doc", NEW, ids=lambda e: f"{e['schema']}-{e['title']}")
def test_the_documented_examples_validate(doc):
    assert valid(f"webhooks/{doc['schema']}", doc["body"]) == {}
    assert valid("webhooks/envelope", doc["body"]) == {}


def test_the_schemas_hold_the_documented_quirks():
    summary = example("call.summary", "Incoming Call")
    assert valid("webhooks/call.summary", summary | {"system_identifier": "+911206544522"})
    summary["payload"]["legs"][1]["agent"]["extension"] = 10
    assert valid("webhooks/call.summary", summary)  # a string in call.summary
    disposition = example("disposition", "Disposition With Comment")
    disposition["payload"]["comments"][0]["posted_by"]["extension"] = "21"
    assert valid("webhooks/disposition", disposition)  # an integer in disposition
    assert valid("webhooks/disposition", example("disposition", "Single Disposition") | {"system_identifier": ""})
    dial = example("call.dial_begin", "Incoming Call")
    dial["payload"]["legs"][1]["dial_status"] = "NOANSWER"
    assert valid("webhooks/call.dial_begin", dial)
    assert valid("webhooks/call.initiated", example("call.initiated", "Full Example (Webhook Payload)")
                 | {"event_version": 1})
    end = example("call.end", "Incoming Call")
    del end["payload"]["legs"][0]["dept_id"]
    assert valid("webhooks/call.end", end)


# --- the documented timelines, played through the lifecycle ------------------------------------
def at(text: str):
    return parse_iso(text)


def incoming_example(uid: str, did: str = "+911206544522") -> dict:
    """call.dial_begin / call.answered / call.end "Incoming Call": agent leg 2 in dept123."""
    s = calls.new_session(calls.SessionStart(session_id="5db94c34447d2410", uid=uid, company_id="6836cad944e39380",
                                             category="incoming", started_at=at("2025-12-23T12:21:05.779Z"),
                                             customer={"number": "+917906225789", "country_code": "91", "name": ""},
                                             did=did))
    s = calls.start_leg(s, at("2025-12-23T12:21:05.779Z"), type="customer", phone="+917906225789", inbound=True)
    s = calls.start_leg(s, at("2025-12-23T12:21:31.978Z"), type="agent", phone="+919873641288", user_id="u1",
                        department_id="dept123")
    s = calls.ring_leg(s, 2, at("2025-12-23T12:21:32.500Z"))
    s = calls.answer_leg(s, 2, at("2025-12-23T12:21:41.822Z"))
    s = calls.end_leg(s, 2, at("2025-12-23T12:21:48.183Z"))
    return calls.end_session(s, at("2025-12-23T12:21:48.962Z"), recording=(
        "5228226174b1fbe77a2ab23e7be2dd3560c859d4b10e98a9c2d0f02437ec42676faf05fbe832a174e843bea00693867f-v2.mp3"))


def obd_agent_first_example(uid: str) -> list[dict]:
    """call.dial_begin / call.answered / call.end "OBD (Agent First)": every step's session."""
    s = calls.new_session(calls.SessionStart(session_id="a" * 16, uid=uid, company_id="6836cad944e39380",
                                             category="obd", started_at=at("2025-11-28T09:27:40.235Z"), dialer="user",
                                             notification="obd",
                                             customer={"number": "+919990094254", "country_code": "91", "name": ""},
                                             did="+912269659535", ref_id="7890c470-cc3c-11f0-9432-f7e9b3b009e3",
                                             client_ref_id="abee0de9-0c1c-4760-863c-f8f198b7f230",
                                             obd_campaign={"id": "670f929754225347", "job_id": ""}))
    steps = [s]
    for fn, args in ((calls.start_leg, dict(moment=at("2025-11-28T09:27:40.237Z"), type="agent",
                                            phone="+918368782690", user_id="u2")),
                     (calls.ring_leg, dict(leg_index=1, moment=at("2025-11-28T09:27:41.000Z"))),
                     (calls.answer_leg, dict(leg_index=1, moment=at("2025-11-28T09:27:56.784Z"))),
                     (calls.start_leg, dict(moment=at("2025-11-28T09:27:57.713Z"), type="customer",
                                            phone="+919990094254")),
                     (calls.ring_leg, dict(leg_index=2, moment=at("2025-11-28T09:27:58.000Z"))),
                     (calls.answer_leg, dict(leg_index=2, moment=at("2025-11-28T09:27:58.507Z"))),
                     (calls.end_leg, dict(leg_index=2, moment=at("2025-11-28T09:28:17.235Z"))),
                     (calls.end_leg, dict(leg_index=1, moment=at("2025-11-28T09:28:18.883Z"))),
                     (calls.end_session, dict(moment=at("2025-11-28T09:28:19.119Z"), recording=(
                         "8b0f4f4adf9ea027e997d79c1c4ebbef00c32f1fae7c413b745dc5fafb8bdd81cdb0703bfc8fa892e843bea00693867f-v2.mp3")))):
        steps.append(fn(steps[-1], **args))
    return steps


def oneway_example(uid: str) -> list[dict]:
    """call.dial_begin / call.answered / call.end "Oneway Call": the agent calls out (leg 1, on the call from
    the start), the customer is dialled and answers; each moment's session."""
    s = calls.new_session(calls.SessionStart(session_id="b" * 16, uid=uid, company_id="6836cad944e39380",
                                             category="oneway", started_at=at("2025-11-28T13:15:45.430Z"),
                                             did="+912269659535",
                                             customer={"number": "+919570350910", "country_code": "91", "name": ""}))
    s = calls.start_leg(s, at("2025-11-28T13:15:45.430Z"), type="agent", phone="+917779812955", user_id="u1",
                        inbound=True)
    dialled = calls.start_leg(s, at("2025-11-28T13:15:46.555Z"), type="customer", phone="+919570350910")
    answered = calls.answer_leg(calls.ring_leg(dialled, 2, at("2025-11-28T13:15:47.000Z")), 2,
                                at("2025-11-28T13:15:52.907Z"))
    ended = calls.end_session(calls.end_leg(answered, 2, at("2025-11-28T13:16:00.682Z")), at("2025-11-28T13:16:01.989Z"),
                              recording="8b0f4f4adf9ea027e997d79c1c4ebbef00c32f1fae7c413b0b9fe09b471426e4002b631bf50b8806e843bea00693867f-v2.mp3")
    return [dialled, answered, ended]


def test_the_documented_oneway_call():
    dialled, answered, ended = oneway_example("session.oneway.1")
    # As in the OBD examples, the dial examples show another DID (+911206544522) than the call.end: one DID here.
    did = {"system_identifier": ended["did"]}
    doc = example("call.dial_begin", "Oneway Call")
    assert call_events.call_dial_begin(dialled, 2, event_id=doc["event_id"], sequence=doc["event_sequence"]) == doc | did
    doc = example("call.answered", "Oneway Call")
    assert call_events.call_answered(answered, 2, event_id=doc["event_id"], sequence=doc["event_sequence"]) == doc | did
    doc = example("call.end", "Oneway Call")
    # As in the OBD example, session_id is a placeholder beside the payload's id, the call's UID.
    ended = oneway_example(doc["payload"]["id"])[-1]
    rendered = call_events.call_end(ended, event_id=doc["event_id"], sequence=doc["event_sequence"])
    assert rendered == doc | {"session_id": doc["payload"]["id"]}


def test_call_end_of_the_documented_incoming_call():
    doc = example("call.end", "Incoming Call")
    s = incoming_example("s4.1766492465.1359", did="+911206544510")
    assert call_events.call_end(s, event_id=doc["event_id"], sequence=doc["event_sequence"]) == doc


def test_dial_begin_and_answered_of_the_documented_incoming_call():
    s = incoming_example("session.incoming.1")
    doc = example("call.dial_begin", "Incoming Call")
    assert call_events.call_dial_begin(s, 2, event_id=doc["event_id"], sequence=doc["event_sequence"]) == doc
    doc = example("call.answered", "Incoming Call")
    assert call_events.call_answered(s, 2, event_id=doc["event_id"], sequence=doc["event_sequence"]) == doc


def test_the_documented_obd_agent_first_call():
    steps = obd_agent_first_example("session.obd.agent.1")
    final = steps[-1]
    # The dial examples of this call show another DID (+911206544522) than its call.end: one DID here.
    did = {"system_identifier": final["did"]}
    first = example("call.dial_begin", "OBD (Agent First - First Leg)")
    assert first["customer_identifier"] == ""  # the customer is not on the call yet
    assert call_events.call_dial_begin(final, 1, event_id=first["event_id"],
                                       sequence=first["event_sequence"]) == first | did
    second = example("call.dial_begin", "OBD (Agent First - Second Leg)")
    assert call_events.call_dial_begin(final, 2, event_id=second["event_id"],
                                       sequence=second["event_sequence"]) == second | did
    answered = example("call.answered", "OBD (Agent First - First Leg Answered)")
    assert call_events.call_answered(final, 1, event_id=answered["event_id"],
                                     sequence=answered["event_sequence"]) == answered | did
    end = example("call.end", "OBD (Agent First)")
    # session_id is the call's UID (the incoming call.end example has both "s4.1766492465.1359"); this
    # example's session_id is a placeholder beside its payload id.
    final = obd_agent_first_example(end["payload"]["id"])[-1]
    rendered = call_events.call_end(final, event_id=end["event_id"], sequence=end["event_sequence"])
    assert rendered["payload"]["category"] == "outgoing"  # the documented examples' word for an OBD call
    assert rendered == end | {"session_id": end["payload"]["id"]}


def test_a_live_session_renders_what_the_finished_one_replays():
    steps = obd_agent_first_example("s4.1764322060.478")
    final = steps[-1]
    for s in steps[1:-1]:
        moment = parse_iso(s["last_event_at"])
        for leg in s["legs"]:
            if leg["started_at"] == s["last_event_at"]:
                live = call_events.call_dial_begin(s, leg["leg_index"], event_id="e", at=moment)
                assert live == call_events.call_dial_begin(final, leg["leg_index"], event_id="e", at=moment)
            if leg["answered_at"] == s["last_event_at"]:
                live = call_events.call_answered(s, leg["leg_index"], event_id="e", at=moment)
                assert live == call_events.call_answered(final, leg["leg_index"], event_id="e", at=moment)


def test_call_initiated_as_documented():
    doc = example("call.initiated", "Full Example (Webhook Payload)")
    s = calls.new_session(calls.SessionStart(session_id="b" * 16, uid=doc["session_id"], company_id=doc["company_id"],
                                             category="incoming", started_at=at(doc["payload"]["started_at"]),
                                             customer={"number": doc["customer_identifier"]},
                                             did=doc["system_identifier"]))
    rendered = call_events.call_initiated(s, event_id=doc["event_id"], sequence=doc["event_sequence"],
                                          at=at(doc["timestamp"][:26] + "Z"))
    assert rendered["timestamp"] == "2026-04-07T10:03:23.895577Z"  # microseconds: the server clock's precision
    assert rendered | {"timestamp": doc["timestamp"]} == doc


SUMMARY_USERS = [
    {"id": "6836cad947bcc605", "name": "Agent1 Name", "email": "xyz@email.com", "extension": 10,
     "country_code": "91", "contact_number": "1234567890"},
    {"id": "69d4d6bb5ffa3909", "name": "Agent2 Name", "email": None, "extension": 15, "country_code": "91",
     "contact_number": "3214567890"},
]


def test_call_summary_of_the_documented_hunted_incoming_call():
    doc = example("call.summary", "Incoming Call")
    dept = {"id": "6836e64613c33702", "name": "Technical Department"}
    s = calls.new_session(calls.SessionStart(session_id="c" * 16, uid=doc["session_id"], company_id=doc["company_id"],
                                             category="incoming", started_at=at("2026-04-14T05:28:04Z"),
                                             department=dept,
                                             customer={"number": "+919876543210", "country_code": "91"},
                                             did="+911206544522", location="KO, IN"))
    s = calls.start_leg(s, at("2026-04-14T05:28:04Z"), type="customer", phone="+919876543210", inbound=True,
                        department_id=dept["id"])
    s = calls.start_leg(s, at("2026-04-14T05:28:22Z"), type="agent", phone="+911234567890",
                        user_id="6836cad947bcc605", department_id=dept["id"])
    s = calls.ring_leg(s, 2, at("2026-04-14T05:28:23Z"))
    s = calls.end_leg(s, 2, at("2026-04-14T05:28:44Z"), "BUSY")
    s = calls.start_leg(s, at("2026-04-14T05:28:47Z"), type="agent", phone="+913214567890",
                        user_id="69d4d6bb5ffa3909", department_id=dept["id"])
    s = calls.ring_leg(s, 3, at("2026-04-14T05:28:48Z"))
    s = calls.answer_leg(s, 3, at("2026-04-14T05:28:59Z"))
    s = calls.end_leg(s, 3, at("2026-04-14T05:29:25Z"))
    s = calls.end_session(s, at("2026-04-14T05:29:26Z"), recording=doc["payload"]["recording_filename"])
    tenant = call_log.tenant_bits(doc["company_id"], SUMMARY_USERS, [dept])
    rendered = call_events.call_summary(s, tenant, event_id=doc["event_id"], at=at("2026-04-14T05:29:28.838594Z"))
    assert rendered | {"timestamp": doc["timestamp"]} == doc
    assert rendered["event_sequence"] == 1 and rendered["system_identifier"] == ""


def test_the_documented_disposition_with_a_comment():
    doc = example("disposition", "Disposition With Comment")
    user = {"id": "694e6be5a520b309", "name": "John", "email": None, "extension": 21, "country_code": "91",
            "contact_number": "9999999999"}
    s = incoming_example(doc["session_id"])
    s = s | {"company_id": doc["company_id"], "customer": {"number": "+919999999999", "country_code": "91",
                                                           "name": ""}}
    s = calls.add_disposition(s, at("2026-03-18T05:34:02Z"), type=1, name="test1", user_id=user["id"])
    s = calls.add_disposition(s, at("2026-03-18T05:34:02Z"), type=2, name="Test_101", user_id=user["id"])
    s = calls.add_comment(s, at("2026-03-24T04:11:13Z"), comment_id="d74a790f0de2162f", text="1121212",
                          user_id=user["id"])
    tenant = call_log.tenant_bits(doc["company_id"], [user], [])
    rendered = call_events.disposition(s, tenant, event_id=doc["event_id"], sequence=doc["event_sequence"],
                                       at=at("2026-03-24T04:11:13Z"))
    assert rendered == doc
    earlier = call_events.disposition(s, tenant, event_id="x", sequence=1, at=at("2026-03-18T05:34:02Z"))
    assert earlier["payload"]["comments"] == [] and len(earlier["payload"]["dispositions"]) == 2


# --- generated calls of every shape ---------------------------------------------------------------
def all_events(s: dict) -> list[dict]:
    s = calls.add_comment(s, parse_iso(s["ended_at"]) + timedelta(seconds=3), comment_id="9" * 16,
                          text="followed up", user_id=state("users")[1]["id"])
    s = calls.add_disposition(s, parse_iso(s["ended_at"]) + timedelta(seconds=4), type=1, name="Interested",
                              user_id=state("users")[1]["id"])
    events = []
    for n, step in enumerate(call_events.timeline(s), 1):
        s, sequence = calls.take_sequence(s)
        assert sequence == n
        events.append(call_events.render(s, step, bits(), event_id=f"event-{n}", sequence=sequence))
    return events


@pytest.mark.parametrize("shape", SHAPES, ids=shape_label)
def test_every_event_of_every_shape_validates_and_follows_the_leg_mapping(shape):
    category, outcome, options = shape
    s = build(category, outcome, **options)
    events = all_events(s)
    for event in events:
        assert valid(f"webhooks/{event['event_type']}", event) == {}, event
        assert event["session_id"] == s["uid"] and event["company_id"] == s["company_id"]
    kinds = [e["event_type"] for e in events]
    assert kinds[0] == "call.initiated" and kinds[-3:] == ["call.end", "call.summary", "disposition"]
    dialled = [l for l in s["legs"] if not l["inbound"]]
    if category == "otp":
        assert "call.dial_begin" not in kinds and "call.answered" not in kinds
    else:
        assert kinds.count("call.dial_begin") == len(dialled)
        assert kinds.count("call.answered") == sum(1 for l in dialled if l["answered_at"])
    first_dial = next((e for e in events if e["event_type"] == "call.dial_begin"), None)
    if first_dial:
        assert first_dial["payload"]["legs"][0]["type"] == s["legs"][0]["type"]
        assert first_dial["payload"]["legs"][-1]["result"] == "dialing"
    times = [parse_iso(e["timestamp"]) for e in events if e["event_type"] in call_events.LIFECYCLE]
    assert times == sorted(times)
    end = next(e for e in events if e["event_type"] == "call.end")
    summary = next(e for e in events if e["event_type"] == "call.summary")
    assert end["payload"]["category"] == ("outgoing" if category == "obd" else category)
    assert summary["payload"]["category"] == category and summary["payload"]["duration"] == s["duration"]
    assert [l["leg_index"] for l in summary["payload"]["legs"]] == [l["leg_index"] for l in s["legs"]]
    disposition = events[-1]
    assert disposition["direction"] == "" and disposition["system_identifier"] is None
    assert isinstance(disposition["payload"]["comments"][0]["posted_by"]["extension"], int)
    assert isinstance(summary["payload"]["comments"][0]["posted_by"]["extension"], str)


@settings(max_examples=60, deadline=None)
@given(shape=shapes, seed=seeds)
def test_any_seed_emits_valid_events(shape, seed):
    category, outcome, options = shape
    for event in all_events(build(category, outcome, seed=seed, **options)):
        assert valid(f"webhooks/{event['event_type']}", event) == {}


def test_agents_and_departments_in_the_summary():
    s = build("incoming", "bridged", hunt=1, extension_dial=True)
    summary = call_events.call_summary(s, bits(), event_id="e")
    users = {u["id"]: u for u in state("users")}
    customer, missed, answered = summary["payload"]["legs"]
    assert customer["agent"] is None and customer["department"] == s["department"]
    user = users[s["legs"][2]["user_id"]]
    assert answered["agent"] == {"uuid": user["id"], "name": user["name"], "email": user["email"],
                                 "contact": s["legs"][2]["phone"], "extension": str(user["extension"])}
    assert missed["result"] == "not_answered" and missed["talk_duration"] is None
    end = call_events.call_end(s, event_id="e")
    assert [l["dept_id"] for l in end["payload"]["legs"]] == ["", "extension", "extension"]
    assert end["payload"]["obd_campaign"] is None and summary["payload"]["location"] == s["location"]


def test_customer_identifier_waits_for_the_customer_leg():
    s = build("obd", "bridged", dialer="user")
    first = call_events.call_dial_begin(s, 1, event_id="e")
    assert first["customer_identifier"] == "" and [l["type"] for l in first["payload"]["legs"]] == ["agent"]
    assert call_events.call_initiated(s, event_id="e")["customer_identifier"] == ""
    second = call_events.call_dial_begin(s, 2, event_id="e")
    assert second["customer_identifier"] == s["customer"]["number"]
    assert call_events.call_end(s, event_id="e")["customer_identifier"] == s["customer"]["number"]


def test_events_the_call_cannot_emit_are_refused():
    otp = build("otp", "bridged")
    with pytest.raises(ValueError, match="OTP"):
        call_events.call_dial_begin(otp, 1, event_id="e")
    incoming = build("incoming", "missed", failure="BUSY")
    with pytest.raises(ValueError, match="never dialled"):
        call_events.call_dial_begin(incoming, 1, event_id="e")
    with pytest.raises(ValueError, match="never answered"):
        call_events.call_answered(incoming, 2, event_id="e")
    with pytest.raises(ValueError, match="ended"):
        call_events.call_end(calls.session_at(incoming, parse_iso(incoming["started_at"])), event_id="e")
    with pytest.raises(ValueError, match="needs a disposition"):
        call_events.disposition(incoming, bits(), event_id="e")
    assert call_events.timeline(call_builders.build_sms(rng=random.Random(1), start=parse_iso(
        incoming["started_at"]), company_id="c", customer=incoming["customer"], did=incoming["did"],
        direction="outgoing")) == []


def test_a_leg_rendered_mid_call_shows_running_durations():
    s = build("incoming", "bridged", ring=5, talk=60)
    agent = s["legs"][1]
    answered = parse_iso(agent["answered_at"])
    view = call_events.call_answered(s, 2, event_id="e", at=answered + timedelta(seconds=10))
    customer_leg, agent_leg = view["payload"]["legs"]
    assert agent_leg["talk_duration"] == 10 and agent_leg["ended_at"] is None and agent_leg["ring_duration"] == 5
    assert customer_leg["talk_duration"] == calls.seconds_between(s["legs"][0]["started_at"],
                                                                  answered + timedelta(seconds=10))
    assert customer_leg["result"] == "connected" and customer_leg["answered_at"] is None


# --- call.ivr_started (payload inferred: the docs only name the event) ------------------------------
def obd_ivr_session() -> dict:
    s = calls.new_session(calls.SessionStart(session_id="d" * 16, uid="s4.1751364000.42", company_id="6836cad944e39380",
                                             category="obd", dialer="ivr", notification="obd",
                                             ivr_id="670f929754225347",
                                             obd_campaign={"id": "670f929754225347", "job_id": ""},
                                             started_at=at("2025-07-01T10:00:00Z"),
                                             customer={"number": "+919876543210", "country_code": "91"},
                                             did="+911206544522"))
    s = calls.start_leg(s, at("2025-07-01T10:00:00.002Z"), type="customer", phone="+919876543210")
    s = calls.ring_leg(s, 1, at("2025-07-01T10:00:01Z"))
    return calls.answer_leg(s, 1, at("2025-07-01T10:00:05.250Z"))


def test_call_ivr_started_when_the_customer_reaches_the_ivr():
    s = calls.reach_ivr(obd_ivr_session(), at("2025-07-01T10:00:06.500Z"))
    body = call_events.call_ivr_started(s, event_id="event-ivr", sequence=4)
    assert valid("webhooks/call.ivr_started", body) == {} and valid("webhooks/envelope", body) == {}
    assert body["payload"] == {"ivr_id": "670f929754225347", "started_at": "2025-07-01T10:00:06.500Z"}
    assert (body["event_sequence"], body["customer_identifier"], body["session_id"]) == (4, "+919876543210",
                                                                                         "s4.1751364000.42")
    assert body["timestamp"] == "2025-07-01T10:00:06.500000Z" and body["direction"] == "outgoing"
    done = calls.end_session(s, at("2025-07-01T10:00:20Z"))
    kinds = [step["event_type"] for step in call_events.timeline(done)]
    assert kinds == ["call.initiated", "call.dial_begin", "call.answered", "call.ivr_started", "call.end", "call.summary"]
    replayed = call_events.render(done, call_events.timeline(done)[3], bits(), event_id="event-ivr", sequence=4)
    assert replayed == body  # the finished call replays what the live one said
    before = at("2025-07-01T10:00:06Z")
    assert calls.session_at(done, before)["ivr_started_at"] is None
    with pytest.raises(ValueError, match="not reached its IVR"):
        call_events.call_ivr_started(done, event_id="e", at=before)
    with pytest.raises(ValueError, match="never reached an IVR"):
        call_events.call_ivr_started(obd_ivr_session(), event_id="e")


def test_an_incoming_caller_reaches_the_ivr_before_any_agent_and_names_no_ivr_when_it_has_none():
    s = calls.new_session(calls.SessionStart(session_id="e" * 16, uid="s4.1751364000.43", company_id="c" * 16,
                                             category="incoming", started_at=at("2025-07-01T10:00:00Z"),
                                             customer={"number": "+919876543210"}, did="+911206544522"))
    s = calls.start_leg(s, at("2025-07-01T10:00:00Z"), type="customer", phone="+919876543210", inbound=True)
    body = call_events.call_ivr_started(calls.reach_ivr(s, at("2025-07-01T10:00:01Z")), event_id="e")
    assert body["payload"]["ivr_id"] == "" and valid("webhooks/call.ivr_started", body) == {}


def test_reaching_the_ivr_is_refused_when_it_cannot_happen():
    answered = obd_ivr_session()
    ringing = calls.session_at(answered, at("2025-07-01T10:00:02Z"))  # the customer has not answered yet
    reached = calls.reach_ivr(answered, at("2025-07-01T10:00:06Z"))
    ended = calls.end_session(answered, at("2025-07-01T10:00:09Z"))
    for session, moment, words in ((ringing, "2025-07-01T10:00:03Z", "cannot take 'ivr'"),
                                   (reached, "2025-07-01T10:00:07Z", "already reached"),
                                   (ended, "2025-07-01T10:00:10Z", "cannot take 'ivr'"),
                                   (answered, "2025-07-01T10:00:04Z", "backwards")):
        before = copy.deepcopy(session)
        with pytest.raises(calls.IllegalTransition, match=words):
            calls.reach_ivr(session, at(moment))
        assert session == before
    no_customer = calls.new_session(calls.SessionStart(session_id="f" * 16, uid="u", company_id="c" * 16,
                                                       category="obd", dialer="user",
                                                       started_at=at("2025-07-01T10:00:00Z"),
                                                       customer={"number": "+919876543210"}, did="+911206544522"))
    with pytest.raises(calls.IllegalTransition, match="no customer on the line"):
        calls.reach_ivr(no_customer, at("2025-07-01T10:00:01Z"))

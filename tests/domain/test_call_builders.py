"""Whole calls built through the lifecycle: leg mapping per call type, durations, outcomes."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings

from mock_server.clock import parse_iso
from mock_server.domain import call_builders, calls
from tests.domain.call_support import (CUSTOMER, DID, SHAPES, T0, agents, build, check_invariants, company_id,
                                       department, seeds, shape_label, shapes, spec_for, state)

# The documented leg mapping (call.dial_begin, "Call Type -> Leg Mapping").
FIRST_LEG = {("incoming", None): "customer", ("oneway", None): "agent", ("webcall", None): "agent",
             ("obd", "user"): "agent", ("obd", "anonymous"): "agent", ("obd", "ivr"): "customer",
             ("callback", "agent"): "agent", ("callback", "customer"): "customer", ("otp", None): "customer"}


def expected_first(category: str, options: dict) -> str:
    key = options.get("dialer") if category == "obd" else options.get("first", "agent") if category == "callback" \
        else None
    return FIRST_LEG[(category, key)]


@pytest.mark.parametrize("shape", SHAPES, ids=shape_label)
def test_each_shape_ends_as_asked_with_the_documented_leg_mapping(shape):
    category, outcome, options = shape
    s = build(category, outcome, **options)
    check_invariants(s)
    assert s["state"] == "ended" and s["status"] == outcome and s["category"] == category
    assert s["direction"] == ("incoming" if category == "incoming" else "outgoing")
    first = expected_first(category, options)
    assert s["legs"][0]["type"] == first
    other = "agent" if first == "customer" else "customer"
    assert all(leg["type"] == other for leg in s["legs"][1:]), "after leg 1 only the other party is dialled"
    if category == "otp":
        assert len(s["legs"]) == 1
    if category == "obd" and options.get("dialer") == "ivr" and options.get("agent_count") == 0:
        assert len(s["legs"]) == 1 and s["legs"][0]["answered_at"]  # IVR only: answered, yet missed
    # incoming callers and oneway/webcall agents call in; everyone else is dialled
    inbound = category == "incoming" or (category in ("oneway", "webcall") and not options.get("clickocall"))
    assert s["legs"][0]["inbound"] == inbound
    assert s["legs"][0]["result"] == ("connected" if inbound else s["legs"][0]["result"])


@settings(max_examples=100, deadline=None)
@given(shape=shapes, seed=seeds)
def test_any_seed_builds_a_consistent_call(shape, seed):
    category, outcome, options = shape
    s = build(category, outcome, seed=seed, **options)
    check_invariants(s)
    assert s["status"] == outcome
    assert s["recording"] == (calls.recording_file_name(s) if outcome in ("bridged", "voicemail") else None)
    assert s["billable"] == any(l["answered_at"] or l["inbound"] for l in s["legs"])
    assert s["uid"] == f"s4.{int(T0.timestamp())}.{s['uid'].rsplit('.', 1)[1]}"
    assert len(s["id"]) == 16 and int(s["id"], 16) >= 0
    if category == "webcall":
        assert s["legs"][0]["pickup_device"] == "web" and s["notification"] == "webrtc"
    if category == "obd":
        assert s["notification"] == "obd" and s["obd_campaign"] and s["ref_id"]
    for leg in s["legs"]:
        assert parse_iso(leg["started_at"]) >= parse_iso(s["started_at"])


def test_a_recording_is_named_like_the_documented_ones_and_belongs_to_one_call():
    # call.end's examples: "5228226174b1…e843bea00693867f-v2.mp3", 96 hex digits and -v2.mp3
    names = {build("incoming", "bridged", seed=seed)["recording"] for seed in range(20)}
    assert len(names) == 20 and all(re.fullmatch(r"[0-9a-f]{96}-v2\.mp3", name) for name in names)
    s = build("oneway", "bridged")
    assert s["recording"] == calls.recording_file_name(s) == calls.recording_file_name(dict(s))
    assert calls.recording_file_name({**s, "company_id": "0" * 16}) != s["recording"]


def test_hunting_tries_the_next_agent_after_one_does_not_answer():
    s = build("incoming", "bridged", hunt=1)
    customer, missed, answered = s["legs"]
    assert customer["type"] == "customer" and customer["result"] == "connected"
    assert missed["type"] == answered["type"] == "agent" and missed["user_id"] != answered["user_id"]
    assert missed["result"] == "not_answered" and missed["dial_status"] in ("NO ANSWER", "BUSY")
    assert missed["answered_at"] is None and missed["talk_duration"] is None
    assert parse_iso(answered["started_at"]) >= parse_iso(missed["ended_at"])
    assert answered["dial_status"] == "ANSWER" and calls.leg_outcome(missed) == "missed"


def test_a_transfer_ends_the_agent_leg_and_dials_the_next_index():
    s = build("incoming", "bridged", transfer=True)
    first, second = s["legs"][1], s["legs"][2]
    assert first["transferred_to"] == 3 and second["transferred_from"] == 2
    assert first["ended_at"] == second["started_at"]
    assert calls.leg_outcome(first) == "transferred" and calls.leg_outcome(second) == "received"
    assert second["answered_at"] and s["status"] == "bridged"


def test_voicemail_is_left_after_every_agent_failed():
    s = build("incoming", "voicemail", hunt=1)
    assert s["voicemail_at"] and s["recording"] == calls.recording_file_name(s)
    assert all(l["result"] == "not_answered" for l in s["legs"] if l["type"] == "agent")
    assert parse_iso(s["voicemail_at"]) >= max(parse_iso(l["ended_at"]) for l in s["legs"][1:])


def test_a_cancelled_call_is_missed_with_the_ringing_leg_cancelled():
    s = build("incoming", "missed", failure="CANCEL")
    agent = s["legs"][-1]
    assert agent["dial_status"] == "CANCEL" and agent["ended_at"] == s["ended_at"] and s["status"] == "missed"


def test_explicit_ring_and_talk_seconds_are_the_durations():
    s = build("obd", "bridged", dialer="user", ring=7, talk=42)
    agent, customer = s["legs"]
    assert agent["ring_duration"] == customer["ring_duration"] == 7
    assert customer["talk_duration"] == 42
    assert agent["talk_duration"] == calls.seconds_between(agent["answered_at"], agent["ended_at"]) >= 42 + 7


def test_the_same_seed_builds_the_same_call():
    assert build("incoming", "bridged", seed=9, hunt=1) == build("incoming", "bridged", seed=9, hunt=1)
    assert build("incoming", "bridged", seed=9) != build("incoming", "bridged", seed=10)


def test_an_sms_log_has_no_legs():
    s = call_builders.build_sms(rng=random.Random(1), start=T0, company_id=company_id(), customer=CUSTOMER, did=DID,
                        direction="outgoing", source="mobile")
    assert s["type"] == "sms" and s["legs"] == [] and s["state"] == "ended" and s["duration"] == 0
    assert s["direction"] == "outgoing" and s["source"] == "mobile" and s["status"] == "bridged" and s["billable"]
    with pytest.raises(calls.IllegalTransition):
        calls.start_leg(calls.new_session(calls.SessionStart(session_id="1" * 16, uid="s4.1.1", company_id="c",
                                                             category="oneway", started_at=T0, customer=CUSTOMER,
                                                             did=DID, kind="sms")),
                        T0, type="agent", phone=DID)


@pytest.mark.parametrize("spec, message", [
    (lambda: spec_for("obd", "voicemail", dialer="user"), "only an incoming call ends in voicemail"),
    (lambda: spec_for("obd", "bridged"), "dialer"),
    (lambda: call_builders.CallSpec("incoming", "bridged", CUSTOMER, DID, (), department()), "needs agents"),
    (lambda: call_builders.CallSpec("oneway", "missed", CUSTOMER, DID), "needs agents"),
    (lambda: spec_for("incoming", "hung"), "unknown outcome"),
    (lambda: spec_for("incoming", "missed", failure="DROPPED"), "unknown failure"),
    (lambda: spec_for("obd", "missed", dialer="user", missed_by="nobody"), "missed_by"),
    (lambda: spec_for("incoming", "bridged", ring=0), "ring is at least 1"),
])
def test_impossible_specs_are_refused(spec, message):
    with pytest.raises(ValueError, match=message):
        call_builders.build_call(spec(), rng=random.Random(1), start=T0, company_id=company_id())


def test_new_session_refuses_bad_numbers_and_naive_times():
    good = dict(session_id="1" * 16, uid="s4.1.1", company_id="c", category="incoming", started_at=T0,
                customer=CUSTOMER, did=DID)
    for bad, message in ((dict(did="1206544522"), "E.164"), (dict(customer={"number": "98765"}), "E.164"),
                         (dict(category="fax"), "category"), (dict(source="web"), "source"),
                         (dict(started_at=T0.replace(tzinfo=None)), "timezone")):
        with pytest.raises(ValueError, match=message):
            calls.new_session(calls.SessionStart(**(good | bad)))


def test_parties_come_from_user_documents():
    user = state("users")[0]
    p = call_builders.party(user)
    assert p["phone"] == f"+{user['country_code']}{user['contact_number']}" and p["user_id"] == user["id"]
    with pytest.raises(ValueError, match="no phone number"):
        call_builders.party({"id": "x", "name": "Anonymous User", "contact_number": ""})
    assert agents(2)[0]["user_id"] != agents(2)[1]["user_id"]

"""The call lifecycles: every (state, event) pair of both tables is a legal move or a clean error."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from hypothesis import given, settings, strategies as st

from mock_server.clock import parse_iso
from mock_server.domain import calls
from mock_server.domain.calls import (LEG_EVENTS, LEG_STATES, LEG_TABLE, SESSION_EVENTS, SESSION_STATES,
                                      SESSION_TABLE, IllegalTransition)
from tests.domain.call_support import CUSTOMER, DID, T0, agents, check_invariants, later

AGENT = agents(2)


def fresh(category: str = "incoming") -> dict:
    return calls.new_session(calls.SessionStart(session_id="a" * 16, uid="s4.1751364000.7", company_id="c" * 16,
                                                category=category, started_at=T0, customer=CUSTOMER, did=DID))


def dial(s: dict, at: float, who: dict = AGENT[0], type: str = "agent") -> dict:
    return calls.start_leg(s, later(T0, at), type=type, phone=who["phone"], user_id=who.get("user_id"),
                           name=who.get("name", ""))


def connected(category: str = "incoming") -> dict:
    return calls.start_leg(fresh(category), later(T0, 0.1), type="customer", phone=CUSTOMER["number"], inbound=True)


def variants() -> dict[str, list[dict]]:
    """Sessions in each state, with legs in every leg state the session state allows."""
    initiated = connected()
    ringing_live = calls.ring_leg(dial(dial(initiated, 2), 3, AGENT[1]), 3, later(T0, 4))  # leg 2 dialing, 3 ringing
    ringing_spent = calls.end_leg(calls.ring_leg(dial(initiated, 2), 2, later(T0, 3)), 2, later(T0, 30))
    answered = calls.answer_leg(ringing_live, 3, later(T0, 8))
    answered_spent = calls.end_leg(answered, 3, later(T0, 20))
    voicemail = calls.start_voicemail(ringing_spent, later(T0, 31))
    ended = calls.end_session(answered, later(T0, 60))
    ended_voicemail = calls.end_session(voicemail, later(T0, 61))
    outbound = calls.ring_leg(dial(fresh("obd"), 1, {"phone": CUSTOMER["number"]}, "customer"), 1, later(T0, 2))
    answered_more = calls.ring_leg(dial(answered, 9), 4, later(T0, 10))  # leg 4 ringing beside leg 3
    return {"initiated": [fresh(), initiated], "ringing": [ringing_live, ringing_spent, outbound],
            "answered": [answered, answered_spent, answered_more], "voicemail": [voicemail],
            "ended": [ended, ended_voicemail]}


def leg_in(s: dict, *states: str) -> int:
    for leg in reversed(s["legs"]):
        if leg["state"] in states:
            return leg["leg_index"]
    return 1


def apply_session_event(s: dict, event: str) -> dict:
    """The lifecycle function behind each session event, aimed at a leg that makes it possible."""
    at = later(parse_iso(s["last_event_at"]), 1)
    if event == "connect":
        return calls.start_leg(s, at, type="customer", phone=CUSTOMER["number"], inbound=True)
    if event == "dial":
        return dial(s, (at - T0).total_seconds())
    if event == "ring":
        return calls.ring_leg(s, leg_in(s, "dialing"), at)
    if event == "answer":
        return calls.answer_leg(s, leg_in(s, "ringing"), at)
    if event == "leg_end":
        return calls.end_leg(s, leg_in(s, *calls.LIVE_LEG_STATES), at)
    if event == "transfer":
        target = AGENT[1]
        return calls.transfer(s, leg_in(s, "answered"), at, phone=target["phone"], user_id=target["user_id"])
    if event == "voicemail":
        return calls.start_voicemail(s, at)
    if event == "hangup":
        return calls.end_session(s, at)
    if event == "comment":
        return calls.add_comment(s, at, comment_id="f" * 16, text="note", user_id=AGENT[0]["user_id"])
    if event == "dispose":
        return calls.add_disposition(s, at, type=1, name="Interested", user_id=AGENT[0]["user_id"])
    flag, value = {"star": ("starred", True), "unstar": ("starred", False), "archive": ("archived", True),
                   "unarchive": ("archived", False)}[event]
    return calls.set_flag(s, at, flag, value)


def test_the_tables_are_closed():
    for table, states in ((SESSION_TABLE, SESSION_STATES), (LEG_TABLE, LEG_STATES)):
        assert set(table) == set(states)
        for moves in table.values():
            assert set(moves.values()) <= set(states)
    assert not LEG_TABLE["ended"], "an ended leg is final"
    # After the hang-up only the log changes: notes, dispositions, stars, archiving.
    assert set(SESSION_TABLE["ended"]) == {"comment", "dispose", "star", "unstar", "archive", "unarchive"}
    assert all(target == "ended" for target in SESSION_TABLE["ended"].values())


def test_which_failures_a_dialled_leg_can_have():
    # BUSY and NO CARRIER can come before the far end rings; NO ANSWER only once it rang; a caller
    # hanging up cancels either; a talking leg only hangs up or transfers.
    failures = set(calls.FAILURE_EVENTS.values())
    assert {e for e in LEG_TABLE["dialing"] if e in failures} == {"busy", "no_carrier", "cancel"}
    assert {e for e in LEG_TABLE["ringing"] if e in failures} == {"no_answer", "busy", "cancel"}
    assert set(LEG_TABLE["answered"]) == set(LEG_TABLE["connected"]) == {"hangup", "transfer"}


@pytest.mark.parametrize("state", SESSION_STATES)
@pytest.mark.parametrize("event", SESSION_EVENTS)
def test_every_session_state_event_pair(state, event):
    sessions = variants()[state]
    allowed = event in SESSION_TABLE[state]
    successes = 0
    for s in sessions:
        assert s["state"] == state
        before = copy.deepcopy(s)
        try:
            after = apply_session_event(s, event)
        except IllegalTransition as exc:
            assert s == before, "a refused move changed its input"
            assert isinstance(exc, ValueError) and str(exc)
            if not allowed:
                assert exc.machine in ("session", "leg") and exc.event
            continue
        assert allowed, f"{state} + {event} is not in the table but succeeded"
        assert s == before, "a move changed its input"
        assert after["state"] == SESSION_TABLE[state][event]
        successes += 1
    if allowed:
        assert successes, f"the table allows {state} + {event} but no session in {state} could take it"


def leg_sessions() -> dict[str, tuple[dict, int]]:
    v = variants()
    answered = v["answered"][0]
    oneway = calls.start_leg(fresh("oneway"), later(T0, 0.1), type="agent", phone=AGENT[0]["phone"],
                             user_id=AGENT[0]["user_id"], inbound=True)  # the agent called in: connected
    oneway = calls.answer_leg(calls.ring_leg(dial(oneway, 1, {"phone": CUSTOMER["number"]}, "customer"), 2,
                                             later(T0, 2)), 2, later(T0, 6))
    return {"dialing": (v["ringing"][0], 2), "ringing": (v["ringing"][0], 3), "connected": (oneway, 1),
            "answered": (answered, 3), "ended": (v["answered"][1], 3)}


def apply_leg_event(s: dict, index: int, event: str) -> dict:
    at = later(parse_iso(s["last_event_at"]), 1)
    if event == "ring":
        return calls.ring_leg(s, index, at)
    if event == "answer":
        return calls.answer_leg(s, index, at)
    if event == "hangup":
        return calls.end_leg(s, index, at, "ANSWER")
    if event == "transfer":
        return calls.transfer(s, index, at, phone=AGENT[1]["phone"], user_id=AGENT[1]["user_id"])
    return calls.end_leg(s, index, at, calls.FAILURE_STATUS[event])


@pytest.mark.parametrize("state", LEG_STATES)
@pytest.mark.parametrize("event", LEG_EVENTS)
def test_every_leg_state_event_pair(state, event):
    s, index = leg_sessions()[state]
    assert calls.find_leg(s, index)["state"] == state
    before = copy.deepcopy(s)
    allowed = event in LEG_TABLE[state]
    if event == "transfer" and calls.find_leg(s, index)["type"] != "agent":
        allowed = False  # a guard beyond the table: only agents transfer
    if not allowed:
        with pytest.raises(IllegalTransition):
            apply_leg_event(s, index, event)
        assert s == before
        return
    after = apply_leg_event(s, index, event)
    assert s == before
    leg = calls.find_leg(after, index)
    assert leg["state"] == LEG_TABLE[state][event]
    if leg["state"] == "ended" and event in calls.FAILURE_EVENTS.values():
        assert leg["dial_status"] == calls.FAILURE_STATUS[event] and leg["result"] == "not_answered"


def test_a_customer_leg_cannot_transfer_and_nothing_changes():
    s = calls.answer_leg(calls.ring_leg(dial(fresh("obd"), 1, {"phone": CUSTOMER["number"]}, "customer"), 1,
                                        later(T0, 2)), 1, later(T0, 5))
    before = copy.deepcopy(s)
    with pytest.raises(IllegalTransition, match="only an agent"):
        calls.transfer(s, 1, later(T0, 9), phone=AGENT[0]["phone"], user_id=AGENT[0]["user_id"])
    assert s == before


def test_time_cannot_run_backwards():
    s = calls.ring_leg(dial(connected(), 5), 2, later(T0, 6))
    before = copy.deepcopy(s)
    with pytest.raises(IllegalTransition, match="time cannot go backwards"):
        calls.answer_leg(s, 2, later(T0, 5.5))
    assert s == before


def test_unknown_legs_and_dial_statuses_are_refused():
    s = dial(connected(), 2)
    with pytest.raises(IllegalTransition, match="no leg 9"):
        calls.ring_leg(s, 9, later(T0, 3))
    with pytest.raises(IllegalTransition, match="unknown dial status"):
        calls.end_leg(s, 2, later(T0, 3), "HUNG")
    with pytest.raises(IllegalTransition, match="E.164"):
        calls.start_leg(s, later(T0, 3), type="agent", phone="98765")
    with pytest.raises(IllegalTransition, match="type is 1 or 2"):
        calls.add_disposition(calls.end_session(s, later(T0, 9)), later(T0, 10), type=3, name="x", user_id="u")


def test_voicemail_needs_a_caller_and_no_live_dialled_leg():
    ringing = dial(connected(), 2)
    with pytest.raises(IllegalTransition, match="still live"):
        calls.start_voicemail(ringing, later(T0, 3))
    nobody = calls.end_leg(dial(fresh("callback"), 1), 1, later(T0, 3), "BUSY")
    with pytest.raises(IllegalTransition, match="no caller"):
        calls.start_voicemail(nobody, later(T0, 4))


# --- random walks through the lifecycle ---------------------------------------------------------
OPS = ("connect", "dial_agent", "dial_customer", "ring", "answer", "end", "fail", "hangup_leg", "transfer",
       "voicemail", "hangup", "comment", "dispose", "star", "archive")
steps = st.lists(st.tuples(st.sampled_from(OPS), st.integers(1, 9), st.sampled_from(calls.FAILURES),
                           st.floats(min_value=-5, max_value=120, allow_nan=False)), max_size=25)


def run_op(s: dict, op: str, leg: int, failure: str, moment) -> dict:
    who = AGENT[leg % 2]
    if op == "connect":
        return calls.start_leg(s, moment, type="customer", phone=CUSTOMER["number"], inbound=True)
    if op in ("dial_agent", "dial_customer"):
        party = who if op == "dial_agent" else {"phone": CUSTOMER["number"]}
        return calls.start_leg(s, moment, type=op.split("_")[1], phone=party["phone"], user_id=party.get("user_id"))
    if op == "ring":
        return calls.ring_leg(s, leg, moment)
    if op == "answer":
        return calls.answer_leg(s, leg, moment)
    if op == "end":
        return calls.end_leg(s, leg, moment)
    if op == "fail":
        return calls.end_leg(s, leg, moment, failure)
    if op == "hangup_leg":
        return calls.end_leg(s, leg, moment, "ANSWER")
    if op == "transfer":
        return calls.transfer(s, leg, moment, phone=who["phone"], user_id=who["user_id"])
    if op == "voicemail":
        return calls.start_voicemail(s, moment)
    if op == "hangup":
        return calls.end_session(s, moment, recording="x.mp3")
    if op == "comment":
        return calls.add_comment(s, moment, comment_id="e" * 16, text="hello", user_id=who["user_id"])
    if op == "dispose":
        return calls.add_disposition(s, moment, type=1 + leg % 2, name="Done", user_id=who["user_id"])
    return calls.set_flag(s, moment, "starred" if op == "star" else "archived", leg % 2 == 0)


@settings(max_examples=100, deadline=None)
@given(category=st.sampled_from(calls.CATEGORIES), walk=steps)
def test_random_walks_either_move_by_the_table_or_change_nothing(category, walk):
    s = fresh(category)
    clock = T0
    for op, leg, failure, delta in walk:
        moment = clock + timedelta(seconds=delta)
        before = copy.deepcopy(s)
        try:
            after = run_op(s, op, leg, failure, moment)
        except IllegalTransition:
            assert s == before
            continue
        assert s == before
        clock = max(clock, moment)
        check_invariants(after)
        s = after

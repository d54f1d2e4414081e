"""The WhatsApp lifecycles: every (state, event) pair of both tables is a legal move or a clean error,
documents are never mutated, and the moments, counters and activities follow the moves."""

from __future__ import annotations

import copy
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from mock_server.clock import iso, parse_iso
from mock_server.domain import whatsapp as wa
from mock_server.domain.whatsapp import (CONVERSATION_EVENTS, CONVERSATION_STATES, CONVERSATION_TABLE, MESSAGE_EVENTS,
                                         MESSAGE_STATES, MESSAGE_TABLE, IllegalTransition)

T0 = datetime(2026, 4, 20, 9, 57, 39, 458608, tzinfo=timezone.utc)
PHONE_NUMBER_ID = "1196177000238423"
AGENTS = ("69e5f4c1738c9233", "69ddcadb47289979", "68afe231d8447863")
TEMPLATE_ID = "795dae53-7322-4f74-9a71-6814a926e1a2"
ERRORS = {"131053": "Media upload error"}
PAYLOADS = {
    "text": {"type": "text", "context": {"body": "Hi", "preview_url": True}},
    "image": {"type": "image", "context": {"link": "https://example.com/flower.jpg", "caption": "Flowers"}},
    "template": {"type": "template", "context": {"template_name": "carousel", "language": "en",
                                                 "body": {"name": "Suraj Singh"}}},
    "interactive": {"type": "interactive", "context": {
        "interactive_type": "button", "body": {"text": "Pick one"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "yes", "title": "Yes"}}]}}},
}


def uuid_of(n: int) -> str:
    return str(uuid.UUID(int=n, version=4))


def later(seconds: float, start: datetime = T0) -> datetime:
    return start + timedelta(seconds=seconds)


def conversation(**fields) -> dict:
    """A conversation as messages.conversation_for makes one (no event_sequence, no activities yet)."""
    doc = {"id": "e8e99f13-f41e-4655-b393-09e03cb5f91c", "phone_number_id": PHONE_NUMBER_ID,
           "customer_country_code": "91", "customer_contact": "7779812955", "customer_name": "Suraj Singh",
           "status": "unassigned", "assigned_to": None, "expire_at": None, "last_message_at": None,
           "last_incoming_at": None, "created": iso(T0), "modified": iso(T0), "unread_count": 0}
    doc.update(fields)
    return doc


def message(kind: str = "template", *, direction: str = "outgoing", source: str = "api", at: datetime = T0,
            **fields) -> dict:
    """A message as messages.new_message makes one, just accepted (or received)."""
    status = "accepted" if direction == "outgoing" else "received"
    doc = {"id": "1732d208-e130-4568-a1e2-96052f7e5922", "conversation_id": conversation()["id"],
           "phone_number_id": PHONE_NUMBER_ID, "customer_country_code": "91", "customer_number": "7779812955",
           "direction": direction, "type": kind, "payload": copy.deepcopy(PAYLOADS[kind]),
           "template_id": TEMPLATE_ID if kind == "template" else None, "category": "marketing", "price": 0.88,
           "status": status, "status_history": [{"status": status, "timestamp": iso(at)}], "reply_to": None,
           "myop_ref_id": None, "trail": None, "source": source if direction == "outgoing" else "customer",
           "waba_msg_id": "wamid.HBgMOTE3Nzc5ODEyOTU1FQIAERgSRjUwMDExRDE4RkNBMTcyMTY0AA==", "created": iso(at),
           "modified": iso(at), "message_by": AGENTS[0] if direction == "outgoing" else None,
           "link_tracking": kind == "template"}
    doc.update(fields)
    return doc


def last_moment(doc: dict) -> datetime:
    moments = [doc["created"], doc["modified"], *(c["clicked_at"] for c in doc.get("link_clicks") or [])]
    return max(parse_iso(m) for m in moments)


# --- messages: every (state, event) pair -----------------------------------------------------
def apply_message_event(m: dict, event: str, at: datetime | None = None) -> dict:
    at = at or later(1, last_moment(m))
    if event == "send":
        return wa.mark_sent(m, at)
    if event == "deliver":
        return wa.mark_delivered(m, at)
    if event == "read":
        return wa.mark_read(m, at)
    if event == "fail":
        return wa.mark_failed(m, at, ERRORS)
    assert event == "click"
    return wa.click_link(m, at, "card-0-btn-0")


def message_variants() -> dict[str, list[dict]]:
    accepted = message()
    sent = wa.mark_sent(accepted, later(5), reported_at=later(3))
    delivered = wa.mark_delivered(sent, later(8), reported_at=later(4))
    read = wa.mark_read(delivered, later(60), reported_at=later(58))
    read_directly = wa.mark_read(sent, later(9))
    clicked = wa.click_link(read, later(70), "btn-1")
    return {"accepted": [accepted, message("text", source="lc")],
            "sent": [sent, wa.click_link(sent, later(6), "btn-0")],
            "delivered": [delivered], "read": [read, read_directly, clicked],
            "failed": [wa.mark_failed(accepted, later(2), ERRORS), wa.mark_failed(sent, later(20), ERRORS)],
            "received": [message("text", direction="incoming")]}


def test_the_message_table_is_closed():
    assert set(MESSAGE_TABLE) == set(MESSAGE_STATES)
    for moves in MESSAGE_TABLE.values():
        assert set(moves.values()) <= set(MESSAGE_STATES)
    assert MESSAGE_TABLE["failed"] == {} and MESSAGE_TABLE["received"] == {}, "failed and received are final"
    assert MESSAGE_TABLE["read"] == {"click": "read"}, "after read only clicks come"
    # Meta fails a message before or after "sent", never once it reached the phone.
    assert {state for state, moves in MESSAGE_TABLE.items() if "fail" in moves} == {"accepted", "sent"}
    assert MESSAGE_TABLE["sent"]["read"] == "read", "a read receipt may come without a delivery report"
    assert all(target == state for state, moves in MESSAGE_TABLE.items() for event, target in moves.items()
               if event == "click"), "a click moves no status"


@pytest.mark.parametrize("state", MESSAGE_STATES)
@pytest.mark.parametrize("event", MESSAGE_EVENTS)
def test_every_message_state_event_pair(state, event):
    allowed = event in MESSAGE_TABLE[state]
    for m in message_variants()[state]:
        assert wa.message_state(m) == state
        before = copy.deepcopy(m)
        try:
            after = apply_message_event(m, event)
        except IllegalTransition as exc:
            assert not allowed, f"{event} from {state} was refused: {exc}"
            assert str(exc) and (exc.machine, exc.state, exc.event) == ("message", state, event)
        else:
            assert allowed, f"{event} from {state} was accepted"
            assert after["status"] == MESSAGE_TABLE[state][event]
            assert after["is_read"] == (after["status"] == "read")
        assert m == before, "a move changed its input"


walks = st.lists(st.tuples(st.sampled_from(MESSAGE_EVENTS), st.integers(0, 3600), st.integers(0, 100)),
                 max_size=8)


@settings(max_examples=80, deadline=None)
@given(kind=st.sampled_from(sorted(PAYLOADS)), walk=walks)
def test_any_walk_through_the_message_table(kind, walk):
    m = message(kind)
    for event, gap, lag in walk:
        at = later(gap, last_moment(m))
        reported = at - timedelta(seconds=min(lag, gap))  # Meta reports a status before it is recorded
        prior, before = m, copy.deepcopy(m)
        state = wa.message_state(m)
        try:
            if event == "click":
                m = wa.click_link(m, at, "btn-0")
            elif event == "fail":
                m = wa.mark_failed(m, at, {"WABA_131026": "Message undeliverable"}, reported_at=reported)
            else:
                move = {"send": wa.mark_sent, "deliver": wa.mark_delivered, "read": wa.mark_read}[event]
                m = move(m, at, reported_at=reported)
        except IllegalTransition:
            assert event not in MESSAGE_TABLE[state] or (event == "click" and kind != "template")
            assert m == before
            continue
        assert prior == before, "a move changed its input"
        assert m["status"] == MESSAGE_TABLE[state][event]
        if event != "click":
            assert m["modified"] == iso(at) and m["status_history"][-1] == {"status": m["status"], "timestamp": iso(at)}
    moments = [parse_iso(m[f"{s}_at"]) for s in wa.STAGES if m.get(f"{s}_at")]
    assert moments == sorted(moments), "Meta's status times never run backwards"
    recorded = [parse_iso(h["timestamp"]) for h in m["status_history"]]
    assert recorded == sorted(recorded) and m["modified"] == m["status_history"][-1]["timestamp"]
    if m["status"] == "read":
        assert m["delivered_at"] and m["is_read"]


# --- messages: guards ----------------------------------------------------------------------------
def test_time_cannot_run_backwards():
    sent = wa.mark_sent(message(), later(10))
    with pytest.raises(IllegalTransition, match="backwards"):
        wa.mark_delivered(sent, later(9))
    with pytest.raises(IllegalTransition, match="backwards"):
        wa.mark_delivered(sent, later(12), reported_at=later(5))  # Meta's delivery before its "sent"
    with pytest.raises(IllegalTransition, match="after it is recorded"):
        wa.mark_delivered(sent, later(12), reported_at=later(13))
    with pytest.raises(IllegalTransition, match="timezone-aware"):
        wa.mark_delivered(sent, later(12).replace(tzinfo=None))
    with pytest.raises(IllegalTransition, match="backwards"):
        wa.mark_sent(message(at=later(100)), later(99))
    clicked = wa.click_link(sent, later(30), "btn-0")
    with pytest.raises(IllegalTransition, match="backwards"):
        wa.mark_read(clicked, later(20))


def test_moments_as_meta_reports_them_and_as_recorded():
    m = wa.mark_sent(message(), later(8.5), reported_at=later(3))
    assert m["sent_at"] == iso(later(3)) and m["modified"] == iso(later(8.5))
    assert m["status_history"] == [{"status": "accepted", "timestamp": iso(T0)},
                                   {"status": "sent", "timestamp": iso(later(8.5))}]
    read = wa.mark_read(m, later(40), reported_at=later(38))
    assert read["delivered_at"] == read["read_at"] == iso(later(38)), "a read message was delivered"
    assert read["is_read"] and [h["status"] for h in read["status_history"]] == ["accepted", "sent", "read"]


def test_meta_errors_are_stored_bare():
    failed = wa.mark_failed(message(), later(6), {"WABA_131053": "Media upload error", 130472: "Experiment"})
    assert failed["errors"] == {"131053": "Media upload error", "130472": "Experiment"}
    assert failed["status"] == "failed" and failed["failed_at"] == iso(later(6)) and failed.get("sent_at") is None
    for bad in ({}, {"oops": "x"}, {"131053": ""}, {"131053": 5}, ["131053"], None):
        with pytest.raises(IllegalTransition, match="Meta error"):
            wa.mark_failed(message(), later(6), bad)


def test_what_a_click_needs():
    sent = wa.mark_sent(message(), later(5))
    clicked = wa.click_link(sent, later(9), "card-1-btn-0")
    assert clicked["link_clicks"] == [{"button_info": "card-1-btn-0", "clicked_at": iso(later(9))}]
    assert clicked["modified"] == sent["modified"] and clicked["status_history"] == sent["status_history"]
    with pytest.raises(IllegalTransition, match="btn-<index>"):
        wa.click_link(sent, later(9), "button-1")
    with pytest.raises(IllegalTransition, match="link tracking"):
        wa.click_link(sent | {"link_tracking": False}, later(9), "btn-0")
    with pytest.raises(IllegalTransition, match="link tracking"):
        wa.click_link(wa.mark_sent(message("text"), later(5)), later(9), "btn-0")
    with pytest.raises(IllegalTransition):
        wa.click_link(message(), later(2), "btn-0")  # not sent yet


def test_tracked_buttons_of_the_seeded_templates():
    from tests.domain.call_support import state
    by_name = {t["name"]: t for t in state("templates")}
    assert wa.tracked_buttons(by_name["dynamic_url_template"]) == ["btn-0", "btn-1"]
    assert wa.tracked_buttons(by_name["start_chat"]) == ["btn-0"]  # the phone and quick-reply buttons are not links
    assert wa.tracked_buttons(by_name["crousel_template_1"]) == ["card-0-btn-0", "card-1-btn-0"]
    assert wa.tracked_buttons(by_name["order_update"]) == []


def test_documents_written_before_the_lifecycles_still_move():
    """messages.new_message today: status "sent" from the start, no *_at fields, no message_by."""
    old = message("text", status="sent", status_history=[{"status": "sent", "timestamp": iso(T0)}])
    for key in ("message_by", "link_tracking"):
        del old[key]
    assert wa.status_moments(old)["sent"] == iso(T0)
    delivered = wa.mark_delivered(old, later(3))
    assert wa.status_moments(delivered) == {"sent": iso(T0), "delivered": iso(later(3)), "read": None, "failed": None}
    assert wa.message_state({"direction": "outgoing"}) == "accepted"
    assert wa.message_state({"direction": "incoming"}) == "received"


# --- conversations -----------------------------------------------------------------------------
def conversation_variants() -> dict[str, list[dict]]:
    fresh = conversation()
    wrote = wa.customer_wrote(fresh, later(10))
    assigned = wa.assign(wrote, later(20), agent_id=AGENTS[0], by=AGENTS[0], activity_id=uuid_of(1))
    closed = wa.close(assigned, later(30), by=AGENTS[0], activity_id=uuid_of(2))
    closed_unassigned = wa.close(wrote, later(40), by=AGENTS[1], activity_id=uuid_of(3))
    opened_by_business = wa.business_wrote(fresh, later(5), message_by=AGENTS[2], source="api")
    return {"unassigned": [fresh, wrote], "assigned": [assigned, opened_by_business],
            "closed": [closed, closed_unassigned]}


def apply_conversation_event(c: dict, event: str, at: datetime | None = None) -> dict:
    at = at or later(1, parse_iso(c["modified"]))
    if event == "customer_message":
        return wa.customer_wrote(c, at)
    if event == "business_message":
        return wa.business_wrote(c, at, message_by=AGENTS[0], source="lc")
    if event == "assign":
        agent = next(a for a in AGENTS if a != c.get("assigned_to"))
        return wa.assign(c, at, agent_id=agent, by=AGENTS[0], activity_id=uuid_of(4))
    assert event == "close"
    return wa.close(c, at, by=AGENTS[0], activity_id=uuid_of(5))


def test_the_conversation_table_is_closed():
    assert set(CONVERSATION_TABLE) == set(CONVERSATION_STATES)
    for moves in CONVERSATION_TABLE.values():
        assert set(moves.values()) <= set(CONVERSATION_STATES)
    assert CONVERSATION_TABLE["closed"]["customer_message"] == "unassigned", "a customer revives a closed chat"
    assert set(CONVERSATION_TABLE["closed"]) == {"customer_message", "business_message"}


@pytest.mark.parametrize("state", CONVERSATION_STATES)
@pytest.mark.parametrize("event", CONVERSATION_EVENTS)
def test_every_conversation_state_event_pair(state, event):
    allowed = event in CONVERSATION_TABLE[state]
    for c in conversation_variants()[state]:
        assert wa.conversation_state(c) == state
        before = copy.deepcopy(c)
        try:
            after = apply_conversation_event(c, event)
        except IllegalTransition as exc:
            assert not allowed, f"{event} from {state} was refused: {exc}"
            assert (exc.machine, exc.state, exc.event) == ("conversation", state, event)
        else:
            assert allowed, f"{event} from {state} was accepted"
            assert after["status"] == expected_status(c, event)
        assert c == before, "a move changed its input"


def expected_status(c: dict, event: str) -> str:
    """The table's target; an outgoing message (these tests' have a sender) also takes over an unassigned one."""
    state = wa.conversation_state(c)
    if event == "business_message" and state == "unassigned":
        return CONVERSATION_TABLE[state]["assign"]
    return CONVERSATION_TABLE[state][event]


@settings(max_examples=80, deadline=None)
@given(walk=st.lists(st.tuples(st.sampled_from(CONVERSATION_EVENTS), st.integers(0, 200_000),
                               st.sampled_from(["lc", "cmp", "api"])), max_size=10))
def test_any_walk_through_the_conversation_table(walk):
    c = conversation()
    unread = activities = 0
    for event, gap, source in walk:
        at = later(gap, parse_iso(c["modified"]))
        prior, state, before = c, c["status"], copy.deepcopy(c)
        try:
            if event == "business_message":
                c = wa.business_wrote(c, at, message_by=AGENTS[1], source=source)
            else:
                c = apply_conversation_event(c, event, at)
        except IllegalTransition:
            assert event not in CONVERSATION_TABLE[state] and c == before
            continue
        assert prior == before, "a move changed its input"
        assert c["status"] == expected_status(before, event)
        assert c["modified"] == iso(at)
        if event == "customer_message":
            unread += 1
            assert c["expire_at"] == iso(at + timedelta(hours=24)) and c["last_message_at"] == iso(at)
            if state == "closed":
                assert c["assigned_to"] is None
        elif event == "business_message" and source == "lc":
            unread = 0
        elif event in ("assign", "close"):
            activities += 1
        assert c["unread_count"] == unread and len(c.get("activities") or []) == activities
        assert c["status"] != "assigned" or c["assigned_to"] in AGENTS


def test_a_customer_message_opens_the_window_and_revives_a_closed_chat():
    c = wa.customer_wrote(conversation(), later(60))
    assert (c["status"], c["unread_count"], c["expire_at"], c["last_incoming_at"]) == (
        "unassigned", 1, iso(later(60 + 86400)), iso(later(60)))
    c = wa.assign(c, later(70), agent_id=AGENTS[0], by=AGENTS[1], activity_id=uuid_of(6))
    c = wa.customer_wrote(c, later(80))
    assert (c["status"], c["assigned_to"], c["unread_count"]) == ("assigned", AGENTS[0], 2)
    c = wa.close(c, later(90), by=AGENTS[0], activity_id=uuid_of(7))
    assert (c["status"], c["assigned_to"]) == ("closed", AGENTS[0]), "the assignee stays on record"
    assert c["expire_at"] == iso(later(80 + 86400)), "closing leaves the window alone"
    revived = wa.customer_wrote(c, later(100))
    assert (revived["status"], revived["assigned_to"], revived["unread_count"]) == ("unassigned", None, 3)


def test_outgoing_messages():
    first = wa.business_wrote(conversation(), later(5), message_by=AGENTS[2], source="cmp")
    assert (first["status"], first["assigned_to"], first["expire_at"]) == ("assigned", AGENTS[2], None)
    assert "activities" not in first, "the implicit assignment of a new conversation is no activity"
    unread = wa.customer_wrote(wa.customer_wrote(conversation(), later(1)), later(2))
    by_api = wa.business_wrote(unread, later(3), message_by=AGENTS[1], source="api")  # a reply takes it over
    assert (by_api["status"], by_api["assigned_to"], by_api["unread_count"], by_api["last_message_at"]) == (
        "assigned", AGENTS[1], 2, iso(later(3)))
    by_agent = wa.business_wrote(by_api, later(4), message_by=AGENTS[0], source="lc")
    assert by_agent["unread_count"] == 0 and by_agent["assigned_to"] == AGENTS[1], "an assigned one stays its assignee's"
    nobody = wa.business_wrote(unread, later(3), source="cmp")
    assert (nobody["status"], nobody["assigned_to"]) == ("unassigned", None), "no sender, nobody to take it over"
    closed = wa.close(by_agent, later(5), by=AGENTS[0], activity_id=uuid_of(8))
    assert wa.business_wrote(closed, later(6), source="cmp")["status"] == "closed"


def test_assign_and_close_record_activities():
    c = wa.customer_wrote(conversation(), later(1))
    c = wa.assign(c, later(2), agent_id=AGENTS[1], by=AGENTS[0], activity_id=uuid_of(9))
    c = wa.assign(c, later(3), agent_id=AGENTS[0], by=AGENTS[0], activity_id=uuid_of(10))
    c = wa.close(c, later(4), by=AGENTS[0], activity_id=uuid_of(11))
    assert [(a["activity"], a["action_by"], a["action_to"], a["created"]) for a in c["activities"]] == [
        ("conv_assigned", AGENTS[0], AGENTS[1], iso(later(2))), ("conv_assigned", AGENTS[0], AGENTS[0], iso(later(3))),
        ("conv_closed", AGENTS[0], None, iso(later(4)))]
    assert all(a["conversation_id"] == c["id"] for a in c["activities"])
    assert wa.latest_activity(c, "conv_assigned")["action_to"] == AGENTS[0]
    assert wa.latest_activity(c, "conv_assigned", later(2.5))["action_to"] == AGENTS[1]
    assert wa.latest_activity(c, "conv_closed", later(3)) is None


def test_conversation_guards():
    c = wa.assign(conversation(), later(1), agent_id=AGENTS[0], by=AGENTS[0], activity_id=uuid_of(12))
    with pytest.raises(IllegalTransition, match="already assigned"):
        wa.assign(c, later(2), agent_id=AGENTS[0], by=AGENTS[1], activity_id=uuid_of(13))
    with pytest.raises(IllegalTransition, match="agent"):
        wa.assign(c, later(2), agent_id="", by=AGENTS[1], activity_id=uuid_of(14))
    with pytest.raises(IllegalTransition, match="agent"):
        wa.close(c, later(2), by=None, activity_id=uuid_of(15))
    with pytest.raises(IllegalTransition, match="activity"):
        wa.close(c, later(2), by=AGENTS[0], activity_id="")
    with pytest.raises(IllegalTransition, match="backwards"):
        wa.customer_wrote(c, T0)
    closed = wa.close(c, later(3), by=AGENTS[0], activity_id=uuid_of(16))
    with pytest.raises(IllegalTransition):
        wa.assign(closed, later(4), agent_id=AGENTS[1], by=AGENTS[1], activity_id=uuid_of(17))


def test_take_sequence_counts_from_a_document_without_one():
    c = conversation()
    c1, one = wa.take_sequence(c)
    c2, two = wa.take_sequence(c1)
    assert (one, two, c2["event_sequence"]) == (1, 2, 2) and "event_sequence" not in c and c1["event_sequence"] == 1

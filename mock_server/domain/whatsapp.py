"""WhatsApp messages and conversations: the lifecycles that move them, as transition tables.

Message and conversation documents are plain JSON dicts (kinds ``messages`` and ``conversations``,
written by public/chat/messages.py and control/chat.py). Every function here takes a document and a
moment and returns a NEW document; the input is never touched. Which moves are legal is decided by
tables, h11-style like ``calls``: ``MESSAGE_TABLE`` and ``CONVERSATION_TABLE`` (and ``REVIEW_TABLE``, a
template's review). A move a table lacks, or one that breaks a guard (time running backwards, a naive
moment, a click on a message without link tracking), raises ``calls.IllegalTransition`` and changes
nothing.

Messages. An outgoing message starts ``accepted`` (Meta's word for a message it has taken but not
yet handed to WhatsApp), then goes sent -> delivered -> read. It fails from accepted (the documented
failure has no sent time) or from sent (Meta reports undeliverable messages after "sent"); nothing
follows a failure, and a delivered message no longer fails. ``read`` may come straight after
``sent``: a read receipt only exists for a message on the customer's phone, so it implies delivery
(Meta's BSPs document statuses jumping from sent to read), and ``delivered_at`` takes read's moment.
Statuses never go backwards. An incoming message is ``received`` and final.

Each status keeps two moments: when Meta says it happened (``sent_at``, ``delivered_at``, ``read_at``,
``failed_at``; the webhooks' ``events`` list, in whole seconds) and when it was recorded here (its
``status_history`` entry, which is the message's ``modified`` as of then). They differ by the few
seconds a status report takes to arrive (``reported_at``, by default the recording moment itself),
as in every documented example. ``is_read`` is true once read. Meta's failure reasons are stored
bare, ``errors = {"131053": "Media upload error"}`` (the legacy renderings add "WABA_"). A tracked
link's click (``click_link``) moves no status and leaves ``modified`` alone, as the documented
examples show (their modified predates the click); it is allowed once the message is sent, never
after a failure.

Conversations: ``unassigned``, ``assigned``, ``closed``. A customer's message opens the 24-hour
window (``expire_at`` = that message + 24 h; null until the customer writes), counts as unread and
revives a closed conversation as *unassigned*, with nobody assigned: in the documented timeline
the agent assigns the revived conversation to themself again. An outgoing message sets
``last_message_at``, leaves the status alone (a campaign may write into a closed conversation)
and, when it is the conversation's first message, assigns the conversation to its sender, as the
documented message.failed and link-tracking examples show (a conversation created with the
message, assigned to ``message_by``). A LiveChat reply (source "lc") means an agent has the chat
open: unread_count drops to 0. Assigning and closing record an ``activity`` (conv_assigned,
conv_closed), kept in ``activities`` for the conversation.* webhooks. ``modified`` follows every
change. Each conversation counts its webhooks in ``event_sequence`` (``take_sequence``).

Fields a document may lack (written before these lifecycles existed) read as their defaults: no
status moments (then ``status_history`` is consulted), no errors, no clicks, event_sequence 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum, auto
from typing import overload

from mock_server.clock import iso, parse_iso
from mock_server.domain.calls import IllegalTransition, next_state
from mock_server.domain.whatsapp_rules import REVIEW_STATUSES, WINDOW
from mock_server.store import json_copy  # documents are JSON data: a round trip copies them fastest


# --- the transition tables -------------------------------------------------------------------
class MessageStatus(StrEnum):
    ACCEPTED = auto()
    SENT = auto()
    DELIVERED = auto()
    READ = auto()
    FAILED = auto()
    RECEIVED = auto()  # a customer's message: final from the start


class MessageEvent(StrEnum):
    SEND = auto()
    DELIVER = auto()
    READ = auto()
    FAIL = auto()
    CLICK = auto()


M, ME = MessageStatus, MessageEvent
MESSAGE_TABLE: dict[MessageStatus, dict[MessageEvent, MessageStatus]] = {
    M.ACCEPTED: {ME.SEND: M.SENT, ME.FAIL: M.FAILED},
    M.SENT: {ME.DELIVER: M.DELIVERED, ME.READ: M.READ, ME.FAIL: M.FAILED, ME.CLICK: M.SENT},
    M.DELIVERED: {ME.READ: M.READ, ME.CLICK: M.DELIVERED},
    M.READ: {ME.CLICK: M.READ},
    M.FAILED: {},
    M.RECEIVED: {},
}
MESSAGE_STATES = tuple(MessageStatus)
MESSAGE_EVENTS = tuple(sorted(MessageEvent))
# The statuses the webhooks' ``events`` list times, in order, and the field keeping each moment.
STAGES = ("sent", "delivered", "read")
MOMENT_FIELDS = {"sent": "sent_at", "delivered": "delivered_at", "read": "read_at", "failed": "failed_at"}

class ConversationStatus(StrEnum):
    UNASSIGNED = auto()
    ASSIGNED = auto()
    CLOSED = auto()


class ConversationEvent(StrEnum):
    CUSTOMER_MESSAGE = auto()
    BUSINESS_MESSAGE = auto()
    ASSIGN = auto()
    CLOSE = auto()


C, CE = ConversationStatus, ConversationEvent
CONVERSATION_TABLE: dict[ConversationStatus, dict[ConversationEvent, ConversationStatus]] = {
    C.UNASSIGNED: {CE.CUSTOMER_MESSAGE: C.UNASSIGNED, CE.BUSINESS_MESSAGE: C.UNASSIGNED, CE.ASSIGN: C.ASSIGNED,
                   CE.CLOSE: C.CLOSED},
    C.ASSIGNED: {CE.CUSTOMER_MESSAGE: C.ASSIGNED, CE.BUSINESS_MESSAGE: C.ASSIGNED, CE.ASSIGN: C.ASSIGNED,
                 CE.CLOSE: C.CLOSED},
    C.CLOSED: {CE.CUSTOMER_MESSAGE: C.UNASSIGNED, CE.BUSINESS_MESSAGE: C.CLOSED},
}
CONVERSATION_STATES = tuple(ConversationStatus)
CONVERSATION_EVENTS = tuple(sorted(ConversationEvent))
ACTIVITIES = {"assign": "conv_assigned", "close": "conv_closed"}


class ReviewStatus(StrEnum):
    """A template's ``waba_template_status``: Meta's review of it."""

    PENDING = auto()
    APPROVED = auto()
    REJECTED = auto()


class ReviewEvent(StrEnum):
    SUBMIT = auto()  # (back) to review: a scenario's template.submit (a new template starts pending)
    APPROVE = auto()  # the review rules' timed decision, a template.review step, or the control plane's
    REJECT = auto()


R, RE = ReviewStatus, ReviewEvent
# The control plane may decide a template in any state (POST /_mock/.../templates/{id}/review), hence the
# decisions out of approved and rejected.
REVIEW_TABLE: dict[ReviewStatus, dict[ReviewEvent, ReviewStatus]] = {
    R.PENDING: {RE.SUBMIT: R.PENDING, RE.APPROVE: R.APPROVED, RE.REJECT: R.REJECTED},
    R.APPROVED: {RE.SUBMIT: R.PENDING, RE.APPROVE: R.APPROVED, RE.REJECT: R.REJECTED},
    R.REJECTED: {RE.SUBMIT: R.PENDING, RE.APPROVE: R.APPROVED, RE.REJECT: R.REJECTED},
}
REVIEW_DECISIONS = {"approved": RE.APPROVE, "rejected": RE.REJECT}  # a decided status -> its event
assert tuple(REVIEW_TABLE) == REVIEW_STATUSES, "whatsapp_rules.REVIEW_STATUSES lists the review table's states"

# "btn-1" (the template's button 1), "card-0-btn-0" (carousel card 0, its button 0), as documented.
BUTTON_INFO = re.compile(r"btn-([0-9]+)|card-([0-9]+)-btn-([0-9]+)")
ERROR_CODE = re.compile(r"(?:WABA_)?([0-9]+)")


# --- shared guards ---------------------------------------------------------------------------
@overload
def moment(value: str | datetime) -> datetime: ...
@overload
def moment(value: None) -> None: ...
def moment(value: str | datetime | None) -> datetime | None:
    """A stored ISO moment (or one already parsed) as a datetime."""
    if value is None:
        return None
    return parse_iso(value) if isinstance(value, str) else value


def _not_before(last: Iterable[str | datetime | None], at: datetime, machine: str, state: str, event: str) -> None:
    """Refuse a naive moment, or one before anything already recorded (time cannot run backwards)."""
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise IllegalTransition(machine, state, event, "moments must be timezone-aware datetimes")
    latest = max((moment(m) for m in last if m is not None), default=None)
    if latest is not None and at < latest:
        raise IllegalTransition(machine, state, event, f"time cannot go backwards: {iso(at)} is before {iso(latest)}")


# --- messages --------------------------------------------------------------------------------
def message_state(message: dict) -> str:
    """A message's place in MESSAGE_TABLE (a document without a status is new: accepted / received)."""
    return message.get("status") or ("received" if message.get("direction") == "incoming" else "accepted")


def status_moments(message: dict) -> dict[str, str | None]:
    """When Meta says each status was reached: the ``*_at`` fields, else ``status_history`` (older
    documents). A read message was delivered, so a missing delivered moment is read's."""
    history = recorded_moments(message)
    moments = {status: message.get(field) or history.get(status) for status, field in MOMENT_FIELDS.items()}
    if moments["read"] and not moments["delivered"]:
        moments["delivered"] = moments["read"]
    return moments


def recorded_moments(message: dict) -> dict[str, str]:
    """When each status was recorded here (``status_history``): the message's ``modified`` as of then."""
    return {h["status"]: h["timestamp"] for h in message.get("status_history") or []
            if isinstance(h, dict) and h.get("status") and h.get("timestamp")}


def _move(message: dict, at: datetime, event: str, reported_at: datetime | None = None) -> dict:
    """Apply ``event`` at ``at``; Meta's own time for the status is ``reported_at`` (default ``at``):
    a status is reported a few seconds before MyOperator records it, as the examples show."""
    state = message_state(message)
    target = next_state(MESSAGE_TABLE, "message", state, event)
    clicks = [c.get("clicked_at") for c in message.get("link_clicks") or []]
    _not_before([message.get("created"), message.get("modified"), *recorded_moments(message).values(), *clicks],
                at, "message", state, event)
    reported = at if reported_at is None else reported_at
    _not_before([message.get("created"), *status_moments(message).values()], reported, "message", state, event)
    if reported > at:
        raise IllegalTransition("message", state, event, "Meta cannot report a status after it is recorded")
    m = json_copy(message)
    if target != state:
        stamp = iso(at)
        m["status"] = target
        m[MOMENT_FIELDS[target]] = iso(reported)
        m["status_history"] = [*(m.get("status_history") or []), {"status": target, "timestamp": stamp}]
        m["modified"] = stamp
    m["is_read"] = m["status"] == "read"
    return m


def mark_sent(message: dict, at: datetime, reported_at: datetime | None = None) -> dict:
    """Meta has handed the message to WhatsApp."""
    return _move(message, at, "send", reported_at)


def mark_delivered(message: dict, at: datetime, reported_at: datetime | None = None) -> dict:
    return _move(message, at, "deliver", reported_at)


def mark_read(message: dict, at: datetime, reported_at: datetime | None = None) -> dict:
    """The customer read it; with no delivery reported before, the read moment is the delivery's too."""
    m = _move(message, at, "read", reported_at)
    if not m.get("delivered_at"):
        m["delivered_at"] = m["read_at"]
    return m


def meta_errors(errors: dict) -> dict[str, str]:
    """{"131053": "Media upload error"} from bare or "WABA_"-prefixed codes; ValueError if malformed."""
    if not isinstance(errors, dict) or not errors:
        raise ValueError("a failure needs at least one Meta error: {\"<code>\": \"<text>\"}")
    bare = {}
    for code, text in errors.items():
        match = ERROR_CODE.fullmatch(str(code))
        if match is None or not isinstance(text, str) or not text.strip():
            raise ValueError(f"a Meta error is a numeric code and its text, not {code!r}: {text!r}")
        bare[match.group(1)] = text
    return bare


def mark_failed(message: dict, at: datetime, errors: dict, reported_at: datetime | None = None) -> dict:
    """The message could not be delivered, for Meta's ``errors`` ({code: text})."""
    try:
        bare = meta_errors(errors)
    except ValueError as exc:
        raise IllegalTransition("message", message_state(message), "fail", str(exc)) from None
    m = _move(message, at, "fail", reported_at)
    m["errors"] = bare
    return m


def click_link(message: dict, at: datetime, button_info: str) -> dict:
    """The customer opened a tracked link of a template message (``button_info`` as documented)."""
    state = message_state(message)
    if message.get("type") != "template" or not message.get("link_tracking"):
        raise IllegalTransition("message", state, "click", "only a template message with link tracking on "
                                                           "reports clicks")
    if not isinstance(button_info, str) or not BUTTON_INFO.fullmatch(button_info):
        raise IllegalTransition("message", state, "click",
                                f"button_info is btn-<index> or card-<index>-btn-<index>, not {button_info!r}")
    m = _move(message, at, "click")
    m["link_clicks"] = [*(m.get("link_clicks") or []), {"button_info": button_info, "clicked_at": iso(at)}]
    return m


def tracked_buttons(template: dict) -> list[str]:
    """The button_info of every URL button of a template: what a click on it reports."""
    found = []
    for component in template.get("components") or []:
        for button in component.get("buttons") or []:
            if button.get("type") == "URL":
                found.append(f"btn-{button.get('index', 0)}")
        for card_position, card in enumerate(component.get("cards") or []):
            for inner in card.get("components") or []:
                for button in inner.get("buttons") or []:
                    if button.get("type") == "URL":
                        found.append(f"card-{card.get('index', card_position)}-btn-{button.get('index', 0)}")
    return found


# --- conversations ---------------------------------------------------------------------------
def conversation_state(conversation: dict) -> str:
    return conversation.get("status") or "unassigned"


def _conversation_move(conversation: dict, at: datetime, event: str) -> tuple[dict, str, str]:
    state = conversation_state(conversation)
    target = next_state(CONVERSATION_TABLE, "conversation", state, event)
    _not_before([conversation.get("created"), conversation.get("modified")], at, "conversation", state, event)
    c = json_copy(conversation)
    c["status"], c["modified"] = target, iso(at)
    return c, state, target


def customer_wrote(conversation: dict, at: datetime) -> dict:
    """A customer's message: the 24-hour window (re)opens, one more unread, a closed chat revives."""
    c, was, _ = _conversation_move(conversation, at, "customer_message")
    if was == "closed":
        c["assigned_to"] = None
    c.update(last_incoming_at=iso(at), expire_at=iso(at + WINDOW), last_message_at=iso(at),
             unread_count=int(c.get("unread_count") or 0) + 1)
    return c


def business_wrote(conversation: dict, at: datetime, *, message_by: str | None = None, source: str = "api") -> dict:
    """An outgoing message (accepted at ``at``) from ``message_by`` through LiveChat, a campaign or the API.

    Its sender takes over a conversation nobody has yet, whoever started it: the first message of a new
    one, or a reply to a customer who wrote in (every documented reply payload shows it assigned)."""
    c, was, _ = _conversation_move(conversation, at, "business_message")
    c["last_message_at"] = iso(at)
    if source == "lc":
        c["unread_count"] = 0
    if was == "unassigned" and message_by:
        c["status"] = next_state(CONVERSATION_TABLE, "conversation", was, "assign")
        c["assigned_to"] = message_by
    return c


def _activity(c: dict, at: datetime, event: str, activity_id: str, by: str, to: str | None) -> dict:
    if not isinstance(activity_id, str) or not activity_id:
        raise IllegalTransition("conversation", c["status"], event, "an activity needs an id")
    activity = {"id": activity_id, "conversation_id": c["id"], "activity": ACTIVITIES[event], "action_by": by,
                "action_to": to, "created": iso(at)}
    c["activities"] = [*(c.get("activities") or []), activity]
    return c


def _agent(value: str | None, state: str, event: str, role: str) -> str:
    if not isinstance(value, str) or not value:
        raise IllegalTransition("conversation", state, event, f"{role} must be an agent's id")
    return value


def assign(conversation: dict, at: datetime, *, agent_id: str, by: str, activity_id: str) -> dict:
    """``by`` assigns the conversation to ``agent_id`` (themself or another agent)."""
    state = conversation_state(conversation)
    _agent(agent_id, state, "assign", "agent_id")
    _agent(by, state, "assign", "by")
    if state == "assigned" and conversation.get("assigned_to") == agent_id:
        raise IllegalTransition("conversation", state, "assign", f"already assigned to {agent_id!r}")
    c, _, _ = _conversation_move(conversation, at, "assign")
    c["assigned_to"] = agent_id
    return _activity(c, at, "assign", activity_id, by, agent_id)


def close(conversation: dict, at: datetime, *, by: str, activity_id: str) -> dict:
    """``by`` closes the conversation; the assignee stays on record, as documented."""
    _agent(by, conversation_state(conversation), "close", "by")
    c, _, _ = _conversation_move(conversation, at, "close")
    return _activity(c, at, "close", activity_id, by, None)


def latest_activity(conversation: dict, kind: str, at: str | datetime | None = None) -> dict | None:
    """The last ``kind`` activity (conv_assigned / conv_closed) recorded at or before ``at``."""
    until = moment(at)
    found = [a for a in conversation.get("activities") or []
             if a.get("activity") == kind and (until is None or parse_iso(a["created"]) <= until)]
    return found[-1] if found else None


def take_sequence(conversation: dict) -> tuple[dict, int]:
    """The next event_sequence of this conversation's webhooks, and the conversation that remembers it."""
    c = json_copy(conversation)
    c["event_sequence"] = int(c.get("event_sequence") or 0) + 1
    return c, c["event_sequence"]

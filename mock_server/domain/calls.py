"""Call sessions: one document per call, its legs, and the lifecycles that move them.

A session is a plain JSON dict (kind ``calls``). Every function here takes a session and a moment
and returns a NEW session; the input is never touched. Which moves are legal is decided by two
transition tables, h11-style: ``SESSION_TABLE`` (the call as a whole) and ``LEG_TABLE`` (each party
dialled or connected). A move a table lacks, or one that breaks a guard (time running backwards, an
unknown leg, a transfer from a customer's leg), raises ``IllegalTransition`` and changes nothing.

Times are stored as ``clock.iso`` strings. Durations are whole seconds, floored, and always follow
from the stored times: a leg's ring = answered - started (ended - started when never answered),
its talk = ended - answered (ended - started for a leg that called in), the call's duration =
ended - started. The renderings (``call_log``, ``call_events``) and the history generator
(``call_history``) only read these documents; the builders (``call_builders``) play whole calls
through these same lifecycle functions, so a built call obeys the tables too.

Vocabulary: a leg's ``result`` uses the new webhooks' words (dialing, connected, answered,
not_answered); the legacy call log's received / missed / transferred is ``leg_outcome(leg)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum, auto
from typing import Any

from mock_server.clock import iso, parse_iso
from mock_server.phones import is_e164

CATEGORIES = ("incoming", "oneway", "callback", "webcall", "obd", "otp")
STATUSES = ("bridged", "missed", "voicemail")
DIAL_STATUSES = ("ANSWER", "NO ANSWER", "BUSY", "NO CARRIER", "CANCEL")
FAILURES = ("NO ANSWER", "BUSY", "NO CARRIER", "CANCEL")
SOURCES = ("ivr", "mobile")
KINDS = ("call", "sms")
NOTIFICATIONS = ("clickocall", "obd", "webrtc")
PICKUP_DEVICES = ("phone", "web")
OBD_DIALERS = ("user", "anonymous", "ivr")
PARTY_TYPES = ("agent", "customer")


class IllegalTransition(ValueError):
    """A move the lifecycle does not allow; the session it was tried on is unchanged."""

    def __init__(self, machine: str, state: str, event: str, reason: str | None = None):
        self.machine, self.state, self.event = machine, state, event
        super().__init__(reason or f"a {machine} in state {state!r} cannot take {event!r}")


# --- the transition tables -------------------------------------------------------------------
class SessionState(StrEnum):
    """The session's phase. "answered" means some dialled leg has picked up (not necessarily bridged: an OBD
    agent can answer and the customer never will); "bridged" is a separate flag."""

    INITIATED = auto()
    RINGING = auto()
    ANSWERED = auto()
    VOICEMAIL = auto()
    ENDED = auto()


class SessionEvent(StrEnum):
    CONNECT = auto()
    DIAL = auto()
    RING = auto()
    ANSWER = auto()
    LEG_END = auto()
    TRANSFER = auto()
    VOICEMAIL = auto()
    HANGUP = auto()
    COMMENT = auto()
    DISPOSE = auto()
    STAR = auto()
    UNSTAR = auto()
    ARCHIVE = auto()
    UNARCHIVE = auto()


class LegState(StrEnum):
    """Each leg. A dialled leg starts "dialing" (the network is placing it), then "ringing" at the far end; a leg
    whose party called in (the incoming caller, the oneway/webcall agent) starts "connected"."""

    DIALING = auto()
    RINGING = auto()
    CONNECTED = auto()
    ANSWERED = auto()
    ENDED = auto()


class LegEvent(StrEnum):
    RING = auto()
    ANSWER = auto()
    NO_ANSWER = auto()
    BUSY = auto()
    NO_CARRIER = auto()
    CANCEL = auto()
    HANGUP = auto()
    TRANSFER = auto()


S, SE, L, LE = SessionState, SessionEvent, LegState, LegEvent
SESSION_TABLE: dict[SessionState, dict[SessionEvent, SessionState]] = {
    S.INITIATED: {SE.CONNECT: S.INITIATED, SE.DIAL: S.RINGING, SE.LEG_END: S.INITIATED, SE.VOICEMAIL: S.VOICEMAIL,
                  SE.HANGUP: S.ENDED, SE.COMMENT: S.INITIATED},
    S.RINGING: {SE.DIAL: S.RINGING, SE.RING: S.RINGING, SE.ANSWER: S.ANSWERED, SE.LEG_END: S.RINGING,
                SE.VOICEMAIL: S.VOICEMAIL, SE.HANGUP: S.ENDED, SE.COMMENT: S.RINGING},
    S.ANSWERED: {SE.DIAL: S.ANSWERED, SE.RING: S.ANSWERED, SE.ANSWER: S.ANSWERED, SE.LEG_END: S.ANSWERED,
                 SE.TRANSFER: S.ANSWERED, SE.HANGUP: S.ENDED, SE.COMMENT: S.ANSWERED, SE.DISPOSE: S.ANSWERED},
    S.VOICEMAIL: {SE.HANGUP: S.ENDED, SE.COMMENT: S.VOICEMAIL},
    S.ENDED: {SE.COMMENT: S.ENDED, SE.DISPOSE: S.ENDED, SE.STAR: S.ENDED, SE.UNSTAR: S.ENDED, SE.ARCHIVE: S.ENDED,
              SE.UNARCHIVE: S.ENDED},
}
SESSION_STATES = tuple(SessionState)
SESSION_EVENTS = tuple(sorted(SessionEvent))

# BUSY and NO CARRIER can end a leg before it rings; NO ANSWER only once it rang.
LEG_TABLE: dict[LegState, dict[LegEvent, LegState]] = {
    L.DIALING: {LE.RING: L.RINGING, LE.BUSY: L.ENDED, LE.NO_CARRIER: L.ENDED, LE.CANCEL: L.ENDED},
    L.RINGING: {LE.ANSWER: L.ANSWERED, LE.NO_ANSWER: L.ENDED, LE.BUSY: L.ENDED, LE.CANCEL: L.ENDED},
    L.CONNECTED: {LE.HANGUP: L.ENDED, LE.TRANSFER: L.ENDED},
    L.ANSWERED: {LE.HANGUP: L.ENDED, LE.TRANSFER: L.ENDED},
    L.ENDED: {},
}
LEG_STATES = tuple(LegState)
LEG_EVENTS = tuple(sorted(LegEvent))
FAILURE_EVENTS = {"NO ANSWER": LE.NO_ANSWER, "BUSY": LE.BUSY, "NO CARRIER": LE.NO_CARRIER, "CANCEL": LE.CANCEL}
FAILURE_STATUS: dict[str, str] = {event: status for status, event in FAILURE_EVENTS.items()}
LIVE_LEG_STATES = (L.DIALING, L.RINGING, L.CONNECTED, L.ANSWERED)


def next_state(table: Mapping[Any, Mapping[Any, StrEnum]], machine: str, state: str, event: str) -> str:
    """The state ``event`` moves ``state`` to, as the plain string the documents keep."""
    try:
        return table[state][event].value
    except KeyError:
        raise IllegalTransition(machine, state, event) from None


# --- small helpers ---------------------------------------------------------------------------
def seconds_between(start: str | datetime, end: str | datetime) -> int:
    """Whole seconds from start to end, floored (how every documented duration is counted)."""
    a = parse_iso(start) if isinstance(start, str) else start
    b = parse_iso(end) if isinstance(end, str) else end
    return int((b - a).total_seconds() // 1)


def national_number(customer: dict) -> str:
    return customer["number"].removeprefix("+").removeprefix(customer.get("country_code") or "")


# Approximate "State, Country" codes, picked from the number so a caller always has the same one.
STATES = ("DL", "MH", "KA", "RJ", "UP", "TN", "WB", "BR", "GJ", "KL", "HR", "PB", "TG", "MP")


def location_of(number: str, country_code: str = "91") -> str:
    if country_code != "91":
        return ""
    return f"{STATES[int(number[-4:]) % len(STATES)]}, IN"


def recording_file_name(session: dict) -> str:
    """The file a call's recording is stored as: 96 hex digits and ``-v2.mp3``, the shape of every
    ``recording_filename`` in the docs' call.end examples (and of the live log's ``filename``,
    OBSERVED A.6). How MyOperator builds the digits is not known; ours are the SHA-384 of the
    company and the call, so a call always has the same name and no two calls share one."""
    digest = hashlib.sha384(f"{session['company_id']}:{session['id']}".encode()).hexdigest()
    return f"{digest}-v2.mp3"


def _copy(session: dict) -> dict:
    """The session a transition changes: its own dict, legs (each changed in place) and comment and disposition
    lists (appended to); the records nothing changes in place (the customer, the department, a leg's view) are
    shared with the stored session, which is never changed in place."""
    s = dict(session)
    for key in ("comments", "dispositions"):
        if key in s:
            s[key] = list(s[key])
    if "legs" in s:
        s["legs"] = [dict(leg) for leg in s["legs"]]
    return s


def _advance(session: dict, moment: datetime, machine: str, event: str) -> None:
    """Refuse a moment earlier than the last one applied (durations would go negative)."""
    if moment.tzinfo is None:
        raise IllegalTransition(machine, session["state"], event, "moments must be timezone-aware")
    last = session.get("last_event_at")
    if last and moment < parse_iso(last):
        raise IllegalTransition(machine, session["state"], event,
                                f"time cannot go backwards: {iso(moment)} is before {last}")
    session["last_event_at"] = iso(moment)


def _session_move(session: dict, event: str) -> None:
    session["state"] = next_state(SESSION_TABLE, "session", session["state"], event)


def _leg(session: dict, leg_index: int, event: str) -> dict:
    for leg in session["legs"]:
        if leg["leg_index"] == leg_index:
            return leg
    raise IllegalTransition("leg", "missing", event, f"the call has no leg {leg_index!r}")


def find_leg(session: dict, leg_index: int) -> dict:
    return _leg(session, leg_index, "find")


def leg_outcome(leg: dict) -> str:
    """The legacy call log's word for a leg (_ld._ac / _us): received, missed or transferred."""
    if leg.get("transferred_to"):
        return "transferred"
    return "received" if leg["answered_at"] or leg["inbound"] else "missed"


def talking(leg: dict) -> bool:
    return leg["state"] in ("connected", "answered")


# --- the session document --------------------------------------------------------------------
@dataclass(frozen=True)
class SessionStart:
    """What a call is created with: its ids, the company, its category, when it started, the customer
    (``{"number": E.164, "country_code", "name"}``) and the DID; the rest as the category needs."""
    session_id: str
    uid: str
    company_id: str
    category: str
    started_at: datetime
    customer: dict
    did: str
    kind: str = "call"
    direction: str | None = None
    source: str = "ivr"
    department: dict | None = None
    ivr_id: str | None = None
    notification: str | None = None
    dialer: str | None = None
    extension_dial: bool = False
    ref_id: str = ""
    client_ref_id: str = ""
    obd_campaign: dict | None = None
    custom: dict | None = None
    view_type: int = 2
    location: str | None = None


def new_session(start: SessionStart) -> dict:
    """A call just created: state ``initiated``, no legs yet."""
    if start.category not in CATEGORIES:
        raise ValueError(f"unknown call category {start.category!r}")
    if start.kind not in KINDS:
        raise ValueError(f"unknown log type {start.kind!r}")
    if start.source not in SOURCES:
        raise ValueError(f"unknown source {start.source!r}")
    if start.notification not in (None, *NOTIFICATIONS):
        raise ValueError(f"unknown notification {start.notification!r}")
    if start.dialer not in (None, *OBD_DIALERS):
        raise ValueError(f"unknown OBD dialer {start.dialer!r}")
    customer = start.customer
    if not is_e164(customer.get("number")) or not is_e164(start.did):
        raise ValueError("customer number and DID must be E.164 (+<country code><number>)")
    if start.started_at.tzinfo is None:
        raise ValueError("started_at must be timezone-aware")
    direction = start.direction or ("incoming" if start.category == "incoming" else "outgoing")
    if direction not in ("incoming", "outgoing"):
        raise ValueError(f"unknown direction {direction!r}")
    cc = customer.get("country_code") or "91"
    return {
        "id": start.session_id, "uid": start.uid, "company_id": start.company_id, "category": start.category,
        "direction": direction, "type": start.kind, "source": start.source, "state": "initiated", "status": None,
        "bridged": False,
        "customer": {"number": customer["number"], "country_code": cc, "name": customer.get("name") or ""},
        "did": start.did, "department": dict(start.department) if start.department else None,
        "ivr_id": start.ivr_id, "notification": start.notification, "dialer": start.dialer,
        "extension_dial": start.extension_dial,
        "location": start.location if start.location is not None else location_of(customer["number"], cc),
        "legs": [], "started_at": iso(start.started_at), "answered_at": None, "bridged_at": None,
        "voicemail_at": None, "ended_at": None, "logged_at": None, "duration": None, "recording": None,
        "comments": [], "dispositions": [], "ref_id": start.ref_id, "client_ref_id": start.client_ref_id,
        "obd_campaign": dict(start.obd_campaign) if start.obd_campaign else None, "custom": dict(start.custom or {}),
        "starred": False, "archived": False, "billable": False, "view_type": start.view_type,
        "event_sequence": 0, "last_event_at": iso(start.started_at),
    }


def start_leg(session: dict, moment: datetime, *, type: str, phone: str, user_id: str | None = None,
              name: str = "", pickup_device: str = "phone", department_id: str | None = None,
              inbound: bool = False) -> dict:
    """A new party: dialled (state dialing) or, ``inbound``, one that called in (connected)."""
    s = _copy(session)
    event = "connect" if inbound else "dial"
    _advance(s, moment, "session", event)
    _session_move(s, event)
    if type not in PARTY_TYPES:
        raise IllegalTransition("session", session["state"], event, f"unknown leg type {type!r}")
    if pickup_device not in PICKUP_DEVICES:
        raise IllegalTransition("session", session["state"], event, f"unknown pickup device {pickup_device!r}")
    if not is_e164(phone):
        raise IllegalTransition("session", session["state"], event, f"{phone!r} is not an E.164 number")
    if s["type"] == "sms":
        raise IllegalTransition("session", session["state"], event, "an SMS log has no call legs")
    s["legs"].append({
        "leg_index": len(s["legs"]) + 1, "type": type, "user_id": user_id, "name": name, "phone": phone,
        "pickup_device": pickup_device, "department_id": department_id, "inbound": inbound,
        "state": "connected" if inbound else "dialing", "result": "connected" if inbound else "dialing",
        "dial_status": "", "started_at": iso(moment), "ringing_at": None, "answered_at": None, "ended_at": None,
        "ring_duration": None, "talk_duration": None, "transferred_to": None, "transferred_from": None,
    })
    return s


def _move_leg(session: dict, leg_index: int, event: str, moment: datetime) -> tuple[dict, dict]:
    """A copy of the session with one leg moved by ``event`` (and the session with it), and that leg."""
    s = _copy(session)
    leg = _leg(s, leg_index, event)
    leg["state"] = next_state(LEG_TABLE, "leg", leg["state"], event)
    _advance(s, moment, "leg", event)
    _session_move(s, event)
    return s, leg


def ring_leg(session: dict, leg_index: int, moment: datetime) -> dict:
    s, leg = _move_leg(session, leg_index, "ring", moment)
    leg["ringing_at"] = iso(moment)
    return s


def answer_leg(session: dict, leg_index: int, moment: datetime) -> dict:
    s, leg = _move_leg(session, leg_index, "answer", moment)
    leg.update(result="answered", dial_status="ANSWER", answered_at=iso(moment),
               ring_duration=seconds_between(leg["started_at"], moment))
    s["answered_at"] = s["answered_at"] or iso(moment)
    live = [leg for leg in s["legs"] if talking(leg)]
    if not s["bridged"] and ((s["category"] == "otp" and leg["type"] == "customer")
                             or {leg["type"] for leg in live} == {"agent", "customer"}):
        # An OTP call needs nobody but the customer; every other call is bridged once an agent
        # and the customer are on the line together.
        s["bridged"], s["bridged_at"] = True, iso(moment)
    return s


def _close_leg(leg: dict, moment: datetime, event: str, dial_status: str | None) -> None:
    leg["state"] = next_state(LEG_TABLE, "leg", leg["state"], event)
    leg["ended_at"] = iso(moment)
    if leg["answered_at"]:
        leg["talk_duration"] = seconds_between(leg["answered_at"], moment)
    elif leg["inbound"]:
        leg["talk_duration"] = seconds_between(leg["started_at"], moment)
    else:
        leg.update(result="not_answered", dial_status=dial_status,
                   ring_duration=seconds_between(leg["started_at"], moment))


def end_leg(session: dict, leg_index: int, moment: datetime, dial_status: str | None = None) -> dict:
    """End a leg: "ANSWER" (or None on a talking leg) hangs it up; NO ANSWER / BUSY / NO CARRIER /
    CANCEL fail a dialled one (None: NO ANSWER once it rang, CANCEL before). The table decides
    which of these the leg's state allows."""
    s = _copy(session)
    leg = _leg(s, leg_index, "end")
    if dial_status in (None, ""):
        event = "hangup" if talking(leg) else ("no_answer" if leg["state"] == "ringing" else "cancel")
    elif dial_status == "ANSWER":
        event = "hangup"
    elif dial_status in FAILURE_EVENTS:
        event = FAILURE_EVENTS[dial_status]
    else:
        raise IllegalTransition("leg", leg["state"], str(dial_status), f"unknown dial status {dial_status!r}")
    _close_leg(leg, moment, event, None if event == "hangup" else FAILURE_STATUS[event])
    _advance(s, moment, "leg", event)
    _session_move(s, "leg_end")
    return s


def transfer(session: dict, leg_index: int, moment: datetime, *, phone: str, user_id: str | None, name: str = "",
             pickup_device: str = "phone", department_id: str | None = None) -> dict:
    """The agent on ``leg_index`` hands the call over: that leg ends, a new agent leg is dialled."""
    s = _copy(session)
    leg = _leg(s, leg_index, "transfer")
    if leg["type"] != "agent":
        raise IllegalTransition("leg", leg["state"], "transfer", "only an agent's leg can transfer the call")
    _close_leg(leg, moment, "transfer", None)
    _advance(s, moment, "leg", "transfer")
    _session_move(s, "transfer")
    dialled = start_leg(s, moment, type="agent", phone=phone, user_id=user_id, name=name,
                        pickup_device=pickup_device, department_id=department_id)
    new_leg = dialled["legs"][-1]
    new_leg["transferred_from"] = leg_index
    _leg(dialled, leg_index, "transfer")["transferred_to"] = new_leg["leg_index"]
    return dialled


def start_voicemail(session: dict, moment: datetime) -> dict:
    """Nobody answered; the caller is leaving a message."""
    s = _copy(session)
    _advance(s, moment, "session", "voicemail")
    _session_move(s, "voicemail")
    if any(leg["state"] in ("dialing", "ringing", "answered") for leg in s["legs"]):
        raise IllegalTransition("session", session["state"], "voicemail", "a dialled leg is still live")
    if not any(leg["type"] == "customer" and talking(leg) for leg in s["legs"]):
        raise IllegalTransition("session", session["state"], "voicemail", "no caller on the line to leave a message")
    s["voicemail_at"] = iso(moment)
    return s


def reach_ivr(session: dict, moment: datetime, ivr_id: str | None = None) -> dict:
    """The customer on the line hears the IVR (an incoming caller before any agent is dialled, an
    OBD customer once answered). A moment of the call, not a change of its phase, so it is guarded
    here rather than by SESSION_TABLE: a live call, a customer talking, once per call."""
    s = _copy(session)
    if s["state"] not in ("initiated", "answered"):
        raise IllegalTransition("session", s["state"], "ivr")
    if s.get("ivr_started_at"):
        raise IllegalTransition("session", s["state"], "ivr", "the call already reached its IVR")
    if not any(leg["type"] == "customer" and talking(leg) for leg in s["legs"]):
        raise IllegalTransition("session", s["state"], "ivr", "no customer on the line to hear the IVR")
    _advance(s, moment, "session", "ivr")
    s["ivr_started_at"] = iso(moment)
    if ivr_id:
        s["ivr_id"] = ivr_id
    return s


def end_session(session: dict, moment: datetime, *, recording: str | None = None) -> dict:
    """Hang up: every live leg ends (a ringing one as CANCEL) and the final status is fixed."""
    s = _copy(session)
    was = s["state"]
    _advance(s, moment, "session", "hangup")
    _session_move(s, "hangup")
    for leg in s["legs"]:
        if leg["state"] in LIVE_LEG_STATES:
            _close_leg(leg, moment, "hangup" if talking(leg) else "cancel", "CANCEL")
    if s["type"] == "sms":
        status = "bridged"  # a delivered SMS is logged as connected
    elif was == "voicemail":
        status = "voicemail"
    else:
        status = "bridged" if s["bridged"] else "missed"
    s.update(status=status, ended_at=iso(moment), logged_at=iso(moment),
             duration=seconds_between(s["started_at"], moment), recording=recording or None,
             billable=(s["type"] == "sms" and s["direction"] == "outgoing")
             or any(leg["answered_at"] or leg["inbound"] for leg in s["legs"]))
    return s


def add_comment(session: dict, moment: datetime, *, comment_id: str, text: str, user_id: str) -> dict:
    s = _copy(session)
    _advance(s, moment, "session", "comment")
    _session_move(s, "comment")
    if not isinstance(text, str) or not text.strip():
        raise IllegalTransition("session", s["state"], "comment", "a comment needs some text")
    s["comments"].append({"id": comment_id, "text": text, "user_id": user_id, "at": iso(moment)})
    return s


def add_disposition(session: dict, moment: datetime, *, type: int, name: str, user_id: str) -> dict:
    """A disposition (type 1 or 2, as the disposition webhook documents) submitted by an agent."""
    s = _copy(session)
    _advance(s, moment, "session", "dispose")
    _session_move(s, "dispose")
    if type not in (1, 2) or isinstance(type, bool):
        raise IllegalTransition("session", s["state"], "dispose", "a disposition's type is 1 or 2")
    s["dispositions"].append({"type": type, "name": name, "user_id": user_id, "at": iso(moment)})
    return s


def set_flag(session: dict, moment: datetime, flag: str, value: bool = True) -> dict:
    """Star / unstar, archive / unarchive a finished call's log."""
    events = {("starred", True): "star", ("starred", False): "unstar",
              ("archived", True): "archive", ("archived", False): "unarchive"}
    if (flag, value) not in events:
        raise ValueError(f"unknown flag {flag!r}")
    s = _copy(session)
    event = events[(flag, value)]
    _advance(s, moment, "session", event)
    _session_move(s, event)
    s[flag] = value
    return s


def take_sequence(session: dict) -> tuple[dict, int]:
    """The next event_sequence of this call's webhooks, and the session that remembers it."""
    s = dict(session)  # one field changes: the rest is shared (a session is never changed in place)
    s["event_sequence"] += 1
    return s, s["event_sequence"]


# --- a session as it was at an earlier moment ------------------------------------------------
def leg_at(leg: dict, at: datetime) -> dict | None:
    """The leg as it stood at ``at`` (None if not yet dialled), live durations counted up to ``at``."""
    if parse_iso(leg["started_at"]) > at:
        return None
    view = dict(leg)
    answered = leg["answered_at"] is not None and parse_iso(leg["answered_at"]) <= at
    ended = leg["ended_at"] is not None and parse_iso(leg["ended_at"]) <= at
    rang = leg["ringing_at"] is not None and parse_iso(leg["ringing_at"]) <= at
    if not ended:
        view.update(ended_at=None, talk_duration=None, transferred_to=None)
        if not answered:
            view.update(answered_at=None, ring_duration=None, dial_status="")
            view["state"] = "connected" if leg["inbound"] else ("ringing" if rang else "dialing")
            view["result"] = "connected" if leg["inbound"] else "dialing"
            if leg["inbound"]:
                view["talk_duration"] = seconds_between(leg["started_at"], at)
        else:
            view.update(state="answered", result="answered", dial_status="ANSWER",
                        talk_duration=seconds_between(leg["answered_at"], at))
    return view


def session_at(session: dict, at: datetime) -> dict:
    """A (finished or live) session viewed at an earlier moment: what its webhooks said then."""
    s = dict(session)  # a view: only its own fields are replaced below, nothing nested is changed in place
    s["legs"] = [v for v in (leg_at(leg, at) for leg in session["legs"]) if v is not None]
    if session["ended_at"] and parse_iso(session["ended_at"]) <= at:
        return s
    s.update(status=None, ended_at=None, logged_at=None, duration=None, recording=None)
    if s["voicemail_at"] and parse_iso(s["voicemail_at"]) <= at:
        s["state"] = "voicemail"
    elif any(leg["answered_at"] for leg in s["legs"]):
        s["state"] = "answered"
    elif any(not leg["inbound"] for leg in s["legs"]):
        s["state"] = "ringing"
    else:
        s["state"] = "initiated"
    for key in ("answered_at", "bridged_at", "voicemail_at"):
        if s[key] and parse_iso(s[key]) > at:
            s[key] = None
    if s.get("ivr_started_at") and parse_iso(s["ivr_started_at"]) > at:
        s["ivr_started_at"] = None
    s["bridged"] = s["bridged_at"] is not None
    s["comments"] = [c for c in s["comments"] if parse_iso(c["at"]) <= at]
    s["dispositions"] = [d for d in s["dispositions"] if parse_iso(d["at"]) <= at]
    return s


def customer_leg(session: dict) -> dict | None:
    return next((leg for leg in session["legs"] if leg["type"] == "customer"), None)


# --- whole calls -------------------------------------------------------------------------------

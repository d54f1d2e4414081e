"""The new call webhooks (items 37-44): the envelope and each event's payload, from a session.

Every function renders the session *as it stood at* ``at`` (``calls.session_at``), so the same
code serves a live call stepped by the scenario engine and a finished one replayed from history:
legs not yet dialled are absent, live durations are counted up to ``at``.

Documented quirks reproduced on purpose: ``event_version`` is the string "1"; lifecycle times
carry milliseconds and a Z, call.summary's and disposition's payload times are whole seconds with
"+00:00"; call.end says category "outgoing" for an OBD call (call.summary says "obd");
call.summary always has event_sequence 1 and system_identifier "", disposition has
system_identifier null and direction ""; an agent's ``extension`` is a string in call.summary and
``posted_by.extension`` an integer in disposition; a customer's leg never carries a dept_id, an
extension-dialled agent's leg says dept_id "extension"; customer_identifier is "" until the
customer's leg exists (OBD agent-first, first leg). OTP calls emit no dial events.

call.ivr_started is only named in the docs' lifecycle ("Call reaches IVR (if applicable)"); its
payload is ours (inferred): ``{"ivr_id", "started_at"}``, the IVR's id ("" when the call has none)
and the moment the customer reached it, in the lifecycle events' millisecond format.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, overload

from mock_server.clock import iso, parse_iso
from mock_server.domain.calls import customer_leg, find_leg, session_at

EVENT_TYPES = ("call.initiated", "call.ivr_started", "call.dial_begin", "call.answered", "call.end", "call.summary",
               "disposition")
LIFECYCLE = ("call.initiated", "call.ivr_started", "call.dial_begin", "call.answered", "call.end")
_SAME = object()


@overload
def ms_time(value: str | datetime) -> str: ...
@overload
def ms_time(value: None) -> None: ...
def ms_time(value: str | datetime | None) -> str | None:
    """2025-12-23T12:21:05.779Z"""
    if value is None:
        return None
    text = iso(parse_iso(value) if isinstance(value, str) else value)
    return text[:23] + "Z"


def offset_time(value: str | datetime | None) -> str | None:
    """2026-04-14T05:28:04+00:00"""
    if value is None:
        return None
    return (iso(parse_iso(value) if isinstance(value, str) else value))[:19] + "+00:00"


def _moment(value: str | datetime) -> datetime:
    return parse_iso(value) if isinstance(value, str) else value


def envelope(session: dict, event_type: str, payload: dict, *, event_id: str, timestamp: str, sequence: int,
             direction: Any = _SAME, system_identifier: Any = _SAME, customer_identifier: Any = _SAME) -> dict:
    """The root every call webhook shares; session_id is the call's UID."""
    return {
        "company_id": session["company_id"], "event_id": event_id, "event_type": event_type,
        "event_sequence": sequence, "event_version": "1", "timestamp": timestamp, "channel": "call",
        "direction": session["direction"] if direction is _SAME else direction,
        "session_id": session["uid"],
        "system_identifier": session["did"] if system_identifier is _SAME else system_identifier,
        "customer_identifier": session["customer"]["number"] if customer_identifier is _SAME else customer_identifier,
        "payload": payload,
    }


def _sequence(session: dict, sequence: int | None) -> int:
    return sequence if sequence is not None else max(session["event_sequence"], 1)


def _known_customer(view: dict) -> str:
    """customer_identifier while the call runs: "" until the customer is on (or being dialled into) it."""
    return view["customer"]["number"] if customer_leg(view) is not None else ""


def _dial_leg(session: dict, leg: dict) -> dict:
    """A leg as call.dial_begin / call.answered / call.end show it."""
    dept = "" if leg["type"] == "customer" else ("extension" if session.get("extension_dial")
                                                 else leg.get("department_id") or "")
    return {
        "leg_index": leg["leg_index"], "type": leg["type"], "phone_number": leg["phone"],
        "pickup_device": leg["pickup_device"], "result": leg["result"], "started_at": ms_time(leg["started_at"]),
        "answered_at": ms_time(leg["answered_at"]), "dept_id": dept, "dial_status": leg["dial_status"],
        "ended_at": ms_time(leg["ended_at"]), "ring_duration": leg["ring_duration"],
        "talk_duration": leg["talk_duration"],
    }


def _no_otp(session: dict, event_type: str) -> None:
    if session["category"] == "otp":
        raise ValueError(f"an OTP call emits no {event_type} event")
    if session["type"] != "call":
        raise ValueError("an SMS log emits no call events")


def call_initiated(session: dict, *, event_id: str, at: str | datetime | None = None,
                   sequence: int | None = None) -> dict:
    if session["type"] != "call":
        raise ValueError("an SMS log emits no call events")
    at = _moment(at or session["started_at"])
    view = session_at(session, at)
    identifier = view["customer"]["number"] if view["direction"] == "incoming" else _known_customer(view)
    return envelope(session, "call.initiated", {"started_at": ms_time(session["started_at"])}, event_id=event_id,
                    timestamp=iso(at), sequence=_sequence(session, sequence), customer_identifier=identifier)


def call_ivr_started(session: dict, *, event_id: str, at: str | datetime | None = None,
                     sequence: int | None = None) -> dict:
    """The customer reached the call's IVR (``calls.reach_ivr``)."""
    if session["type"] != "call":
        raise ValueError("an SMS log emits no call events")
    when = at or session.get("ivr_started_at")
    if when is None:
        raise ValueError("the call never reached an IVR")
    at = _moment(when)
    view = session_at(session, at)
    if not view.get("ivr_started_at"):
        raise ValueError(f"the call had not reached its IVR at {iso(at)}")
    payload = {"ivr_id": session.get("ivr_id") or "", "started_at": ms_time(view["ivr_started_at"])}
    return envelope(session, "call.ivr_started", payload, event_id=event_id, timestamp=iso(at),
                    sequence=_sequence(session, sequence), customer_identifier=_known_customer(view))


def _leg_event(session: dict, event_type: str, leg_index: int, at: str | datetime | None, event_id: str,
               sequence: int | None) -> dict:
    _no_otp(session, event_type)
    leg = find_leg(session, leg_index)
    if leg["inbound"]:
        raise ValueError(f"leg {leg_index} called in; it was never dialled")
    when = at or (leg["started_at"] if event_type == "call.dial_begin" else leg["answered_at"])
    if when is None:
        raise ValueError(f"leg {leg_index} was never answered")
    at = _moment(when)
    view = session_at(session, at)
    shown = {leg["leg_index"]: leg for leg in view["legs"]}
    if leg_index not in shown or (event_type == "call.answered" and shown[leg_index]["answered_at"] is None):
        raise ValueError(f"leg {leg_index} is not {'dialled' if event_type == 'call.dial_begin' else 'answered'} "
                         f"at {iso(at)}")
    payload = {"legs": [_dial_leg(view, leg) for leg in view["legs"]]}
    return envelope(session, event_type, payload, event_id=event_id, timestamp=ms_time(at),
                    sequence=_sequence(session, sequence), customer_identifier=_known_customer(view))


def call_dial_begin(session: dict, leg_index: int, *, event_id: str, at: str | datetime | None = None,
                    sequence: int | None = None) -> dict:
    """The system starts dialling ``leg_index``; the payload shows every leg dialled so far."""
    return _leg_event(session, "call.dial_begin", leg_index, at, event_id, sequence)


def call_answered(session: dict, leg_index: int, *, event_id: str, at: str | datetime | None = None,
                  sequence: int | None = None) -> dict:
    return _leg_event(session, "call.answered", leg_index, at, event_id, sequence)


def _ended(session: dict, event_type: str) -> None:
    if session["type"] != "call":
        raise ValueError("an SMS log emits no call events")
    if session["state"] != "ended":
        raise ValueError(f"{event_type} is sent once the call has ended")


def call_end(session: dict, *, event_id: str, at: str | datetime | None = None, sequence: int | None = None,
             obd_category: str = "outgoing") -> dict:
    """``obd_category``: what an OBD call's category reads (the profile's: the examples' "outgoing", or "obd")."""
    _ended(session, "call.end")
    payload = {
        "id": session["uid"], "did": session["did"], "direction": session["direction"],
        "customer_number": session["customer"]["number"], "status": session["status"],
        "started_at": ms_time(session["started_at"]), "ended_at": ms_time(session["ended_at"]),
        "category": obd_category if session["category"] == "obd" else session["category"],
        "duration": session["duration"], "recording_filename": session["recording"] or "",
        "billable": session["billable"], "ref_id": session["ref_id"] or "",
        "client_ref_id": session["client_ref_id"] or "", "obd_campaign": _campaign(session),
        "legs": [_dial_leg(session, leg) for leg in session["legs"]],
    }
    return envelope(session, "call.end", payload, event_id=event_id, timestamp=ms_time(at or session["ended_at"]),
                    sequence=_sequence(session, sequence))


def _campaign(session: dict) -> dict | None:
    campaign = session.get("obd_campaign")
    return {"id": campaign.get("id") or "", "job_id": campaign.get("job_id") or ""} if campaign else None


def summary_user(user: dict | None, phone: str, fallback_name: str = "") -> dict:
    """call.summary's user object: extension as a string."""
    user = user or {}
    return {"uuid": user.get("id") or "", "name": user.get("name") or fallback_name, "email": user.get("email"),
            "contact": phone, "extension": "" if user.get("extension") is None else str(user["extension"])}


def _user_phone(user: dict) -> str:
    return f"+{user.get('country_code') or '91'}{user['contact_number']}" if user.get("contact_number") else ""


def _department(bits: dict, department_id: str | None) -> dict | None:
    found = bits["departments"].get(department_id or "")
    return {"id": found["id"], "name": found["name"]} if found else None


def _comments(session: dict, bits: dict, *, integer_extension: bool) -> list[dict]:
    rendered = []
    for comment in session["comments"]:
        user = bits["users"].get(comment["user_id"], {})
        extension = user.get("extension")
        author = {"uuid": comment["user_id"], "name": user.get("name") or "",
                  "email": (user.get("email") or "") if integer_extension else user.get("email"),
                  "extension": (int(extension or 0) if integer_extension
                                else "" if extension is None else str(extension)),
                  "contact": _user_phone(user)}
        rendered.append({"id": comment["id"], "content": comment["text"], "posted_at": offset_time(comment["at"]),
                         "posted_by": author})
    return rendered


def call_summary(session: dict, bits: dict, *, event_id: str, at: str | datetime | None = None) -> dict:
    """The enriched final log: legs with agent and department, comments."""
    _ended(session, "call.summary")
    legs = []
    for leg in session["legs"]:
        agent = (summary_user(bits["users"].get(leg.get("user_id") or ""), leg["phone"], leg.get("name") or "")
                 if leg["type"] == "agent" else None)
        legs.append({
            "leg_index": leg["leg_index"], "agent": agent, "dial_status": leg["dial_status"],
            "result": leg["result"], "department": _department(bits, leg.get("department_id")),
            "started_at": offset_time(leg["started_at"]), "ended_at": offset_time(leg["ended_at"]),
            "talk_duration": leg["talk_duration"], "phone_number": leg["phone"], "type": leg["type"],
            "pickup_device": leg["pickup_device"], "answered_at": offset_time(leg["answered_at"]),
            "ring_duration": leg["ring_duration"],
        })
    payload = {
        "id": session["uid"], "direction": session["direction"], "customer_number": session["customer"]["number"],
        "status": session["status"], "started_at": offset_time(session["started_at"]),
        "ended_at": offset_time(session["ended_at"]), "category": session["category"],
        "location": session.get("location") or "", "duration": session["duration"],
        "recording_filename": session["recording"] or "", "ref_id": session["ref_id"] or "",
        "client_ref_id": session["client_ref_id"] or "", "obd_campaign": _campaign(session), "legs": legs,
        "billable": session["billable"], "comments": _comments(session, bits, integer_extension=False),
    }
    return envelope(session, "call.summary", payload, event_id=event_id,
                    timestamp=iso(_moment(at or session["ended_at"])), sequence=1, system_identifier="")


def disposition(session: dict, bits: dict, *, event_id: str, at: str | datetime | None = None,
                sequence: int | None = None) -> dict:
    """Sent when a disposition is submitted: every disposition and comment so far."""
    if not session["dispositions"]:
        raise ValueError("the disposition webhook needs a disposition")
    at = _moment(at or session["dispositions"][-1]["at"])
    view = session | {"comments": [c for c in session["comments"] if parse_iso(c["at"]) <= at],
                      "dispositions": [d for d in session["dispositions"] if parse_iso(d["at"]) <= at]}
    if not view["dispositions"]:
        raise ValueError(f"no disposition had been submitted at {iso(at)}")
    payload = {
        "dispositions": [{"type": d["type"], "name": d["name"], "user_id": d["user_id"],
                          "added_at": offset_time(d["at"])} for d in view["dispositions"]],
        "comments": _comments(view, bits, integer_extension=True),
    }
    return envelope(session, "disposition", payload, event_id=event_id, timestamp=iso(at)[:19] + "Z",
                    sequence=_sequence(session, sequence), direction="", system_identifier=None)


def timeline(session: dict) -> list[dict]:
    """The webhooks a finished call emits, in order: {"at", "event_type", "leg_index"}."""
    if session["type"] != "call":
        return []
    steps = [{"at": session["started_at"], "event_type": "call.initiated", "leg_index": None}]
    if session.get("ivr_started_at"):
        steps.append({"at": session["ivr_started_at"], "event_type": "call.ivr_started", "leg_index": None})
    if session["category"] != "otp":
        for leg in session["legs"]:
            if leg["inbound"]:
                continue
            steps.append({"at": leg["started_at"], "event_type": "call.dial_begin", "leg_index": leg["leg_index"]})
            if leg["answered_at"]:
                steps.append({"at": leg["answered_at"], "event_type": "call.answered", "leg_index": leg["leg_index"]})
    if session["state"] == "ended":
        steps.append({"at": session["ended_at"], "event_type": "call.end", "leg_index": None})
        steps.append({"at": session["ended_at"], "event_type": "call.summary", "leg_index": None})
    steps += [{"at": d["at"], "event_type": "disposition", "leg_index": None} for d in session["dispositions"]]
    order = {name: n for n, name in enumerate(EVENT_TYPES)}
    return sorted(steps, key=lambda s: (parse_iso(s["at"]), order[s["event_type"]]))


def render(session: dict, step: dict, bits: dict, *, event_id: str, sequence: int | None = None) -> dict:
    """One step of ``timeline(session)`` as its webhook."""
    kind, at = step["event_type"], step["at"]
    if kind == "call.initiated":
        return call_initiated(session, event_id=event_id, at=at, sequence=sequence)
    if kind == "call.ivr_started":
        return call_ivr_started(session, event_id=event_id, at=at, sequence=sequence)
    if kind == "call.dial_begin":
        return call_dial_begin(session, step["leg_index"], event_id=event_id, at=at, sequence=sequence)
    if kind == "call.answered":
        return call_answered(session, step["leg_index"], event_id=event_id, at=at, sequence=sequence)
    if kind == "call.end":
        return call_end(session, event_id=event_id, at=at, sequence=sequence,
                        obd_category=bits.get("obd_category", "outgoing"))
    if kind == "call.summary":
        return call_summary(session, bits, event_id=event_id, at=at)
    if kind == "disposition":
        return disposition(session, bits, event_id=event_id, at=at, sequence=sequence)
    raise ValueError(f"unknown call event {kind!r}")

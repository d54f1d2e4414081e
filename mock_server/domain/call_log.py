"""The legacy call log: the short-field dict of the deprecated AfterCall and Disposition webhooks.

Field names, types and nesting follow the documented examples (items 33 and 34) exactly, quirks
included: ``_so`` and ``_ns`` are strings while ``_su``, ``_ty`` and ``_ev`` are integers; ``_pm``
entries are ``{"ky", "vl"}`` (the field table says ``_pm._ky``, every example says ``ky``); ``_ms``
is the *start* time in milliseconds (``_st`` * 1000, as the example has it, not ``_ts``); ``_ss``
is the start's second of the UTC day (the example's 31131 for a 08:38:51 UTC start, which the table
calls "diff b/w call end time and start time"); the disposition rendering's legs have no ``_wr``.
Fields the table lists but the example omits (``_an``, ``_ri``, ``_ji``, ``_ivid``, ``_cri``) are
rendered too. ``_ld`` holds the agent legs (each an attempt to reach an agent, ``_rr`` its agent).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from mock_server.clock import parse_iso
from mock_server.domain.calls import leg_outcome, national_number

IST = timezone(timedelta(hours=5, minutes=30), "IST")
SOURCE = {"ivr": "1", "mobile": "2"}
STATUS = {"bridged": 1, "missed": 2, "voicemail": 3}
DIRECTION = {"incoming": 1, "outgoing": 2}
KIND = {"call": 1, "sms": 2}
NOTIFICATION = {None: "0", "clickocall": "1", "obd": "2", "webrtc": "3"}
DEFAULT_AUDIO_BASE = "http://myoperator.co/audio/"


CALLER_ID_CATEGORIES = ("incoming", "callback")


def tenant_bits(company_id: str, users: list[dict], departments: list[dict],
                recording_url: Callable[[str], str] | None = None, obd_category: str = "outgoing") -> dict:
    """What the renderings need besides the call: names of users and departments, recording links, and
    the word call.end uses for an OBD call (the fidelity profile's)."""
    return {"company_id": company_id, "users": {u["id"]: u for u in users},
            "departments": {d["id"]: d for d in departments}, "recording_url": recording_url,
            "obd_category": obd_category}


def epoch(text: str) -> int:
    return int(parse_iso(text).timestamp())


def hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def recording_link(session: dict, bits: dict) -> str:
    name = session.get("recording")
    if not name:
        return ""
    make = bits.get("recording_url")
    return make(name) if make else DEFAULT_AUDIO_BASE + name.rsplit(".", 1)[0]


def _second_of_day(instant: datetime) -> int:
    utc = instant.astimezone(UTC)
    return utc.hour * 3600 + utc.minute * 60 + utc.second


def _agent(leg: dict, bits: dict) -> dict:
    user = bits["users"].get(leg.get("user_id") or "", {})
    phone = leg["phone"]
    cc = user.get("country_code") or "91"
    return {"_id": leg.get("user_id") or "", "_na": user.get("name") or leg.get("name") or "",
            "_em": user.get("email") or "", "_ex": "" if user.get("extension") is None else str(user["extension"]),
            "_ct": phone.removeprefix("+").removeprefix(cc), "_nr": phone}


def _agents(session: dict, leg: dict, bits: dict) -> dict:
    """An agent leg's agent (``_rr``) and the one it was transferred to (``_tt``)."""
    target = next((other for other in session["legs"] if other["leg_index"] == (leg.get("transferred_to") or 0)), None)
    return {"_rr": [_agent(leg, bits)], "_tt": [_agent(target, bits)] if target else []}


def _leg(session: dict, leg: dict, bits: dict, wrapup: bool) -> dict:
    reached = bool(leg["answered_at"] or leg["inbound"])
    talk = leg["talk_duration"] or 0
    start = leg["answered_at"] or leg["started_at"]
    agents = _agents(session, leg, bits)
    rendered = {
        "_rr": agents["_rr"],
        "_rst": parse_iso(leg["started_at"]).astimezone(IST).strftime("%Y-%m-%d %H:%M:%S"),
        # "Last Caller Id (used in callback)": the DID an incoming caller reached, or a callback
        # went out from; other outgoing calls carry none (the Callbacks filter reads it).
        "_did": session["did"] if session["category"] in CALLER_ID_CATEGORIES else "",
        "_ds": (leg["dial_status"] or "ANSWER").replace(" ", ""),
        "_tt": agents["_tt"],
        "_su": "1" if reached else "2",
        "_st": epoch(start), "_et": epoch(leg["ended_at"]), "_dr": hms(talk),
        "_ac": leg_outcome(leg),
    }
    if wrapup:
        rendered["_wr"] = reached
    return rendered


def _customer(session: dict) -> dict:
    return {"_cr": national_number(session["customer"]), "_cm": session["customer"].get("name") or "",
            "_cl": session["customer"]["number"]}


def searchable(session: dict, bits: dict) -> dict:
    """The part of a finished call's log a search key is looked for in (the caller, each leg's agents): what
    Search Logs reads for every call of its window, where rendering each whole log would cost ten times more."""
    agent_legs = [leg for leg in session["legs"] if leg["type"] == "agent"]
    return {**_customer(session), "_ld": [_agents(session, leg, bits) for leg in agent_legs]}


def render(session: dict, bits: dict, *, disposition: bool = False) -> dict:
    """The AfterCall webhook's call log of a finished call (``disposition``: the Disposition one's)."""
    if session["state"] != "ended":
        raise ValueError("the call log is written once the call has ended")
    start, end = epoch(session["started_at"]), epoch(session["ended_at"])
    department = session.get("department") or {}
    agent_legs = [leg for leg in session["legs"] if leg["type"] == "agent"]
    flags = {"ui": session["uid"], "is": "1" if session["starred"] else "0", "vt": str(session.get("view_type", 2)),
             "ic": "1" if session["comments"] else "0", "ia": "1" if session["archived"] else "0",
             "ib": "1" if session["billable"] else "0"}
    log: dict[str, Any] = {
        "_ai": session["id"], "_so": SOURCE[session["source"]], "_ci": session["company_id"],
        **_customer(session), "_cy": session["customer"]["country_code"],
        "_se": (session.get("location") or "").replace(", ", ","),
        "_ts": epoch(session["logged_at"] or session["ended_at"]), "_st": start, "_ms": start * 1000,
        "_ss": _second_of_day(parse_iso(session["started_at"])), "_et": end, "_dr": hms(end - start),
        "_drm": round((end - start) / 60, 2),
    }
    if disposition:
        log["_dsp"] = [{"_lb": d["type"], "_na": d["name"], "_ag": d["user_id"], "_ts": epoch(d["at"])}
                       for d in session["dispositions"]]
    log.update({
        "_ty": KIND[session["type"]], "_ev": DIRECTION[session["direction"]],
        "_fn": session.get("recording") or "", "_fu": recording_link(session, bits),
        "_ns": NOTIFICATION[session.get("notification")], "_su": STATUS[session["status"]],
        "_dn": department.get("name") or "", "_di": department.get("id") or "",
        "_an": 1 if session.get("dialer") == "anonymous" else 0,
        "_ri": session.get("ref_id") or "", "_ji": (session.get("obd_campaign") or {}).get("job_id") or "",
        "_ivid": session.get("ivr_id") or "", "_cri": session.get("client_ref_id") or "",
        "_pm": [{"ky": key, "vl": value} for key, value in flags.items()],
        "_cn": [],
        "_ld": [_leg(session, leg, bits, wrapup=not disposition) for leg in agent_legs],
        "_us": [{"ky": leg["user_id"], "vl": leg_outcome(leg)} for leg in agent_legs if leg.get("user_id")],
        "_tc": [],
    })
    return log


def render_disposition(session: dict, bits: dict) -> dict:
    """The Disposition webhook's log: the call log plus ``_dsp``, legs without ``_wr``."""
    if not session["dispositions"]:
        raise ValueError("the disposition webhook needs a disposition")
    return render(session, bits, disposition=True)

"""Whole calls of every shape, played through the lifecycle functions of ``calls``.

``build_call(CallSpec(...))`` plays a finished call from its start (the history generator, the
OBD API's default outcome); ``party`` turns a user document into a leg's party.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mock_server.domain.calls import (
    FAILURES,
    OBD_DIALERS,
    PARTY_TYPES,
    STATUSES,
    SessionStart,
    answer_leg,
    end_leg,
    end_session,
    new_session,
    recording_file_name,
    ring_leg,
    start_leg,
    start_voicemail,
    transfer,
)
from mock_server.phones import is_e164


def party(user: dict, *, phone: str | None = None, pickup_device: str = "phone",
          department_id: str | None = None) -> dict:
    """An agent as a leg needs it, from a ``users`` fixture document."""
    number = phone or (f"+{user.get('country_code') or '91'}{user['contact_number']}"
                       if user.get("contact_number") else None)
    if not number:
        raise ValueError(f"user {user.get('id')} has no phone number; pass phone=")
    return {"user_id": user["id"], "name": user["name"], "phone": number, "pickup_device": pickup_device,
            "department_id": department_id}


def is_anonymous_user(user: dict) -> bool:
    return user.get("role") == "anonymous" or (user.get("extension") == 0 and user.get("name") == "Anonymous User")


def dialable(user: dict) -> bool:
    """A user the telephony can ring: takes calls, and has a number in E.164 with its country code."""
    return user.get("receive_calls") == 1 and is_e164(f"+{user.get('country_code')}{user.get('contact_number')}")


def takes_calls(user: dict) -> bool:
    """A user a scenario may name as its agent: dialable, and not the built-in Anonymous User."""
    return dialable(user) and not is_anonymous_user(user)


@dataclass(frozen=True)
class CallSpec:
    """What a finished call should look like; ``build_call`` plays it through the lifecycle.

    agents: parties (see ``party``) in the order they are tried. hunt: how many of them fail
    before one answers (incoming, OBD IVR, customer-first callback). missed_by: which leg fails a
    missed two-party outbound call ("agent" or "customer"). failure: that leg's dial status.
    """

    category: str
    outcome: str  # bridged | missed | voicemail
    customer: dict
    did: str
    agents: tuple = ()
    department: dict | None = None
    kind: str = "call"
    direction: str | None = None  # only for SMS logs
    source: str = "ivr"
    dialer: str | None = None  # obd: user | anonymous | ivr
    first: str | None = None  # callback: agent | customer
    hunt: int = 0
    transfer: bool = False
    failure: str | None = None
    missed_by: str | None = None
    extension_dial: bool = False
    clickocall: bool = False
    ivr_id: str | None = None
    ref_id: str = ""
    client_ref_id: str = ""
    obd_campaign: dict | None = None
    custom: dict = field(default_factory=dict)
    recording: bool = True
    ring: int | None = None  # seconds each answered leg rings
    talk: int | None = None  # seconds of conversation
    view_type: int = 2


def first_party(spec: CallSpec) -> str:
    """Who is leg 1: the documented leg mapping of each call type."""
    if spec.category == "incoming" or spec.category == "otp":
        return "customer"
    if spec.category == "obd":
        return "customer" if spec.dialer == "ivr" else "agent"
    if spec.category == "callback":
        return spec.first or "agent"
    return "agent"  # oneway, webcall


def hex_id(rng: random.Random, n: int = 16) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


class _Run:
    """A call being played: the session, the moment, and the generator of the gaps."""

    def __init__(self, session: dict, rng: random.Random, start: datetime):
        self.s, self.rng, self.t = session, rng, start

    def wait(self, low: int, high: int) -> None:
        self.t += timedelta(seconds=self.rng.randint(low, high), milliseconds=self.rng.randint(1, 999))

    def do(self, fn, *args, **kwargs) -> None:
        self.s = fn(self.s, *args, **kwargs)

    def dial(self, who: dict, type: str, answer: bool, failure: str | None = None, ring: int | None = None,
             department_id: str | None = None) -> int:
        """Dial a party: it rings within 1.5 s, then answers ``ring`` seconds after the dial (ring_duration
        == ring) or fails: BUSY / NO CARRIER before it rings, NO ANSWER after 25-45 s, CANCEL left
        ringing for the hang-up."""
        start, rng = self.t, self.rng
        self.do(start_leg, start, type=type, phone=who["phone"], user_id=who.get("user_id"),
                name=who.get("name", ""), pickup_device=who.get("pickup_device", "phone"),
                department_id=department_id if department_id is not None else who.get("department_id"))
        index = self.s["legs"][-1]["leg_index"]
        if not answer and failure in ("BUSY", "NO CARRIER"):
            self.t = start + timedelta(seconds=rng.randint(1, 4), milliseconds=rng.randint(1, 999))
            self.do(end_leg, index, self.t, failure)
            return index
        self.t = start + timedelta(milliseconds=rng.randint(200, 900))
        self.do(ring_leg, index, self.t)
        if answer:
            seconds = ring if ring is not None else rng.randint(2, 20)
            self.t = start + timedelta(seconds=seconds, milliseconds=rng.randint(1, 999))
            self.do(answer_leg, index, self.t)
        elif failure != "CANCEL":
            self.t = start + timedelta(seconds=rng.randint(25, 45), milliseconds=rng.randint(1, 999))
            self.do(end_leg, index, self.t, failure or "NO ANSWER")
        return index


def build_call(spec: CallSpec, *, rng: random.Random, start: datetime, company_id: str,
               session_id: str | None = None, uid: str | None = None) -> dict:
    """A finished call of ``spec``, played through the lifecycle from ``start``."""
    _check_spec(spec)
    session_id = session_id or hex_id(rng)
    uid = uid or f"s4.{int(start.timestamp())}.{rng.randint(100, 9999)}"
    notification = "obd" if spec.category == "obd" else "webrtc" if spec.category == "webcall" else (
        "clickocall" if spec.clickocall else None)
    s = new_session(SessionStart(session_id=session_id, uid=uid, company_id=company_id, category=spec.category,
                                 started_at=start, customer=spec.customer, did=spec.did, kind=spec.kind,
                                 direction=spec.direction, source=spec.source, department=spec.department,
                                 ivr_id=spec.ivr_id, notification=notification, dialer=spec.dialer,
                                 extension_dial=spec.extension_dial, ref_id=spec.ref_id,
                                 client_ref_id=spec.client_ref_id, obd_campaign=spec.obd_campaign, custom=spec.custom,
                                 view_type=spec.view_type))
    run = _Run(s, rng, start + timedelta(milliseconds=rng.randint(1, 20)))
    if spec.kind == "sms":
        run.do(end_session, run.t)
        return run.s
    {"incoming": _incoming, "otp": _otp}.get(spec.category, _two_party)(run, spec)
    keep = spec.recording and (run.s["bridged"] or run.s["state"] == "voicemail")
    run.wait(0, 1)
    run.do(end_session, run.t, recording=recording_file_name(run.s) if keep else None)
    return run.s


def _check_spec(spec: CallSpec) -> None:
    if spec.outcome not in STATUSES:
        raise ValueError(f"unknown outcome {spec.outcome!r}")
    if spec.outcome == "voicemail" and spec.category != "incoming":
        raise ValueError("only an incoming call ends in voicemail")
    if spec.category == "obd" and spec.dialer not in OBD_DIALERS:
        raise ValueError("an OBD call needs dialer user, anonymous or ivr")
    if spec.kind == "sms":
        return
    needs_agent = (spec.category in ("oneway", "webcall", "callback")
                   or (spec.category == "obd" and spec.dialer in ("user", "anonymous"))
                   or (spec.outcome == "bridged" and spec.category != "otp"))
    if (needs_agent or spec.hunt or spec.transfer) and not spec.agents:
        raise ValueError(f"a {spec.category} call that hunts, transfers or reaches an agent needs agents")
    if spec.failure not in (None, *FAILURES):
        raise ValueError(f"unknown failure {spec.failure!r}")
    if (spec.ring is not None and spec.ring < 1) or (spec.talk is not None and spec.talk < 0):
        raise ValueError("ring is at least 1 second and talk is not negative")
    if spec.missed_by not in (None, *PARTY_TYPES):
        raise ValueError(f"missed_by is agent or customer, not {spec.missed_by!r}")


def _talk(run: _Run, spec: CallSpec) -> None:
    run.t += timedelta(seconds=spec.talk if spec.talk is not None else run.rng.randint(15, 400),
                       milliseconds=run.rng.randint(1, 999))


def _as_party(customer: dict) -> dict:
    return {"user_id": None, "name": customer.get("name") or "", "phone": customer["number"]}


def _agent(spec: CallSpec, n: int) -> dict:
    return spec.agents[n % len(spec.agents)]


def _hunt_then_answer(run: _Run, spec: CallSpec, dept_id: str | None, start: int = 0) -> int | None:
    """Agents tried in turn: ``hunt`` fail, then one answers (bridged) or the rest fail too."""
    for n in range(start, start + spec.hunt):
        run.dial(_agent(spec, n), "agent", False, run.rng.choice(("NO ANSWER", "BUSY")), department_id=dept_id)
        run.wait(1, 3)
    n = start + spec.hunt
    if spec.outcome == "bridged":
        return run.dial(_agent(spec, n), "agent", True, ring=spec.ring, department_id=dept_id)
    if spec.agents:
        failure = spec.failure or ("NO ANSWER" if spec.outcome == "voicemail" else run.rng.choice(FAILURES))
        if spec.outcome == "voicemail" and failure == "CANCEL":
            failure = "NO ANSWER"
        run.dial(_agent(spec, n), "agent", False, failure, department_id=dept_id)
    return None


def _finish_bridge(run: _Run, spec: CallSpec, index: int, dept_id: str | None, turn: int) -> None:
    """Talk on an agent's leg, maybe transfer it to the next agent, then the agent hangs up."""
    _talk(run, spec)
    if spec.transfer:
        target = _agent(spec, turn + 1)
        run.do(transfer, index, run.t, phone=target["phone"], user_id=target.get("user_id"),
               name=target.get("name", ""), pickup_device=target.get("pickup_device", "phone"),
               department_id=dept_id if dept_id is not None else target.get("department_id"))
        index = run.s["legs"][-1]["leg_index"]
        run.wait(0, 1)
        run.do(ring_leg, index, run.t)
        run.wait(2, 15)
        run.do(answer_leg, index, run.t)
        _talk(run, spec)
    run.do(end_leg, index, run.t)


def _incoming(run: _Run, spec: CallSpec) -> None:
    dept_id = spec.department["id"] if spec.department else None
    c = spec.customer
    run.do(start_leg, run.t, type="customer", phone=c["number"], name=c.get("name") or "", inbound=True,
           department_id=dept_id)
    run.wait(3, 20)  # the IVR
    index = _hunt_then_answer(run, spec, dept_id)
    if index is not None:
        _finish_bridge(run, spec, index, dept_id, spec.hunt)
    elif spec.outcome == "voicemail":
        run.wait(1, 3)
        run.do(start_voicemail, run.t)
        run.wait(5, 40)
    else:
        run.wait(1, 10)


def _otp(run: _Run, spec: CallSpec) -> None:
    answered = spec.outcome == "bridged"
    run.dial(_as_party(spec.customer), "customer", answered, spec.failure or "NO ANSWER", ring=spec.ring)
    if answered:
        run.t += timedelta(seconds=spec.talk if spec.talk is not None else run.rng.randint(8, 30))
        run.do(end_leg, 1, run.t)


def _two_party(run: _Run, spec: CallSpec) -> None:
    """oneway, webcall, callback, OBD: leg 1 per the leg mapping table, then the other party."""
    first = first_party(spec)
    bridged = spec.outcome == "bridged"
    missed_by = spec.missed_by or ("customer" if first == "agent" else "agent")
    dept_id = spec.department["id"] if spec.department and spec.category == "obd" and spec.dialer == "ivr" else None
    c = _as_party(spec.customer)
    if first == "agent":
        agent = _agent(spec, 0)
        if spec.category in ("oneway", "webcall") and not spec.clickocall:
            # The agent places the call from a phone or the browser: the agent's leg called in.
            run.do(start_leg, run.t, type="agent", phone=agent["phone"], user_id=agent.get("user_id"),
                   name=agent.get("name", ""), pickup_device="web" if spec.category == "webcall" else "phone",
                   inbound=True)
        else:
            answered = bridged or missed_by == "customer"
            run.dial(agent, "agent", answered, spec.failure or "NO ANSWER", ring=spec.ring)
            if not answered:
                return
        run.wait(0, 2)
        index = run.dial(c, "customer", bridged, spec.failure or "NO ANSWER", ring=spec.ring)
        if bridged:
            _talk(run, spec)
            run.do(end_leg, index, run.t)
        return
    answered = bridged or missed_by == "agent"
    run.dial(c, "customer", answered, spec.failure or "NO ANSWER", ring=spec.ring, department_id=dept_id)
    if not answered:
        return
    run.wait(2, 15)  # the IVR or the whisper before the agent is dialled
    if not spec.agents:  # an IVR-only OBD call: the customer hears the IVR and hangs up
        run.wait(5, 30)
        return
    hunted = _hunt_then_answer(run, spec, dept_id)
    if hunted is not None:
        _finish_bridge(run, spec, hunted, dept_id, spec.hunt)
    else:
        run.wait(1, 5)


def build_sms(*, rng: random.Random, start: datetime, company_id: str, customer: dict, did: str,
              direction: str, source: str = "ivr") -> dict:
    """An SMS log (type sms): no legs, logged the moment it is sent or received."""
    spec = CallSpec(category="incoming" if direction == "incoming" else "oneway", outcome="bridged",
                    customer=customer, did=did, kind="sms", direction=direction, source=source, recording=False)
    return build_call(spec, rng=rng, start=start, company_id=company_id)

"""An accepted OBD request becomes a call session, played out on the clock.

Until the scenario engine drives calls step by step, every accepted request gets the default
outcome below: the call is planned in full at once (``build_call``), stored as it stands now
(``session_at``: initiated), and stored finished when its end falls due on the clock, so that
/search/search finds it from then on with the request's ids.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime
from math import ceil

from mock_server.clock import parse_iso
from mock_server.domain import call_builders, calls
from mock_server.obd.rules import Dial
from mock_server.phones import code_length
from mock_server.store import TenantState

CALLS = "calls"
CALL_ENDED = "obd.call_ended"
# The default outcome: every party answers after DEFAULT_RING seconds and the conversation lasts
# DEFAULT_TALK seconds, shortened so the whole call lasts at most max_call_duration (the rings are
# not shortened: a call of a few seconds still rings); the call is bridged and recorded.
DEFAULT_RING, DEFAULT_TALK = 5, 45


def plan(tenant: TenantState, dial: Dial, unique_id: str, reference_id: str | None, custom: dict,
         session_id: str, now: datetime) -> dict:
    """The whole call an accepted request makes, from ``now`` to its end (at most max_call_duration)."""
    department = tenant["departments"].get(dial.ivr.get("department_id"))
    customer = {"number": dial.customer, "country_code": _country_code(dial.customer), "name": _name(tenant, dial)}
    spec = call_builders.CallSpec(
        category="obd", outcome="bridged", dialer=dial.dialer, customer=customer, did=dial.did["number"],
        agents=_agents(tenant, dial, department), ivr_id=dial.ivr["id"],
        department={"id": department["id"], "name": department["name"]} if department and dial.dialer == "ivr" else None,
        obd_campaign={"id": dial.ivr["id"], "job_id": ""}, ref_id=unique_id, client_ref_id=reference_id or "",
        custom=custom, ring=DEFAULT_RING, talk=DEFAULT_TALK)
    planned = _build(tenant, spec, unique_id, session_id, now)
    excess = (parse_iso(planned["ended_at"]) - now).total_seconds() - (dial.max_call_duration or float("inf"))
    if excess > 0:  # cut the conversation so the whole call fits (the same seed replays the same rings)
        planned = _build(tenant, replace(spec, talk=max(1, DEFAULT_TALK - ceil(excess))), unique_id, session_id, now)
    return planned


def _build(tenant: TenantState, spec, unique_id: str, session_id: str, now: datetime) -> dict:
    return call_builders.build_call(spec, rng=random.Random(unique_id), start=now, company_id=tenant.company_id,
                                    session_id=session_id, uid=f"s4.{int(now.timestamp())}.{int(unique_id[:4], 16)}")


def start(tenant: TenantState, planned: dict, now: datetime) -> dict:
    """Store the call as it stands at ``now``; returns the seconds until it ends."""
    tenant[CALLS].put(calls.session_at(planned, now))
    return (parse_iso(planned["ended_at"]) - now).total_seconds()


def finish(tenant: TenantState, planned: dict) -> None:
    """The scheduled end: the call as it finished (unless a reset removed it meanwhile)."""
    if tenant[CALLS].get(planned["id"]) is not None:
        tenant[CALLS].put(planned)


def _agents(tenant: TenantState, dial: Dial, department: dict | None) -> tuple[dict, ...]:
    if dial.dialer == "anonymous":
        # MyOperator's built-in Anonymous User stands for number_2 (a fixtures file may lack it).
        anonymous = next((u for u in tenant["users"] if call_builders.is_anonymous_user(u)), None)
        if anonymous is None:
            return ({"user_id": None, "name": "Anonymous User", "phone": dial.agent_number, "pickup_device": "phone",
                     "department_id": None},)
        return (call_builders.party(anonymous, phone=dial.agent_number),)
    department_id = department["id"] if department and dial.dialer == "ivr" else None
    return tuple(call_builders.party(u, department_id=department_id) for u in dial.agents)


def _name(tenant: TenantState, dial: Dial) -> str:
    national = dial.customer.removeprefix("+")
    contact = next((c for c in tenant["contacts"] if f"{c['country_code']}{c['phone_number']}" == national), None)
    return contact["name"] if contact else ""


def _country_code(number: str) -> str:
    digits = number.removeprefix("+")
    return digits[:code_length(digits)]

"""An accepted OBD request becomes a call session, played out on the clock.

Until the scenario engine drives calls step by step, every accepted request gets the default
outcome below: the call is planned in full at once (``build_call``), stored as it stands now
(``session_at``: initiated), and stored finished when its end falls due on the clock, so that
/search/search finds it from then on with the request's ids.
"""

from __future__ import annotations

import random
from datetime import datetime

from mock_server.clock import parse_iso
from mock_server.domain import call_builders, calls
from mock_server.obd.rules import Dial
from mock_server.phones import code_length
from mock_server.store import TenantState

CALLS = "calls"
CALL_ENDED = "obd.call_ended"
# The default outcome: every party answers after DEFAULT_RING seconds and the conversation lasts
# DEFAULT_TALK seconds (at most max_call_duration); the call is bridged and recorded.
DEFAULT_RING, DEFAULT_TALK = 5, 45


def plan(tenant: TenantState, dial: Dial, unique_id: str, reference_id: str | None, custom: dict,
         session_id: str, now: datetime) -> dict:
    """The whole call an accepted request makes, from ``now`` to its end."""
    department = tenant["departments"].get(dial.ivr.get("department_id"))
    customer = {"number": dial.customer, "country_code": _country_code(dial.customer), "name": _name(tenant, dial)}
    spec = call_builders.CallSpec(
        category="obd", outcome="bridged", dialer=dial.dialer, customer=customer, did=dial.did["number"],
        agents=_agents(tenant, dial, department), ivr_id=dial.ivr["id"],
        department={"id": department["id"], "name": department["name"]} if department and dial.dialer == "ivr" else None,
        obd_campaign={"id": dial.ivr["id"], "job_id": ""}, ref_id=unique_id, client_ref_id=reference_id or "",
        custom=custom, ring=DEFAULT_RING,
        talk=min(DEFAULT_TALK, dial.max_call_duration) if dial.max_call_duration else DEFAULT_TALK)
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
    if dial.dialer == "user":
        return (call_builders.party(dial.user),)
    if dial.dialer == "anonymous":
        anonymous = next(u for u in tenant["users"] if call_builders.is_anonymous_user(u))
        return (call_builders.party(anonymous, phone=dial.agent_number),)
    # The IVR dialer: the customer is connected to the IVR, which hunts the department's agents.
    available = [u for u in tenant["users"] if u.get("receive_calls") == 1 and u.get("contact_number")
                 and (department is None or department["id"] in u.get("department_ids", []))]
    return tuple(call_builders.party(u, department_id=department["id"] if department else None) for u in available[:3])


def _name(tenant: TenantState, dial: Dial) -> str:
    national = dial.customer.removeprefix("+")
    contact = next((c for c in tenant["contacts"] if f"{c['country_code']}{c['phone_number']}" == national), None)
    return contact["name"] if contact else ""


def _country_code(number: str) -> str:
    digits = number.removeprefix("+")
    return digits[:code_length(digits)]

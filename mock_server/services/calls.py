"""Placing a call: an accepted OBD request starts its OBD scenario, played step by step on the clock.

Which scenario: an override set through the control plane for the customer's number (or for any
number) wins and is used up; else the documented rules of ``engine.call_rules`` (magic customer
numbers; every other number is answered). The run's parameters come from the request: the dialer,
the user (or the IVR dialer's agents, or number_2), the customer, the DID chosen by the routing
rules, the IVR and its department, unique_id as the call's ref_id, reference_id as its
client_ref_id, the custom_* fields, and max_call_duration, which hangs the call up that many
seconds after it started (a cut rather than a shortened talk: parties still ringing are
cancelled). An override's parameters are laid over these.

The run's first steps happen at once (the session exists, state initiated, and the agent-first
dialers' agent is already being dialled when the API answers); the call is in /search/search from
its end on, with the request's ids. A run that fails in those first steps is no call: ``place``
raises NotPlaced inside its unit of work, so nothing of it is kept.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from mock_server.clock import iso, parse_iso
from mock_server.engine import call_rules, overrides
from mock_server.store import TenantState
from mock_server.store.names import IVRS, OBD_REQUESTS

if TYPE_CHECKING:
    from mock_server.context import AppContext


class NotPlaced(Exception):
    """The call's scenario failed at its first steps: the API answers an error, nothing is kept."""


@dataclass(frozen=True)
class Dial:
    """What an accepted request asks for."""
    dialer: str  # "user", "anonymous" or "ivr"
    ivr: dict
    did: dict
    user: dict | None
    agents: tuple[dict, ...]  # the user dialer's user; the agents the IVR dialer hunts
    customer: str  # E.164
    agent_number: str | None  # the anonymous dialer's number_2
    max_call_duration: int | None
    call_hold: bool


@dataclass(frozen=True)
class CallRequest:
    """An accepted request's own ids and fields, beside what it dials."""
    unique_id: str  # ours: the call's ref_id
    reference_id: str | None  # the client's: the call's client_ref_id
    custom: dict  # its custom_* fields
    at: datetime  # when it was received


def reference_lock(ctx: AppContext, tenant: TenantState, now: datetime) -> Callable[[str], int]:
    """``reference_id`` -> whole seconds it stays taken on the server's clock (0: free), counted from the latest
    accepted request that gave it; found through an index of the requests by reference, not a scan."""
    def remaining(reference_id: str) -> int:
        taken = tenant[OBD_REQUESTS].lookup("reference_id", lambda r: r.get("reference_id"), reference_id)
        if not taken:
            return 0
        since = max(parse_iso(r["received_at"]) for r in taken)
        return max(0, math.ceil(ctx.settings.obd_reference_ttl_seconds - (now - since).total_seconds()))
    return remaining


def request_params(dial: Dial, request: CallRequest) -> dict:
    """Everything an OBD scenario may take from the request (each scenario takes what it declares)."""
    params = {"customer": dial.customer, "did": dial.did["number"], "ivr": dial.ivr["id"],
              "ref_id": request.unique_id, "client_ref_id": request.reference_id or "", "custom": request.custom,
              "max_call_duration": dial.max_call_duration, "dialer": dial.dialer, "agent_number": dial.agent_number,
              "department": dial.ivr.get("department_id") if dial.dialer == "ivr" else None}
    if dial.agents:
        params["agent"] = dial.agents[0]["id"]
        params["next_agent"] = dial.agents[1 % len(dial.agents)]["id"]  # the IVR dialer hunts its agents
    return params


def start(ctx: AppContext, tenant: TenantState, dial: Dial, request: CallRequest) -> dict:
    """Start the call's scenario run at the request's moment; returns the run (its state names the call's session)."""
    scenario, extra, outcome = call_rules.choose(dial.dialer, dial.customer, dial.call_hold)
    return overrides.start_triggered(ctx, tenant, overrides.Trigger(
        "obd", dial.customer, request_params(dial, request), {"kind": "obd", "unique_id": request.unique_id},
        (scenario, extra, outcome.name), at=request.at))


def place(ctx: AppContext, tenant: TenantState, dial: Dial, request: CallRequest) -> dict:
    """Place the call: its run started, the request kept (its reference_id taken) and the IVR's usage counted,
    as one unit: a call whose scenario cannot start (RunRefused, UnknownScenario, NotPlaced) leaves nothing
    (no session, run, jobs, events, used override, usage count or reference_id taken)."""
    with ctx.store.transaction():
        run = start(ctx, tenant, dial, request)
        if run["status"] == "failed":  # its first steps failed: the call was never placed
            raise NotPlaced(run["error"])
        tenant[OBD_REQUESTS].put({
            "id": request.unique_id, "reference_id": request.reference_id, "received_at": iso(request.at),
            "dialer": dial.dialer, "public_ivr_id": dial.ivr["id"], "did": dial.did["number"], "number": dial.customer,
            "number_2": dial.agent_number, "user_id": dial.user["id"] if dial.user else None,
            "max_call_duration": dial.max_call_duration, "call_hold": dial.call_hold,
            "custom": request.custom, "session_id": run["state"].get("session_id"), "uid": run["state"].get("uid"),
            "scenario": run["scenario"],
            "run_id": run["id"]})
        tenant[IVRS].put(dict(dial.ivr, usage_count=dial.ivr["usage_count"] + 1))
    return run

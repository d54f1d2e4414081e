"""An accepted OBD request starts its OBD scenario: the call is played step by step on the clock.

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
its end on, with the request's ids. A run that fails in those first steps is no call: the handler
raises NotPlaced inside its unit of work, so nothing of it is kept, and answers 500.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from mock_server.engine import call_rules, overrides
from mock_server.obd.rules import Dial
from mock_server.store import TenantState

if TYPE_CHECKING:
    from mock_server.context import AppContext

CALLS = "calls"
# Jobs of calls placed before the scenario engine drove them (state kept by an earlier version in a
# data dir): the finished call stored when its end fell due.
CALL_ENDED = "obd.call_ended"


class NotPlaced(Exception):
    """The call's scenario failed at its first steps: the API answers an error, nothing is kept."""


def request_params(dial: Dial, unique_id: str, reference_id: str | None, custom: dict) -> dict:
    """Everything an OBD scenario may take from the request (each scenario takes what it declares)."""
    params = {"customer": dial.customer, "did": dial.did["number"], "ivr": dial.ivr["id"], "ref_id": unique_id,
              "client_ref_id": reference_id or "", "custom": custom, "max_call_duration": dial.max_call_duration,
              "dialer": dial.dialer, "agent_number": dial.agent_number,
              "department": dial.ivr.get("department_id") if dial.dialer == "ivr" else None}
    if dial.agents:
        params["agent"] = dial.agents[0]["id"]
        params["next_agent"] = dial.agents[1 % len(dial.agents)]["id"]  # the IVR dialer hunts its agents
    return params


def place(ctx: AppContext, tenant: TenantState, dial: Dial, unique_id: str, reference_id: str | None,
          custom: dict, at: datetime) -> dict:
    """Start the call's scenario run ``at`` the request's moment; returns the run (its state names the call's session)."""
    scenario, extra, outcome = call_rules.choose(dial.dialer, dial.customer, dial.call_hold)
    return overrides.start_triggered(ctx, tenant, "obd", dial.customer,
                                     request_params(dial, unique_id, reference_id, custom),
                                     {"kind": "obd", "unique_id": unique_id}, (scenario, extra, outcome.name),
                                     at=at)


def finish_legacy(tenant: TenantState, planned: dict) -> None:
    """A pre-engine call's scheduled end: the call as it finished (unless a reset removed it meanwhile)."""
    if tenant[CALLS].get(planned["id"]) is not None:
        tenant[CALLS].put(planned)

"""Overrides: what the next API-started flow does, forced through the control plane (past the rules).

An override is a tenant document (``scenario_overrides``)::

    {"id", "kind": "obd" | "message", "match": {"customer_number": "+91..."} or {} (any number),
     "scenario", "params", "times", "used", "created_at"}

The flow's trigger (an accepted OBD request for "obd", a sent WhatsApp message for "message") asks
``take`` with the customer's number: an override for that very number wins over one for any
number, the oldest first; each use counts down ``times`` and the override is gone when none are
left. Its ``params`` are laid over the ones the trigger derives from the request, so an override
needs to give only what it changes. They are checked against the scenario when the override is set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from mock_server.clock import iso
from mock_server.engine import runner
from mock_server.store import TenantState
from mock_server.store.names import SCENARIO_OVERRIDES

if TYPE_CHECKING:
    from mock_server.context import AppContext

CHANNEL_OF_KIND = {"obd": "call", "message": "whatsapp"}


def add(ctx: AppContext, tenant: TenantState, body: dict) -> dict:
    """Store an override from a request body already valid against ``control/override.request``."""
    try:
        scenario = runner.find(ctx, body["scenario"])
    except runner.UnknownScenario as exc:
        raise runner.RunRefused({"scenario": [str(exc)]}) from None
    if scenario.channel != CHANNEL_OF_KIND[body["kind"]]:
        raise runner.RunRefused({"scenario": [f"{scenario.name} is a {scenario.channel} scenario; a {body['kind']} "
                                              f"override needs a {CHANNEL_OF_KIND[body['kind']]} one."]})
    params = runner.resolve_params(tenant, scenario, body.get("params", {}), partial=True)
    doc = {"id": ctx.ids.uuid(), "kind": body["kind"], "match": dict(body.get("match") or {}),
           "scenario": scenario.name, "params": params, "times": body.get("times", 1), "used": 0,
           "created_at": iso(ctx.now())}
    return tenant[SCENARIO_OVERRIDES].put(doc)


def listing(tenant: TenantState) -> list[dict]:
    return tenant[SCENARIO_OVERRIDES].values()


def remove(tenant: TenantState, override_id: str | None = None) -> int:
    """Delete one override (or all); how many were deleted."""
    doomed = [override_id] if override_id is not None else [o["id"] for o in tenant[SCENARIO_OVERRIDES]]
    return sum(1 for doc_id in doomed if tenant[SCENARIO_OVERRIDES].delete(doc_id) is not None)


def take(tenant: TenantState, kind: str, number: str) -> tuple[str, dict] | None:
    """(scenario, params) of the override that applies to this flow, used up by one; None when none does."""
    candidates = [o for o in tenant[SCENARIO_OVERRIDES] if o["kind"] == kind]
    chosen = (next((o for o in candidates if o["match"].get("customer_number") == number), None)
              or next((o for o in candidates if not o["match"]), None))
    if chosen is None:
        return None
    left = chosen["times"] - 1
    if left <= 0:
        tenant[SCENARIO_OVERRIDES].delete(chosen["id"])
    else:
        tenant[SCENARIO_OVERRIDES].put(dict(chosen, times=left, used=chosen["used"] + 1))
    return chosen["scenario"], dict(chosen["params"])


Fit = Callable[["AppContext", str, dict], dict]


@dataclass(frozen=True)
class Trigger:
    """An API call that starts a run: which overrides may take it (``kind`` and the customer's ``number``), the
    parameters the request yields (``given``), what the run records of its cause (``trigger``), and the rule's
    choice when no override applies (scenario, parameters, the rule's name)."""

    kind: str  # "obd" or "message", as an override's kind
    number: str
    given: dict
    trigger: dict
    rule: tuple[str, dict, str]
    at: datetime | None = None  # the moment of the operation that starts it (default: now)
    fit: Fit = runner.declared_params  # ``given`` cut down to what a scenario declares
    use_overrides: bool = True


def start_triggered(ctx: AppContext, tenant: TenantState, cause: Trigger) -> dict:
    """Start the run an API call causes: the override for this number (or any) when one applies and can
    play it, else the rule's. An override's and the rule's parameters are laid over the fitted ``given``;
    an override that cannot play the request is noted in the run's trigger."""
    trigger = cause.trigger
    forced = take(tenant, cause.kind, cause.number) if cause.use_overrides else None
    if forced is not None:
        scenario, extra = forced
        try:
            return runner.start_run(ctx, tenant, scenario, {**cause.fit(ctx, scenario, cause.given), **extra},
                                    trigger=dict(trigger, chosen_by="override"), at=cause.at)
        except (runner.UnknownScenario, runner.RunRefused) as exc:
            trigger = dict(trigger, override_error=str(exc))
    scenario, extra, name = cause.rule
    return runner.start_run(ctx, tenant, scenario, {**cause.fit(ctx, scenario, cause.given), **extra},
                            trigger=dict(trigger, chosen_by=f"rule:{name}"), at=cause.at)


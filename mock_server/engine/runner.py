"""Scenario runs: a scenario's steps played on the server's clock, one run document each.

``start_run`` resolves the parameters (the caller's, checked by kind; the others' defaults, drawn
from the tenant's fixtures), fixes the timeline (each step's offset and arguments with "$param"
references substituted; a deadline drops the steps due after it and runs its own action then),
stores the run in the tenant's ``scenario_runs`` and schedules each later step on the clock as a
``scenario.step`` job. Steps at offset 0 run at once, in order, before ``start_run`` returns, so
the caller sees the call it started. Jobs and runs are tenant state: a restart with a data dir
carries on, a reset drops both.

A step whose action raises ValueError (IllegalTransition is one) fails the run: the error is kept,
the steps not yet run are cancelled, and the failing step stored nothing (each step is a nested
unit of work, rolled back when it raises; the failure is recorded in the unit around it). A run document::

    {"id", "scenario", "channel", "company_id", "params", "state", "trigger", "status" (running |
     finished | failed), "error", "started_at", "finished_at", "steps": [{"index", "do", "with",
     "offset", "due_at", "status" (pending | done | failed | cancelled), "done_at", "job_id"}]}
"""

from __future__ import annotations

import copy
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mock_server.clock import iso
from mock_server.engine import loader
from mock_server.engine.steps import Step
from mock_server.store import TenantState, json_copy
from mock_server.store.names import SCENARIO_RUNS

if TYPE_CHECKING:
    from mock_server.context import AppContext

log = logging.getLogger("mock_server.engine")

STEP_JOB = "scenario.step"


class UnknownScenario(LookupError):
    pass


class RunRefused(ValueError):
    """Parameters a scenario cannot run with: DRF-style field errors ({"params.agent": [...]})."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def scenario_dirs(ctx: AppContext) -> tuple[Path, ...]:
    """The shipped scenarios, then the folders a user added (Settings.scenario_dirs, when it exists)."""
    return (loader.builtin_dir(), *getattr(ctx.settings, "scenario_dirs", ()))


def catalog(ctx: AppContext) -> dict[str, loader.Scenario]:
    return loader.catalog(scenario_dirs(ctx), ctx.vocabulary)


def find(ctx: AppContext, name: str) -> loader.Scenario:
    scenario = catalog(ctx).get(name)
    if scenario is None:
        raise UnknownScenario(f"No scenario named {name!r}.")
    return scenario


# --- parameters ----------------------------------------------------------------------------------
def default_of(tenant: TenantState, scenario: loader.Scenario, name: str) -> Any:
    """A parameter's default: its literal, else the ``pick``-th (default 1st) of its kind's fixture pool.

    Runs use pools up (a campaign run is no longer scheduled), so a pool that is short names the
    parameter to pass instead, and the reset that refills it."""
    spec, kind = scenario.params[name], scenario.kinds[name]
    if "default" in spec:
        return copy.deepcopy(spec["default"])
    assert kind.pool is not None  # the loader refuses a parameter with neither a default nor a pool
    pool = kind.pool(tenant)
    n = spec.get("pick", 1)
    if len(pool) < n:
        raise ValueError(f"No default left for params.{name}: the company has {len(pool)} of "
                         f"{kind.pool_label} and this default is number {n} (an earlier run "
                         f"may have used them). Pass params.{name}, or reset the company "
                         f"(POST /_mock/tenants/{tenant.company_id}/reset).")
    return pool[n - 1]


def resolve_params(tenant: TenantState, scenario: loader.Scenario, given: Any, *, partial: bool = False) -> dict:
    """The run's parameters; ``partial``: only those given (an override's). RunRefused lists every problem."""
    if not isinstance(given, dict):
        raise RunRefused({"params": ["Must be an object of parameter values."]})
    errors: dict[str, list[str]] = {}
    for name in given:
        if name not in scenario.params:
            known = ", ".join(scenario.params) or "none"
            errors[f"params.{name}"] = [f"Unknown parameter of {scenario.name}. Known: {known}."]
    resolved: dict[str, Any] = {}
    for name, spec in scenario.params.items():
        if name not in given and partial:
            continue
        try:
            if name not in given:
                resolved[name] = default_of(tenant, scenario, name)
            elif given[name] is None:
                if not ("default" in spec and spec["default"] is None):
                    raise ValueError("This field may not be null.")
                resolved[name] = None
            else:
                resolved[name] = scenario.kinds[name].check(tenant, given[name], spec)
        except ValueError as exc:
            errors[f"params.{name}"] = [str(exc)]
    if errors:
        raise RunRefused(errors)
    return resolved


def timeline(scenario: loader.Scenario, params: dict) -> list[dict]:
    """[{"do", "with", "offset"}] in order, the deadline applied."""
    plan: list[dict] = []
    previous = 0.0
    for n, step in enumerate(scenario.steps, start=1):
        value = loader.substitute(step["at"] if "at" in step else step["after"], params)
        if value is None:
            raise RunRefused({"params": [f"step {n} ({step['do']}) has no offset: its parameter is null."]})
        offset = value if "at" in step else previous + value
        if offset < previous:
            raise RunRefused({"params": [f"step {n} ({step['do']}) would run at {offset:g} s, before the step "
                                         f"before it ({previous:g} s)."]})
        plan.append({"do": step["do"], "with": loader.substitute(step.get("with") or {}, params), "offset": offset})
        previous = offset
    deadline = scenario.deadline
    limit = loader.substitute(deadline["at"], params) if deadline else None
    if deadline and limit is not None and plan[-1]["offset"] > limit:
        plan = [s for s in plan if s["offset"] <= limit]
        plan.append({"do": deadline["do"], "with": loader.substitute(deadline.get("with") or {}, params),
                     "offset": limit})
    return plan


# --- runs ----------------------------------------------------------------------------------------
def declared_params(ctx: AppContext, scenario_name: str, params: dict) -> dict:
    """The ``params`` this scenario declares (a null one only where it allows null): what a trigger
    derived from a request is cut down to, since each scenario takes only what it declares."""
    declared = find(ctx, scenario_name).params
    return {k: v for k, v in params.items()
            if k in declared and (v is not None or ("default" in declared[k] and declared[k]["default"] is None))}


def start_run(ctx: AppContext, tenant: TenantState, scenario_name: str, params: dict | None = None,
              trigger: Any = "api", at: datetime | None = None) -> dict:
    """Start a run of ``scenario_name`` ``at`` (the moment of the operation that starts it; default now);
    UnknownScenario / RunRefused when it cannot start."""
    scenario = find(ctx, scenario_name)
    resolved = resolve_params(tenant, scenario, params if params is not None else {})
    plan = timeline(scenario, resolved)
    now = at or ctx.now()
    run = {"id": ctx.ids.uuid(), "scenario": scenario.name, "channel": scenario.channel,
           "company_id": tenant.company_id, "params": resolved, "state": {}, "trigger": trigger,
           "status": "running", "error": None, "started_at": iso(now), "finished_at": None,
           "steps": [{"index": n, "do": s["do"], "with": s["with"], "offset": s["offset"],
                      "due_at": iso(now + timedelta(seconds=s["offset"])), "status": "pending", "done_at": None,
                      "job_id": None} for n, s in enumerate(plan)]}
    with ctx.store.transaction():
        for entry in run["steps"]:
            if entry["offset"] > 0:
                entry["job_id"] = ctx.schedule(tenant, entry["offset"], STEP_JOB,
                                               {"run_id": run["id"], "index": entry["index"]}, since=now)
        tenant[SCENARIO_RUNS].put(run)
        for entry in run["steps"]:
            if entry["offset"] > 0:
                break
            execute(ctx, tenant, run["id"], entry["index"], at=now)
    return tenant[SCENARIO_RUNS].require(run["id"])


def execute(ctx: AppContext, tenant: TenantState, run_id: str, index: int, at: datetime | None = None) -> None:
    """Run one step of a running run (a step already run, or of a run that ended, is skipped).

    ``at`` is the step's moment: the run's start for the steps at offset 0 (one moment for all of them,
    as they happen at once), else now, read once for all the step writes."""
    stored = tenant[SCENARIO_RUNS].get(run_id)
    if stored is None or stored["status"] != "running" or stored["steps"][index]["status"] != "pending":
        return
    # What this step may change is copied: the run's own fields, each step entry (the runner marks them) and
    # the state its actions write; the rest (params, each step's ``with``) is shared, as nothing writes it.
    run = dict(stored, state=json_copy(stored["state"]), steps=[dict(s) for s in stored["steps"]])
    entry = run["steps"][index]
    action = ctx.vocabulary.actions.get(entry["do"])
    at = at or ctx.now()
    try:
        # The step's own unit of work: a step that raises leaves nothing it wrote, in memory or on
        # disk, while the unit around it (the trigger's, or the job's) goes on to record the failure.
        with ctx.store.transaction():
            if action is None:
                raise ValueError(f"unknown action {entry['do']!r}")
            action(Step(ctx, tenant, run, json_copy(entry["with"]), at))
    except Exception as exc:
        if not isinstance(exc, ValueError):
            log.exception("scenario %s step %s failed unexpectedly", run["scenario"], index)
        fail(ctx, tenant, run, index, exc, at)
        return
    entry.update(status="done", done_at=iso(at))
    if all(s["status"] == "done" for s in run["steps"]):
        run.update(status="finished", finished_at=iso(at))
    tenant[SCENARIO_RUNS].put(run)
    forget_old_runs(ctx, tenant, keep=run["id"])


def _finished_order(run: dict) -> tuple[str, str] | None:
    return None if run["status"] == "running" else (run["finished_at"], run["id"])


def forget_old_runs(ctx: AppContext, tenant: TenantState, keep: str) -> None:
    """Keep the run log bounded (every call and message starts a run): the finished and failed runs
    beyond the newest ``run_log_size`` are dropped, oldest first; a running run is never dropped, nor
    ``keep`` (the run that just ended: on the manual clock many end at the same instant)."""
    runs = tenant[SCENARIO_RUNS]
    ended = runs.ordered("ended", _finished_order)
    for run in list(ended[:max(len(ended) - ctx.settings.run_log_size, 0)]):
        if run["id"] != keep:
            runs.delete(run["id"])


def fail(ctx: AppContext, tenant: TenantState, run: dict, index: int, exc: Exception, at: datetime) -> None:
    entry = run["steps"][index]
    entry.update(status="failed", done_at=iso(at))
    run.update(status="failed", finished_at=iso(at),
               error=f"step {index + 1} ({entry['do']}) at {entry['offset']:g} s: {exc}")
    for later in run["steps"][index + 1:]:
        later["status"] = "cancelled"
        if later["job_id"]:
            ctx.unschedule(tenant, later["job_id"])
    tenant[SCENARIO_RUNS].put(run)
    forget_old_runs(ctx, tenant, keep=run["id"])
    log.warning("scenario %s failed at step %d (%s): %s", run["scenario"], index + 1, entry["do"], exc,
                extra={"event": "scenario.failed", "scenario": run["scenario"], "run_id": run["id"],
                       "company_id": tenant.company_id, "step": index + 1, "action": entry["do"], "reason": str(exc)})


def register_actions(ctx: AppContext) -> None:
    def step_due(company_id: str, payload: dict) -> None:
        tenant = ctx.store.tenant(company_id)
        if tenant is not None:
            with ctx.store.transaction():
                execute(ctx, tenant, payload["run_id"], payload["index"])

    ctx.scheduler.register(STEP_JOB, step_due)

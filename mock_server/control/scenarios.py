"""/_mock/ routes of the scenario engine: list and run scenarios, follow runs, force what API-started
flows do (overrides).

- GET  /_mock/scenarios[?company_id=]            every scenario, its parameters and their defaults
                                                 (resolved from that tenant's fixtures when given)
- GET  /_mock/scenarios/{name}[?company_id=]     one scenario, with its steps
- POST /_mock/scenarios/{name}/run               {"company_id", "params"} -> 201, the run document
- GET  /_mock/tenants/{company_id}/scenario-runs[?scenario=&status=], …/scenario-runs/{id}
- POST /_mock/tenants/{company_id}/overrides     {"kind", "match", "scenario", "params", "times"} -> 201
- GET | DELETE /_mock/tenants/{company_id}/overrides, DELETE …/overrides/{id}
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from mock_server.control.common import bounded_list, control_error, ctx_of, tenant_of
from mock_server.engine import overrides, runner
from mock_server.engine.loader import Scenario
from mock_server.errors import DRF_INVALID
from mock_server.http import Json, read_json
from mock_server.store import TenantState
from mock_server.store.names import SCENARIO_RUNS

RUN_STATUSES = ("running", "finished", "failed")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def describe_param(scenario: Scenario, name: str, tenant: TenantState | None) -> dict:
    spec = scenario.params[name]
    out = {k: spec[k] for k in ("kind", "description", "choices", "min", "max", "max_length") if k in spec}
    if "default" in spec:
        out["default"] = spec["default"]
        return out
    out["default_from"] = f"the {_ordinal(spec.get('pick', 1))} of {scenario.kinds[name].pool_label}"
    out["default"] = None
    if tenant is not None:
        try:
            out["default"] = runner.default_of(tenant, scenario, name)
        except ValueError as exc:
            out["default_error"] = str(exc)
    return out


def describe(scenario: Scenario, tenant: TenantState | None, steps: bool = False) -> dict:
    out: dict[str, Any] = {"name": scenario.name, "description": scenario.description, "channel": scenario.channel,
                           "params": {name: describe_param(scenario, name, tenant) for name in scenario.params}}
    if steps:
        out["steps"] = [dict(step) for step in scenario.steps]
        out["deadline"] = scenario.deadline
    return out


def _query_tenant(request: Request) -> TenantState | None:
    company_id = request.query_params.get("company_id")
    if not company_id:
        return None
    tenant = ctx_of(request).store.tenant(company_id)
    if tenant is None:
        raise control_error(404, f"No tenant with company_id {company_id!r}.")
    return tenant


def _scenario(request: Request) -> Scenario:
    try:
        return runner.find(ctx_of(request), request.path_params["name"])
    except runner.UnknownScenario as exc:
        raise control_error(404, f"{exc} GET /_mock/scenarios lists them.") from None


async def list_scenarios(request: Request) -> Json:
    tenant = _query_tenant(request)
    return Json({"scenarios": [describe(s, tenant) for s in runner.catalog(ctx_of(request)).values()]})


async def get_scenario(request: Request) -> Json:
    return Json(describe(_scenario(request), _query_tenant(request), steps=True))


async def run_scenario(request: Request) -> Json:
    ctx = ctx_of(request)
    scenario = _scenario(request)
    body = await read_json(request, DRF_INVALID, "control/scenario.run.request")
    tenant = ctx.store.tenant(body["company_id"])
    if tenant is None:
        raise control_error(404, f"No tenant with company_id {body['company_id']!r}.")
    try:
        run = runner.start_run(ctx, tenant, scenario.name, body.get("params", {}), trigger="api")
    except runner.RunRefused as exc:
        raise DRF_INVALID.error(exc.errors) from None
    return Json(run, status_code=201)


async def list_runs(request: Request) -> Json:
    tenant = tenant_of(request)
    scenario, status = request.query_params.get("scenario"), request.query_params.get("status")
    if status and status not in RUN_STATUSES:
        raise DRF_INVALID.field("status", f"Choose one of: {', '.join(RUN_STATUSES)}.")
    runs = [r for r in tenant[SCENARIO_RUNS]
            if (not scenario or r["scenario"] == scenario) and (not status or r["status"] == status)]
    return Json(bounded_list(request, "runs", runs))


async def get_run(request: Request) -> Json:
    run = tenant_of(request)[SCENARIO_RUNS].get(request.path_params["run_id"])
    if run is None:
        raise control_error(404, "No scenario run with this id for this company.")
    return Json(run)


async def add_override(request: Request) -> Json:
    tenant = tenant_of(request)
    body = await read_json(request, DRF_INVALID, "control/override.request")
    try:
        return Json(overrides.add(ctx_of(request), tenant, body), status_code=201)
    except runner.RunRefused as exc:
        raise DRF_INVALID.error(exc.errors) from None


async def list_overrides(request: Request) -> Json:
    return Json({"overrides": overrides.listing(tenant_of(request))})


async def clear_overrides(request: Request) -> Json:
    return Json({"deleted": overrides.remove(tenant_of(request))})


async def delete_override(request: Request) -> Json:
    if not overrides.remove(tenant_of(request), request.path_params["override_id"]):
        raise control_error(404, "No override with this id for this company.")
    return Json({"deleted": 1})


routes = [
    Route("/_mock/scenarios", list_scenarios, methods=["GET"]),
    Route("/_mock/scenarios/{name}", get_scenario, methods=["GET"]),
    Route("/_mock/scenarios/{name}/run", run_scenario, methods=["POST"]),
    Route("/_mock/tenants/{company_id}/scenario-runs", list_runs, methods=["GET"]),
    Route("/_mock/tenants/{company_id}/scenario-runs/{run_id}", get_run, methods=["GET"]),
    Route("/_mock/tenants/{company_id}/overrides", add_override, methods=["POST"]),
    Route("/_mock/tenants/{company_id}/overrides", list_overrides, methods=["GET"]),
    Route("/_mock/tenants/{company_id}/overrides", clear_overrides, methods=["DELETE"]),
    Route("/_mock/tenants/{company_id}/overrides/{override_id}", delete_override, methods=["DELETE"]),
]

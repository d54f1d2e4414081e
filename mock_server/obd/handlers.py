"""POST /obd-api-v1: the API gateway's checks, then the application's, then the call is placed.

Two validation layers, as documented: the gateway (x-api-key, JSON, field types) answers in its
own shape, ``{"message": …}``; the application answers every request, accepted or not, with
details/status/code/unique_id/reference_id.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import Any, Callable

from starlette.requests import Request
from starlette.routing import Route

from mock_server.clock import iso, parse_iso
from mock_server.context import AppContext
from mock_server.engine import RunRefused, UnknownScenario
from mock_server.errors import ApiError
from mock_server.http import EMPTY, Json, parse_json, read_body
from mock_server.journal import note_tenant
from mock_server.obd import gateway, placement, rules
from mock_server.store import TenantState

log = logging.getLogger("mock_server.obd")
REQUESTS = "obd_requests"  # every accepted request, kept for reference_id uniqueness and for tests
BODY_LIMIT = 64 * 1024


class GatewayStyle:
    """The gateway's 400 for a body it cannot accept (the ValidationStyle interface of http.py)."""

    def error(self, fields: dict, status: int = 400) -> ApiError:
        return ApiError(status, {"message": gateway.INVALID_BODY})

    def field(self, name: str, message: str) -> ApiError:
        return self.error({name: [message]})


GATEWAY = GatewayStyle()


def answer(status: int, details: str, unique_id: str, reference_id: Any, **extra: Any) -> Json:
    return Json({"details": details, "status": "success" if status == 200 else "error", "code": str(status),
                 "unique_id": unique_id, "reference_id": reference_id if isinstance(reference_id, str) else None,
                 **extra}, status_code=status)


def tenant_for_key(ctx: AppContext, api_key: str) -> TenantState:
    tenant = next((t for t in ctx.store.tenants.values()
                   if api_key and t.account.get("obd_api_key") == api_key), None)
    if tenant is None:
        raise ApiError(403, {"message": "Forbidden"})
    return tenant


def reference_lock(ctx: AppContext, tenant: TenantState, now: datetime) -> Callable[[str], int]:
    """``reference_id`` -> whole seconds it stays taken on the server's clock (0: free), counted from the latest
    accepted request that gave it; found through an index of the requests by reference, not a scan."""
    def remaining(reference_id: str) -> int:
        taken = tenant[REQUESTS].lookup("reference_id", lambda r: r.get("reference_id"), reference_id)
        if not taken:
            return 0
        since = max(parse_iso(r["received_at"]) for r in taken)
        return max(0, math.ceil(ctx.settings.obd_reference_ttl_seconds - (now - since).total_seconds()))
    return remaining


async def place_call(request: Request) -> Json:
    ctx: AppContext = request.app.state.ctx
    tenant = tenant_for_key(ctx, request.headers.get("x-api-key", "").strip())
    note_tenant(request.scope, tenant.company_id)  # the key's company: the body's company_id is only a claim
    body = parse_json(await read_body(request, BODY_LIMIT, GATEWAY), GATEWAY)
    if body is EMPTY:
        raise GATEWAY.error({})
    # The field types; the rest is the application's to check, an optional field sent as "" being one not sent.
    body = rules.without_blanks(gateway.check(body))
    unique_id, now = ctx.ids.uuid(), ctx.now()
    reference_id = body.get("reference_id")
    try:
        dial = rules.check(body, tenant.company_id, tenant.account, tenant["ivrs"].values(), tenant["users"].values(),
                           tenant["dids"].values(), reference_lock(ctx, tenant, now),
                           request.client.host if request.client else None, now)
    except rules.Refusal as refusal:
        return answer(refusal.status, refusal.details, unique_id, reference_id, **refusal.extra)
    try:
        # One unit: a call whose scenario cannot start leaves nothing (no session, run, jobs, events,
        # used override, usage count or reference_id taken).
        with ctx.store.transaction():
            run = placement.place(ctx, tenant, dial, unique_id, reference_id, _custom(body), now)
            if run["status"] == "failed":  # its first steps failed: the call was never placed
                raise placement.NotPlaced(run["error"])
            tenant[REQUESTS].put({
                "id": unique_id, "reference_id": reference_id, "received_at": iso(now), "dialer": dial.dialer,
                "public_ivr_id": dial.ivr["id"], "did": dial.did["number"], "number": dial.customer,
                "number_2": dial.agent_number, "user_id": dial.user["id"] if dial.user else None,
                "max_call_duration": dial.max_call_duration, "call_hold": dial.call_hold,
                "custom": _custom(body), "session_id": run["state"].get("session_id"), "uid": run["state"].get("uid"),
                "scenario": run["scenario"],
                "run_id": run["id"]})
            tenant["ivrs"].put(dict(dial.ivr, usage_count=dial.ivr["usage_count"] + 1))
    except (RunRefused, UnknownScenario, placement.NotPlaced) as exc:
        # The call's scenario cannot play this request (a scenario folder of the user's, an edited
        # IVR, an override): the documented 500, "dependent services required for call initiation are unavailable".
        return answer(500, f"Call initiation failed: {exc}", unique_id, reference_id)
    except Exception:  # a bug of ours: the application's documented 500, and (the unit undone) nothing kept
        log.exception("placing OBD call %s failed unexpectedly", unique_id)
        return answer(500, "Internal Server Error", unique_id, reference_id)
    details = rules.ACCEPTED if dial.call_hold else rules.CALL_HOLD_WARNING
    return answer(200, details, unique_id, reference_id)


def _custom(body: dict) -> dict:
    return {k: v for k, v in body.items() if k.startswith("custom_")}


def register_actions(ctx: AppContext) -> None:
    """The job of calls placed before the scenario engine (a data dir kept by an earlier version)."""
    def call_ended(company_id: str, payload: dict) -> None:
        tenant = ctx.store.tenant(company_id)
        if tenant is not None:
            placement.finish_legacy(tenant, payload["session"])

    ctx.scheduler.register(placement.CALL_ENDED, call_ended)



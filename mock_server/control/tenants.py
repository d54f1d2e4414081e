"""/_mock/: what a test or a developer uses to see and steer the simulator.

Not part of MyOperator's API, so it needs no credentials; it is meant for localhost.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.routing import Route

from mock_server.clock import RealClock, iso, parse_iso
from mock_server.context import AppContext
from mock_server.control.common import clock_reading, control_error, ctx_of, tenant_of
from mock_server.errors import DRF_INVALID
from mock_server.http import Json, read_json
from mock_server.store import TenantState
from mock_server.store.names import IVRS, PHONE_NUMBERS, USERS, WABA_ACCOUNTS

log = logging.getLogger("mock_server.clock")

MAX_BALANCE = 1e12
LATEST_INSTANT = datetime(2100, 1, 1, tzinfo=UTC)
PHONE_STATES = {"phone_number_status": ["connected", "otp_verified", "disconnected", "pending"],
                "onboarding_status": ["success", "pending", "failed"], "status": ["active", "disabled"]}
WABA_STATES = {"waba_review_status": ["approved", "pending", "rejected"], "status": ["active", "disabled"]}
# The account's true/false switches that PATCH /_mock/tenants/{id} sets.
ACCOUNT_FLAGS = ("service_active", "obd_configured", "obd_anonymous_enabled")


def describe(tenant: TenantState) -> dict:
    account = tenant.account
    wabas = {w["id"]: w for w in tenant[WABA_ACCOUNTS]}
    return {
        "company_id": tenant.company_id, "api_key": account.get("api_key"), "name": account.get("name"),
        "developer_token": account.get("developer_token"), "obd_api_key": account.get("obd_api_key"),
        "obd_configured": account.get("obd_configured", True),
        "obd_anonymous_enabled": account.get("obd_anonymous_enabled", True),
        "ivrs": [{"public_ivr_id": i["id"], "label": i.get("label"), "secret_token": i["secret_token"],
                  "dialers": i["dialers"]} for i in tenant[IVRS]],
        "users": [{"uuid": u["id"], "name": u["name"], "role": u.get("role"), "role_id": u["role_id"],
                   "extension": u["extension"]} for u in tenant[USERS]],
        "wallet_balance": account.get("wallet_balance"), "service_active": account.get("service_active"),
        "waba_accounts": [{"waba_id": w["waba_id"], "role": w.get("role"),
                           "waba_review_status": w["waba_review_status"],
                           "status": w["status"]} for w in wabas.values()],
        "phone_numbers": [{"phone_number_id": p["phone_number_id"], "role": p.get("role"),
                           "waba_id": wabas.get(p["waba_account_id"], {}).get("waba_id"),
                           "phone_number_status": p["phone_number_status"],
                           "onboarding_status": p["onboarding_status"], "status": p["status"]}
                          for p in tenant[PHONE_NUMBERS]],
    }


async def list_tenants(request: Request) -> Json:
    return Json({"tenants": [describe(t) for t in ctx_of(request).store.tenants.values()]})


async def get_tenant(request: Request) -> Json:
    return Json(describe(tenant_of(request)))


async def reset(request: Request) -> Json:
    ctx = ctx_of(request)
    company_id = request.path_params.get("company_id") or request.query_params.get("company_id")
    if company_id and company_id not in ctx.tenant_fixtures():
        raise control_error(404, f"No fixtures for company_id {company_id!r}.")
    return Json({"reset": ctx.reset(company_id)})


async def dump_state(request: Request) -> Json:
    tenant = tenant_of(request)
    return Json({"company_id": tenant.company_id, "state": tenant.dump()})


def _apply(doc: dict, body: dict, allowed: dict[str, list]) -> dict:
    errors = {}
    for key, value in body.items():
        if key not in allowed:
            errors[key] = [f"Unknown field. Settable: {', '.join(allowed)}."]
        elif allowed[key] and value not in allowed[key]:
            errors[key] = [f"Choose one of: {', '.join(map(str, allowed[key]))}."]
    if errors:
        raise DRF_INVALID.error(errors)
    doc.update(body)
    return doc


async def patch_tenant(request: Request) -> Json:
    tenant = tenant_of(request)
    body = await read_json(request, DRF_INVALID)
    account = dict(tenant.account)
    balance = body.get("wallet_balance", 0)
    if isinstance(balance, bool) or not isinstance(balance, (int, float)) or not -MAX_BALANCE <= balance <= MAX_BALANCE:
        raise DRF_INVALID.field("wallet_balance", f"A number from -{MAX_BALANCE:g} to {MAX_BALANCE:g} is required.")
    for flag in ACCOUNT_FLAGS:
        if flag in body and not isinstance(body[flag], bool):
            raise DRF_INVALID.field(flag, "Must be true or false.")
    tenant.save_account(_apply(account, body, {"wallet_balance": [], **{flag: [] for flag in ACCOUNT_FLAGS}}))
    return Json(describe(tenant))


async def _patch_state(request: Request, kind: str, id_field: str, allowed: dict[str, list]) -> Json:
    """Set the documented states of one phone number or WABA, found by its public id."""
    tenant = tenant_of(request)
    wanted = request.path_params[id_field]
    doc = tenant[kind].find(lambda d: d[id_field] == wanted)
    if doc is None:
        raise control_error(404, f"No such {id_field} for this company.")
    body = await read_json(request, DRF_INVALID)
    tenant[kind].put(_apply(dict(doc, modified=iso(ctx_of(request).now())), body, allowed))
    return Json(describe(tenant))


async def patch_phone_number(request: Request) -> Json:
    return await _patch_state(request, "phone_numbers", "phone_number_id", PHONE_STATES)


async def patch_waba(request: Request) -> Json:
    return await _patch_state(request, "waba_accounts", "waba_id", WABA_STATES)


async def journal(request: Request) -> Json:
    ctx = ctx_of(request)
    if request.method == "DELETE":
        ctx.journal.clear()
        return Json({"requests": []})
    status = request.query_params.get("status")
    if status and not (status.isascii() and status.isdigit()):
        raise DRF_INVALID.field("status", "A valid integer is required.")
    return Json({"requests": ctx.journal.entries(
        path=request.query_params.get("path"), method=request.query_params.get("method"),
        status=int(status) if status else None, company_id=request.query_params.get("company_id"))})


def clock_state(ctx: AppContext) -> dict:
    pending = [{"id": j.id, "company_id": j.tenant_id, "due_at": iso(j.due_at), "action": j.action,
                "payload": j.payload} for j in ctx.scheduler.pending()]
    return {**clock_reading(ctx), "pending": pending}


async def get_clock(request: Request) -> Json:
    return Json(clock_state(ctx_of(request)))


async def advance_clock(request: Request) -> Json:
    """Move the manual clock by ``seconds`` or ``to`` an instant, firing what falls due on the way."""
    ctx = ctx_of(request)
    if not ctx.clock.manual:
        raise control_error(409, "The clock is real; start the server with --clock manual to move it.")
    body = await read_json(request, DRF_INVALID)
    seconds, to = body.get("seconds"), body.get("to")
    now = ctx.now()
    if (seconds is None) == (to is None):
        raise DRF_INVALID.field("non_field_errors", "Give exactly one of 'seconds' or 'to'.")
    if seconds is not None:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= 10 ** 9:
            raise DRF_INVALID.field("seconds", "A number of seconds from 0 to 1e9 is required.")
        target = now + timedelta(seconds=seconds)
    else:
        try:
            target = parse_iso(str(to))
        except ValueError:
            raise DRF_INVALID.field("to", "An ISO 8601 instant is required.") from None
        if target < now:
            raise DRF_INVALID.field("to", "The clock cannot move backwards.")
    if target >= LATEST_INSTANT:  # timestamps, ids and 24-hour windows must stay representable
        raise DRF_INVALID.field("seconds" if to is None else "to", f"The clock stops before {iso(LATEST_INSTANT)}.")
    fired = await ctx.advance_clock(target)
    log.info("clock advanced %gs to %s (%d timed change%s fired)", (target - now).total_seconds(), iso(target),
             fired, "" if fired == 1 else "s",
             extra={"event": "clock.advance", "seconds": (target - now).total_seconds(), "now": iso(target),
                    "fired": fired})
    return Json(dict(clock_state(ctx), fired=fired))


async def steer_clock(request: Request) -> Json:
    """The real clock's ``speed`` (simulated seconds per real second) and ``paused``, from now on."""
    ctx = ctx_of(request)
    clock = ctx.clock
    if not isinstance(clock, RealClock):
        raise control_error(409, "The clock is manual; it moves only through POST /_mock/clock/advance.")
    body = await read_json(request, DRF_INVALID)
    errors = {key: ["Unknown field. Settable: speed, paused."] for key in body if key not in ("speed", "paused")}
    speed, paused = body.get("speed"), body.get("paused")
    if speed is not None and (isinstance(speed, bool) or not isinstance(speed, (int, float))
                              or not 0 < speed <= 10_000):
        errors["speed"] = ["A number above 0 and at most 10000 is required."]
    if paused is not None and not isinstance(paused, bool):
        errors["paused"] = ["Must be true or false."]
    if errors:
        raise DRF_INVALID.error(errors)
    clock.steer(speed=speed, paused=paused)
    state = clock_state(ctx)
    log.info("clock %s at %s, x%g", "paused" if clock.paused else "running", state["now"], clock.speed,
             extra={"event": "clock.steer", "now": state["now"], "speed": clock.speed, "paused": clock.paused})
    return Json(state)


async def health(request: Request) -> Json:
    """The server is up: its version, fidelity profile, clock and how long it has run (for CI scripts and
    container checks)."""
    from mock_server import __version__

    ctx = ctx_of(request)
    return Json({"status": "ok", "version": __version__, "profile": ctx.settings.profile,
                 "clock": {"mode": "manual" if ctx.clock.manual else "real", "now": iso(ctx.now())},
                 "uptime": round(time.monotonic() - ctx.started_monotonic, 3)})


routes = [
    Route("/_mock/health", health, methods=["GET"]),
    Route("/_mock/tenants", list_tenants, methods=["GET"]),
    Route("/_mock/tenants/{company_id}", get_tenant, methods=["GET"]),
    Route("/_mock/tenants/{company_id}", patch_tenant, methods=["PATCH"]),
    Route("/_mock/tenants/{company_id}/state", dump_state, methods=["GET"]),
    Route("/_mock/tenants/{company_id}/reset", reset, methods=["POST"]),
    Route("/_mock/tenants/{company_id}/phonenumbers/{phone_number_id}", patch_phone_number, methods=["PATCH"]),
    Route("/_mock/tenants/{company_id}/wabas/{waba_id}", patch_waba, methods=["PATCH"]),
    Route("/_mock/reset", reset, methods=["POST"]),
    Route("/_mock/journal", journal, methods=["GET", "DELETE"]),
    Route("/_mock/clock", get_clock, methods=["GET"]),
    Route("/_mock/clock", steer_clock, methods=["PATCH"]),
    Route("/_mock/clock/advance", advance_clock, methods=["POST"]),
]

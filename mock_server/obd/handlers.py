"""POST /obd-api-v1: the API gateway's checks, then the application's, then the call is placed.

Two validation layers, as documented: the gateway (x-api-key, JSON, field types) answers in its
own shape, ``{"message": …}``; the application answers every request, accepted or not, with
details/status/code/unique_id/reference_id.
"""

from __future__ import annotations

import logging

from starlette.requests import Request

from mock_server.context import AppContext
from mock_server.engine import RunRefused, UnknownScenario
from mock_server.errors import ApiError, FieldStyle
from mock_server.http import EMPTY, Json, parse_json, read_body
from mock_server.obd import gateway, rules
from mock_server.obd.auth import endpoint
from mock_server.obd.render import application_body
from mock_server.refusals import Refusal
from mock_server.services import calls
from mock_server.store import TenantState
from mock_server.store.names import DIDS, IVRS, USERS

log = logging.getLogger("mock_server.obd")
BODY_LIMIT = 64 * 1024


class GatewayStyle(FieldStyle):
    """The gateway's 400 for a body it cannot accept, whatever the field."""

    def error(self, fields: dict[str, list[str]], status: int = 400) -> ApiError:
        return ApiError(status, {"message": gateway.INVALID_BODY})


GATEWAY = GatewayStyle()


def answer(status: int, details: str, unique_id: str, reference_id, **extra) -> Json:
    return Json(application_body(status, details, unique_id, reference_id, **extra), status_code=status)


@endpoint
async def place_call(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    body = parse_json(await read_body(request, BODY_LIMIT, GATEWAY), GATEWAY)
    if body is EMPTY:
        raise GATEWAY.error({})
    # The field types; the rest is the application's to check, an optional field sent as "" being one not sent.
    body = rules.without_blanks(gateway.check(body))
    unique_id, now = ctx.ids.uuid(), ctx.now()
    reference_id = body.get("reference_id")
    company = rules.Company(tenant.company_id, tenant.account, tenant[IVRS].values(), tenant[USERS].values(),
                            tenant[DIDS].values(), calls.reference_lock(ctx, tenant, now))
    try:
        dial = rules.check(body, company, request.client.host if request.client else None, now)
    except Refusal as refusal:
        return answer(refusal.status, refusal.message, unique_id, reference_id, **(refusal.details or {}))
    try:
        calls.place(ctx, tenant, dial, calls.CallRequest(unique_id, reference_id, _custom(body), now))
    except (RunRefused, UnknownScenario, calls.NotPlaced) as exc:
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

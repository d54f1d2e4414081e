"""/_mock/ for webhooks: subscriptions, the event log, the delivery log (waitable) and redelivery."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.routing import Route

from mock_server.control.common import control_error, ctx_of
from mock_server.errors import DRF_INVALID
from mock_server.http import Json, query_int, read_json
from mock_server.webhooks import subscriptions as subs

MAX_WAIT_SECONDS = 60
MAX_WAIT_COUNT = 10_000
EVENT_FILTERS = ("event_type", "session_id", "channel", "event_id")
DELIVERY_FILTERS = ("event_type", "session_id", "channel", "event_id", "status", "subscription_id")


def _known_company(request: Request, company_id: object) -> str | None:
    if company_id is None:
        return None
    if not isinstance(company_id, str) or ctx_of(request).store.tenant(company_id) is None:
        raise DRF_INVALID.field("company_id", "No tenant with this company_id.")
    return company_id


def _filter(request: Request, names: tuple[str, ...]) -> Callable[[dict], bool]:
    wanted = {name: request.query_params[name] for name in names if request.query_params.get(name)}
    return lambda doc: all(doc.get(name) == value for name, value in wanted.items())


def _flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise control_error(400, f"{name} must be true or false, not {value[:40]!r}.")
    return value == "true"


def _seconds(request: Request, name: str, upper: float) -> float:
    """A number of real seconds to wait, 0 (the default) to ``upper``."""
    try:
        value = float(request.query_params.get(name) or 0)
    except ValueError:
        value = -1.0
    if not 0 <= value <= upper:  # also refuses nan and inf
        raise DRF_INVALID.field(name, f"A number from 0 to {upper:g} is required.")
    return value


# --- subscriptions ---------------------------------------------------------------------------
async def list_subscriptions(request: Request) -> Json:
    ctx = ctx_of(request)
    return Json({"subscriptions": ctx.webhooks.subscriptions()})


async def create_subscription(request: Request) -> Json:
    ctx = ctx_of(request)
    body = await read_json(request, DRF_INVALID)
    company_id = _known_company(request, body.pop("company_id", None)) if isinstance(body, dict) else None
    subscription = subs.parse(body, subscription_id="sub_" + ctx.ids.uuid().replace("-", "")[:16])
    return Json(ctx.webhooks.add_subscription(dict(subscription, company_id=company_id)), status_code=201)


def _subscription(request: Request) -> dict:
    wanted = request.path_params["id"]
    found = next((s for s in ctx_of(request).webhooks.subscriptions() if s["id"] == wanted), None)
    if found is None:
        raise control_error(404, f"No webhook subscription with id {wanted!r}.")
    return found


async def get_subscription(request: Request) -> Json:
    return Json(_subscription(request))


async def delete_subscription(request: Request) -> Json:
    found = _subscription(request)
    if not ctx_of(request).webhooks.remove_subscription(found["id"]):
        raise control_error(409, "This subscription comes from --webhook-url / --webhook-config; restart without it.")
    return Json({"deleted": found["id"]})


async def delete_subscriptions(request: Request) -> Json:
    ctx = ctx_of(request)
    ctx.webhooks.remove_subscription(None)
    return Json({"subscriptions": ctx.webhooks.subscriptions()})


# --- events and deliveries -------------------------------------------------------------------
def _company(request: Request) -> str | None:
    return _known_company(request, request.query_params.get("company_id") or None)


async def list_events(request: Request) -> Json:
    ctx = ctx_of(request)
    company_id = _company(request)
    keep = _filter(request, EVENT_FILTERS)
    companies = [company_id] if company_id else list(ctx.store.tenants)
    return Json({"events": [e for c in companies for e in ctx.webhooks.events(c) if keep(e)]})


async def list_deliveries(request: Request) -> Json:
    """The delivery log; ``wait`` (seconds) blocks until ``count`` matching deliveries exist, or with
    ``settled=true`` until no attempt is queued or in flight (those an advance stopped waiting for)."""
    ctx = ctx_of(request)
    company_id = _company(request)
    keep = _filter(request, DELIVERY_FILTERS)
    wait = _seconds(request, "wait", MAX_WAIT_SECONDS)
    settled = _flag(request, "settled")  # wait for the attempts in flight; then for ``count`` only if asked
    count = query_int(request, "count", 0 if settled else 1, DRF_INVALID, minimum=1, maximum=MAX_WAIT_COUNT)

    def matches(d: dict) -> bool:
        return keep(d) and (company_id is None or d["company_id"] == company_id)

    satisfied = True
    if wait:
        satisfied = await ctx.webhooks.wait_for(matches, count, wait, settled=settled)
    found = [d for d in ctx.webhooks.deliveries(company_id) if keep(d)]
    return Json({"deliveries": found, "satisfied": satisfied})


def _delivery(request: Request):
    found = ctx_of(request).webhooks.find_delivery(request.path_params["id"])
    if found is None:
        raise control_error(404, f"No delivery with id {request.path_params['id']!r}.")
    return found


async def get_delivery(request: Request) -> Json:
    return Json(_delivery(request)[1])


async def redeliver(request: Request) -> Json:
    tenant, delivery = _delivery(request)
    if delivery["status"] == "pending":
        raise control_error(409, "This delivery is still being retried; redeliver it once it is delivered or failed.")
    return Json(ctx_of(request).webhooks.redeliver(tenant, delivery["id"]), status_code=202)


routes = [
    Route("/_mock/webhooks", list_subscriptions, methods=["GET"]),
    Route("/_mock/webhooks", create_subscription, methods=["POST"]),
    Route("/_mock/webhooks", delete_subscriptions, methods=["DELETE"]),
    Route("/_mock/webhooks/{id}", get_subscription, methods=["GET"]),
    Route("/_mock/webhooks/{id}", delete_subscription, methods=["DELETE"]),
    Route("/_mock/events", list_events, methods=["GET"]),
    Route("/_mock/deliveries", list_deliveries, methods=["GET"]),
    Route("/_mock/deliveries/{id}", get_delivery, methods=["GET"]),
    Route("/_mock/deliveries/{id}/redeliver", redeliver, methods=["POST"]),
]

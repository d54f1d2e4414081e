"""Helpers every /_mock/ handler shares: the app's context, the addressed tenant, the error shape."""

from __future__ import annotations

from starlette.requests import Request

from mock_server.clock import RealClock, iso
from mock_server.context import AppContext
from mock_server.control.errors import control_error
from mock_server.errors import DRF_INVALID
from mock_server.http import page, query_int
from mock_server.store import TenantState


def ctx_of(request: Request) -> AppContext:
    return request.app.state.ctx


def clock_reading(ctx: AppContext) -> dict:
    """The clock as the control plane and the UI show it: now, its mode, and a real clock's speed and pause."""
    clock = ctx.clock
    real = {"speed": clock.speed, "paused": clock.paused} if isinstance(clock, RealClock) else {}
    return {"now": iso(ctx.now()), "mode": "real" if isinstance(clock, RealClock) else "manual", **real}


def tenant_of(request: Request) -> TenantState:
    tenant = ctx_of(request).store.tenant(request.path_params["company_id"])
    if tenant is None:
        raise control_error(404, f"No tenant with company_id {request.path_params['company_id']!r}.")
    return tenant


# Every /_mock/ list is bounded: one GET cannot be as large as the state (4,000 messages were 4.5 MB).
LIST_DEFAULT, LIST_MAX = 100, 1000


def bounded_list(request: Request, key: str, items: list) -> dict:
    """``{key: the page, "count", "next", "previous"}``: ``limit`` items (default 100, at most 1000) from
    ``offset``, in the list's order; ``next`` is the following page's URL, null on the last."""
    limit = query_int(request, "limit", LIST_DEFAULT, DRF_INVALID, minimum=1, maximum=LIST_MAX)
    offset = query_int(request, "offset", 0, DRF_INVALID)
    paged = page(request, items, limit, offset)
    return {key: paged.pop("results"), **paged}

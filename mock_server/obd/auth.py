"""The OBD API gateway's authentication: the x-api-key names the company (the body's company_id is
only a claim the application checks against it). An unknown or missing key is the gateway's 403
``{"message": "Forbidden"}``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from starlette.requests import Request
from starlette.responses import Response

from mock_server.context import AppContext
from mock_server.errors import ApiError
from mock_server.journal import note_tenant
from mock_server.store import TenantState

Handler = Callable[[Request, AppContext, TenantState], Awaitable[Response]]


def authenticate(request: Request) -> TenantState:
    ctx: AppContext = request.app.state.ctx
    api_key = request.headers.get("x-api-key", "").strip()
    tenant = ctx.store.tenant_by("obd_api_key", api_key) if api_key else None
    if tenant is None:
        raise ApiError(403, {"message": "Forbidden"})
    return tenant


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Authenticate, then call ``handler(request, ctx, tenant)``."""

    @wraps(handler)
    async def run(request: Request) -> Response:
        tenant = authenticate(request)
        note_tenant(request.scope, tenant.company_id)  # the key's company
        return await handler(request, request.app.state.ctx, tenant)

    return run

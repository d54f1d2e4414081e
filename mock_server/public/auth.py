"""The public API gateway's authentication: a Bearer API key that must belong to the company
named in X-MYOP-COMPANY-ID. Any mismatch is the documented 403."""

from __future__ import annotations

from functools import wraps
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from mock_server import contract
from mock_server.context import AppContext
from mock_server.errors import forbidden
from mock_server.http import require_media_type
from mock_server.store import TenantState

Handler = Callable[[Request, AppContext, TenantState], Awaitable[Response]]


def authenticate(request: Request) -> TenantState:
    ctx: AppContext = request.app.state.ctx
    scheme, _, api_key = request.headers.get("authorization", "").partition(" ")
    company_id = request.headers.get("x-myop-company-id", "").strip()
    if scheme.lower() != "bearer" or not api_key.strip():
        raise forbidden("Authentication credentials were not provided.")
    if not company_id:
        raise forbidden("X-MYOP-COMPANY-ID header is required.")
    tenant = ctx.authenticate(company_id, api_key.strip())
    if tenant is None:
        raise forbidden("Invalid API key for this company.")
    return tenant


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Authenticate, refuse a body of a Content-Type the operation does not parse (DRF's 415, after the gateway's
    403 as DRF parses lazily), then call ``handler(request, ctx, tenant)``."""

    @wraps(handler)
    async def run(request: Request) -> Response:
        tenant = authenticate(request)
        require_media_type(request, contract.request_media_types(request.method, request.url.path))
        return await handler(request, request.app.state.ctx, tenant)

    return run

"""The developers API's conventions: a ``token`` parameter on every call, and its error body.

Parameters come from the query string and the body together (``developers.request_params``).
Errors are documented only as "status = error with code and message": ``{"status": "error",
"code": 400, "message": "…"}``, the code an integer as in the success bodies. A token that is
missing or not a company's is the live service's 400 ``This not an authorized request``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mock_server.context import AppContext
from mock_server.developers.errors import developer_error, fields_message
from mock_server.developers.request_params import read_params
from mock_server.errors import ApiError, FieldStyle
from mock_server.journal import note_tenant
from mock_server.store import TenantState


class DeveloperStyle(FieldStyle):
    """Field errors in the developers API's one-message body."""

    def error(self, fields: dict[str, list[str]], status: int = 400) -> ApiError:
        return developer_error(status, fields_message(fields))


DEV_INVALID = DeveloperStyle()
Params = dict[str, Any]
TOKEN_FIELD = "developer_token"  # the account field a token is
UNAUTHORIZED = "This not an authorized request"
Handler = Callable[[Request, AppContext, TenantState, Params], Awaitable[Response]]


def unauthorized() -> ApiError:
    """The live answer to a missing, truncated or unknown token: HTTP 400, keys in the live order (OBSERVED A.4)."""
    return ApiError(400, {"status": "error", "message": UNAUTHORIZED, "code": 400})


def tenant_for_token(ctx: AppContext, token: Any) -> TenantState:
    tenant = ctx.store.tenant_by(TOKEN_FIELD, token.strip()) if isinstance(token, str) and token.strip() else None
    if tenant is None:
        raise unauthorized()
    return tenant


def developer_endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Read the parameters, authenticate the token, then call ``handler(request, ctx, tenant, params)``."""

    @wraps(handler)
    async def run(request: Request) -> Response:
        ctx: AppContext = request.app.state.ctx
        params = await read_params(request, DEV_INVALID)
        tenant = tenant_for_token(ctx, params.get("token"))
        note_tenant(request.scope, tenant.company_id)  # the token's company, for the journal
        return await handler(request, ctx, tenant, params)

    return run

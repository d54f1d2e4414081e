"""The developers API's conventions: a ``token`` parameter on every call, and its error body.

Parameters may come in the query string (as the collection's URLs show) or in the body, as JSON or
as a form; the body wins where both give one. Errors are documented only as "status = error with
code and message": ``{"status": "error", "code": 400, "message": "…"}``, the code an integer as in
the success bodies.
"""

from __future__ import annotations

from functools import wraps
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from mock_server.context import AppContext
from mock_server.errors import ApiError
from mock_server.http import EMPTY, MAX_JSON_BYTES, parse_json, read_body
from mock_server.journal import note_tenant
from mock_server.store import TenantState


def developer_error(status: int, message: str) -> ApiError:
    return ApiError(status, {"status": "error", "code": status, "message": message})


class DeveloperStyle:
    """Field errors in the developers API's one-message body (the ValidationStyle interface)."""

    def error(self, fields: dict[str, list[str]], status: int = 400) -> ApiError:
        return developer_error(status, "; ".join(f"{m}" if m.startswith(f) else f"{f}: {m}"
                                                 for f, messages in fields.items() for m in messages))

    def field(self, name: str, message: str) -> ApiError:
        return self.error({name: [message]})


DEV_INVALID = DeveloperStyle()
Params = dict[str, Any]
Handler = Callable[[Request, AppContext, TenantState, Params], Awaitable[Response]]


async def read_params(request: Request) -> Params:
    """Query string and body parameters together (the body's win)."""
    params: Params = dict(request.query_params)
    raw = await read_body(request, MAX_JSON_BYTES, DEV_INVALID)
    if raw.strip():
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/json" or raw.lstrip()[:1] in (b"{", b"["):
            body = parse_json(raw, DEV_INVALID)
            if body is not EMPTY and not isinstance(body, dict):
                raise DEV_INVALID.field("body", "Invalid data. Expected a JSON object.")
            params.update(body if isinstance(body, dict) else {})
        else:
            try:
                params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
            except UnicodeDecodeError:
                raise DEV_INVALID.field("body", "The body is neither JSON nor a UTF-8 form.")
    return params


def tenant_for_token(ctx: AppContext, token: Any) -> TenantState:
    if not isinstance(token, str) or not token.strip():
        raise developer_error(401, "Authentication failed: the token parameter is required.")
    tenant = next((t for t in ctx.store.tenants.values() if t.account.get("developer_token") == token.strip()), None)
    if tenant is None:
        raise developer_error(401, "Authentication failed: invalid token.")
    return tenant


def developer_endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Read the parameters, authenticate the token, then call ``handler(request, ctx, tenant, params)``."""

    @wraps(handler)
    async def run(request: Request) -> Response:
        ctx: AppContext = request.app.state.ctx
        params = await read_params(request)
        tenant = tenant_for_token(ctx, params.get("token"))
        note_tenant(request.scope, tenant.company_id)  # the token's company, for the journal
        return await handler(request, ctx, tenant, params)

    return run

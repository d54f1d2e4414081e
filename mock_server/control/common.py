"""Helpers every /_mock/ handler shares: the app's context, the addressed tenant, the error shape."""

from __future__ import annotations

from starlette.requests import Request

from mock_server.context import AppContext
from mock_server.errors import ApiError
from mock_server.store import TenantState


def ctx_of(request: Request) -> AppContext:
    return request.app.state.ctx


def control_error(status: int, message: str) -> ApiError:
    return ApiError(status, {"status": "error", "code": str(status), "message": message, "errors": {}})


def tenant_of(request: Request) -> TenantState:
    tenant = ctx_of(request).store.tenant(request.path_params["company_id"])
    if tenant is None:
        raise control_error(404, f"No tenant with company_id {request.path_params['company_id']!r}.")
    return tenant

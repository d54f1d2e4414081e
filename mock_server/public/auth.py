"""The public API gateway's authentication: a Bearer API key that must belong to the company
named in X-MYOP-COMPANY-ID.

The gateway is AWS API Gateway with an authorizer on the Authorization header, and answers in its own
bodies where the live service was seen to (OBSERVED.md C20): no Authorization header (an x-api-key sent
instead) is its 401 ``{"message":"Unauthorized"}``, a header that is not ``Bearer <key>`` (a lowercase
``bearer``, an empty Bearer) the authorizer's explicit deny, a 403 ``{"Message":…}``. A well-formed Bearer
that does not fit the company is the documented 403 in the error envelope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from starlette.requests import Request
from starlette.responses import Response

from mock_server import contract
from mock_server.context import AppContext
from mock_server.errors import ApiError, forbidden
from mock_server.http import BODY_METHODS, has_body, require_media_type
from mock_server.store import TenantState

Handler = Callable[[Request, AppContext, TenantState], Awaitable[Response]]
# AWS's words for a Deny policy from the authorizer, as the live API answered them.
EXPLICIT_DENY = "User is not authorized to access this resource with an explicit deny in an identity-based policy"


def authenticate(request: Request) -> TenantState:
    ctx: AppContext = request.app.state.ctx
    authorization = request.headers.get("authorization", "").strip()
    if not authorization:  # the authorizer's identity source is missing: the gateway refuses before it runs
        raise ApiError(401, {"message": "Unauthorized"})
    scheme, _, api_key = authorization.partition(" ")
    if scheme != "Bearer" or not api_key.strip():  # the scheme is matched as written: "bearer" is denied live
        raise ApiError(403, {"Message": EXPLICIT_DENY})
    company_id = request.headers.get("x-myop-company-id", "").strip()
    if not company_id:
        raise forbidden("X-MYOP-COMPANY-ID header is required.")
    tenant = ctx.authenticate(company_id, api_key.strip())
    if tenant is None:
        raise forbidden("Invalid API key for this company.")
    return tenant


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Authenticate, refuse a body of a Content-Type the operation does not parse (DRF's 415, after the gateway's
    401/403 as DRF parses lazily), then call ``handler(request, ctx, tenant)``."""

    @wraps(handler)
    async def run(request: Request) -> Response:
        tenant = authenticate(request)
        if request.method in BODY_METHODS and has_body(request):  # else there is no body to refuse
            require_media_type(request, contract.request_media_types(request.method, request.scope["path"]))
        return await handler(request, request.app.state.ctx, tenant)

    return run

"""/_mock/ helpers for the telephony surfaces: set an IVR's state (the OBD API's documented 403s,
404s and the anonymous-dialer switch), and list the OBD requests the API accepted."""

from __future__ import annotations

from ipaddress import ip_address

from starlette.requests import Request
from starlette.routing import Route

from mock_server.clock import iso, parse_iso
from mock_server.control.common import control_error, tenant_of
from mock_server.errors import DRF_INVALID
from mock_server.http import Json, read_json
from mock_server.store.names import DIDS, IVRS


async def patch_ivr(request: Request) -> Json:
    tenant = tenant_of(request)
    ivr = tenant[IVRS].get(request.path_params["public_ivr_id"])
    if ivr is None:
        raise control_error(404, "No such public_ivr_id for this company.")
    body = await read_json(request, DRF_INVALID, "control/ivr.patch.request")
    for address in body.get("whitelisted_ips", []):
        try:
            ip_address(address)
        except ValueError:
            raise DRF_INVALID.field("whitelisted_ips", f"{address[:45]!r} is not an IP address.") from None
    if "billing_expires_at" in body:
        try:
            body["billing_expires_at"] = iso(parse_iso(body["billing_expires_at"]))
        except (ValueError, OverflowError):
            raise DRF_INVALID.field("billing_expires_at", "An ISO 8601 instant is required.") from None
    unknown = set(body.get("did_ids", [])) - {d["id"] for d in tenant[DIDS]}
    if unknown:
        raise DRF_INVALID.field("did_ids", f"Not DIDs of this company: {', '.join(sorted(unknown))[:200]}.")
    updated = dict(ivr, **{k: v for k, v in body.items() if k != "dialers"})
    updated["dialers"] = dict(ivr["dialers"], **body.get("dialers", {}))
    return Json(tenant[IVRS].put(updated))


async def list_obd_requests(request: Request) -> Json:
    return Json({"requests": tenant_of(request)["obd_requests"].values()})


routes = [
    Route("/_mock/tenants/{company_id}/ivrs/{public_ivr_id}", patch_ivr, methods=["PATCH"]),
    Route("/_mock/tenants/{company_id}/obd-requests", list_obd_requests, methods=["GET"]),
]

"""GET /chat/phonenumbers: the company's WhatsApp numbers, with optional expansions."""

from __future__ import annotations

from starlette.requests import Request

from mock_server.context import AppContext
from mock_server.errors import DRF_INVALID
from mock_server.http import Json, page, query_int, query_list
from mock_server.public.auth import endpoint
from mock_server.public.chat import render
from mock_server.services.phonenumbers import EXPANSIONS
from mock_server.store import TenantState
from mock_server.store.names import PHONE_NUMBERS, WABA_ACCOUNTS


@endpoint
async def list_phonenumbers(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    limit = query_int(request, "limit", 10, DRF_INVALID, minimum=1, maximum=100)
    offset = query_int(request, "offset", 0, DRF_INVALID)
    expand = query_list(request, "expand")
    unknown = [e for e in expand if e not in EXPANSIONS]
    if unknown:
        raise DRF_INVALID.field("expand", f"Unknown expansion(s): {', '.join(unknown)}. "
                                          f"Choose from: {', '.join(EXPANSIONS)}.")
    wabas = {w["id"]: w for w in tenant[WABA_ACCOUNTS]}
    waba_id = request.query_params.get("waba_id")
    phones = [p for p in tenant[PHONE_NUMBERS]
              if not waba_id or wabas.get(p["waba_account_id"], {}).get("waba_id") == waba_id]
    data = page(request, phones, limit, offset)
    data["results"] = [render.phone_number(p, wabas.get(p["waba_account_id"]), expand) for p in data["results"]]
    return Json({"status": "success", "code": "200", "message": "Phone Numbers List", "data": data})

"""GET /chat/campaigns and GET /chat/campaign(s)/{id}: one sending number's campaigns.

Every request names the campaign's sending number in X-WABA-PHONENUMBER-ID. The list and the
detail render ``stats`` with different keys (count/reply/billable_count vs total/replied/
billable), as the documented examples do.

A campaign run's audience, variables and stats are ``services.campaigns``'.
"""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request

from mock_server.clock import UTC, parse_iso
from mock_server.context import AppContext
from mock_server.errors import DRF_INVALID, envelope, forbidden
from mock_server.http import Json, page, query_int, query_list
from mock_server.public.auth import endpoint
from mock_server.public.chat import render
from mock_server.services.campaigns import ORDERING
from mock_server.services.phonenumbers import phone_number
from mock_server.store import TenantState
from mock_server.store.names import CAMPAIGNS, TEMPLATES

PHONE_HEADER = "x-waba-phonenumber-id"
DEFAULT_ORDERING = "-created"


def sending_number(request: Request, tenant: TenantState) -> str:
    """The X-WABA-PHONENUMBER-ID header, which must name one of this company's numbers."""
    phone_number_id = request.headers.get(PHONE_HEADER, "").strip()
    if not phone_number_id:
        raise forbidden("X-WABA-PHONENUMBER-ID header is required.")
    if phone_number(tenant, phone_number_id) is None:
        raise forbidden("X-WABA-PHONENUMBER-ID is not a phone number of this company.")
    return phone_number_id


def query_instant(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return parse_iso(raw.strip()).astimezone(UTC)
    except (ValueError, OverflowError):
        raise DRF_INVALID.field(name, "Enter a valid date/time.") from None


def ordering_terms(request: Request) -> list[tuple[str, bool]]:
    """[(field, descending)] from ``ordering`` (comma separated, "-" for descending)."""
    terms = query_list(request, "ordering") or [DEFAULT_ORDERING]
    unknown = [t for t in terms if t.lstrip("-") not in ORDERING or t.startswith("--")]
    if unknown:
        raise DRF_INVALID.field("ordering", f"Invalid ordering: {', '.join(unknown)}. Choose from: "
                                            + ", ".join(f"{o}, -{o}" for o in ORDERING) + ".")
    return [(ORDERING[t.lstrip("-")], t.startswith("-")) for t in terms]


def sort(campaigns: list[dict], terms: list[tuple[str, bool]]) -> list[dict]:
    ordered = sorted(campaigns, key=lambda c: int(c["id"]) if str(c["id"]).isdigit() else 0)
    for field, descending in reversed(terms):  # stable sorts, least significant key first
        present = [c for c in ordered if c.get(field) is not None]
        missing = [c for c in ordered if c.get(field) is None]
        present.sort(key=lambda c: c[field], reverse=descending)
        ordered = present + missing
    return ordered


# --- handlers --------------------------------------------------------------------------------
@endpoint
async def list_campaigns(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    phone_number_id = sending_number(request, tenant)
    limit = query_int(request, "limit", 10, DRF_INVALID, minimum=1, maximum=100)
    offset = query_int(request, "offset", 0, DRF_INVALID)
    terms = ordering_terms(request)
    after, before = query_instant(request, "created_at_after"), query_instant(request, "created_at_before")
    search = (request.query_params.get("search") or "").strip().casefold()
    statuses = set(query_list(request, "status"))

    def wanted(c: dict) -> bool:
        created = parse_iso(c["created_at"])
        return (c.get("phone_number_id") == phone_number_id
                and (not search or search in str(c.get("name", "")).casefold())
                and (not statuses or c.get("status") in statuses)
                and (after is None or created >= after) and (before is None or created <= before))

    data = page(request, sort([c for c in tenant[CAMPAIGNS] if wanted(c)], terms), limit, offset)
    data["results"] = [render.campaign_item(c, tenant[TEMPLATES].get(c.get("template_id"))) for c in data["results"]]
    return Json({"status": "success", "code": "200", "message": "OK", "data": data})


@endpoint
async def get_campaign(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    phone_number_id = sending_number(request, tenant)
    raw = request.path_params["campaign_id"]
    campaign = tenant[CAMPAIGNS].get(str(int(raw))) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None
    if campaign is None or campaign.get("phone_number_id") != phone_number_id:
        raise envelope(404, "not_found", "Not found.", {"campaign_id": f"Campaign {raw[:64]} does not exist!"})
    template = tenant[TEMPLATES].get(campaign.get("template_id"))
    return Json({"status": "success", "code": "200", "message": "OK", "data": render.campaign(campaign, template)})

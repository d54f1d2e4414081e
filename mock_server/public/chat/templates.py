"""/chat/templates: create (reviewed later on the clock, ``services.templates``), list, fetch, delete."""

from __future__ import annotations

from starlette.requests import Request

from mock_server.clock import iso
from mock_server.context import AppContext
from mock_server.domain.whatsapp_rules import CATEGORIES, REVIEW_STATUSES
from mock_server.errors import DRF_INVALID, ApiError
from mock_server.http import Json, page, query_int, query_list, read_json
from mock_server.public.auth import endpoint
from mock_server.public.chat import rules
from mock_server.services import templates
from mock_server.store import TenantState
from mock_server.store.names import MEDIA, TEMPLATES, WABA_ACCOUNTS


def invalid_template_id() -> ApiError:
    # Documented with the integer code 404 (unlike most bodies' string codes).
    return ApiError(404, {"status": "error", "code": 404, "message": "Invalid Template ID", "errors": {}})


def _template(tenant: TenantState, request: Request) -> dict:
    template = tenant[TEMPLATES].get(request.path_params["id"])
    if template is None:
        raise invalid_template_id()
    return template


# --- public API ------------------------------------------------------------------------------
@endpoint
async def create_template(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    body = await read_json(request, DRF_INVALID, "public/template.create.request")
    media = {m["id"]: m["mime_type"] for m in tenant[MEDIA]}
    errors = rules.validate(body, [w["waba_id"] for w in tenant[WABA_ACCOUNTS]], media)
    if errors:
        raise DRF_INVALID.error(errors)
    waba_id = str(body["waba_id"])
    errors = rules.duplicate(templates.named(tenant, body["name"], body["language"]), waba_id, body["name"],
                             body["language"])
    if errors:
        raise DRF_INVALID.error(errors)
    at = ctx.now()
    now, template_id = iso(at), ctx.ids.uuid()
    with ctx.store.transaction():
        job_id = templates.schedule_review(ctx, tenant, template_id, since=at)
        tenant[TEMPLATES].put({
            "id": template_id, "name": body["name"], "waba_template_id": ctx.ids.digits(16),
            "language": body["language"], "category": body["category"], "type": "template",
            "components": rules.normalise(body["components"]), "quality": "unknown", "status": "active",
            "waba_template_status": "pending", "failure_reason": None, "link_tracking": False,
            "created": now, "modified": now, "waba_id": waba_id, "review_job_id": job_id})
    return Json({"status": "success", "code": 201, "message": "Template created", "data": {"id": template_id}},
                status_code=201)


def _choices(request: Request, name: str, allowed: tuple[str, ...]) -> list[str]:
    values = query_list(request, name)
    for value in values:
        if value not in allowed:
            raise DRF_INVALID.field(name, f"Select a valid choice. {value[:40]} is not one of the available choices.")
    return values


@endpoint
async def list_templates(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    limit = query_int(request, "limit", 10, DRF_INVALID, minimum=1, maximum=100)
    offset = query_int(request, "offset", 0, DRF_INVALID)
    statuses = _choices(request, "waba_template_status", REVIEW_STATUSES)
    categories = _choices(request, "category", CATEGORIES)
    waba_id, name = request.query_params.get("waba_id"), request.query_params.get("name")
    stored = tenant[TEMPLATES]

    def by_creation(t: dict) -> tuple[str, int]:  # templates created in one instant (a manual clock) as written
        return t["created"], stored.rank(t["id"])

    def selected(t: dict) -> bool:
        return ((not waba_id or t.get("waba_id") == waba_id) and (not name or t["name"] == name)
                and (not statuses or t["waba_template_status"] in statuses)
                and (not categories or t["category"] in categories))

    # Newest first, through the creation-order index (or the filters' selection of it): a page reads its page.
    filters = (waba_id, name, tuple(statuses), tuple(categories))
    chosen = (stored.selection(filters, "by_creation", by_creation, selected) if any(filters)
              else stored.ordered("by_creation", by_creation))
    data = page(request, chosen.reversed(), limit, offset)
    data["results"] = [templates.view(t) for t in data["results"]]
    return Json({"status": "success", "code": "200", "message": "Templates", "data": data})


@endpoint
async def fetch_template(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    view = templates.view(_template(tenant, request))
    return Json({"status": "success", "code": "200", "message": "OK", "data": view})


@endpoint
async def delete_template(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    template = _template(tenant, request)
    with ctx.store.transaction():
        templates.cancel_review(ctx, tenant, template)
        tenant[TEMPLATES].delete(template["id"])
    return Json({"status": "success", "code": "200", "message": "Template Deleted", "data": {}})

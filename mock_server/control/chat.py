"""/_mock/ helpers for the WhatsApp surface: decide a template's review now, play a customer who
writes in (opening the 24-hour window), and list what was sent and received."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from mock_server.clock import iso
from mock_server.context import AppContext
from mock_server.control.common import control_error, tenant_of
from mock_server.errors import DRF_INVALID
from mock_server.http import Json, read_json
from mock_server.public.chat import message_rules, messages, template_rules, templates
from mock_server.public.chat.phonenumbers import phone_number


async def force_review(request: Request) -> Json:
    """Decide a template's review now: the given outcome, or the review rules' when none is given."""
    ctx: AppContext = request.app.state.ctx
    tenant = tenant_of(request)
    template_id = request.path_params["id"]
    template = tenant["templates"].get(template_id)
    if template is None:
        raise control_error(404, f"No template with id {template_id!r} for this company.")
    body = await read_json(request, DRF_INVALID, "control/template.review.request")
    outcome, reason = body.get("outcome"), body.get("failure_reason")
    decided_status, decided_reason = template_rules.review(template)
    if outcome == "approved" and reason is not None:
        raise DRF_INVALID.field("failure_reason", "Only a rejected review has a failure_reason.")
    if outcome == "approved":
        decided_status, decided_reason = "approved", None
    elif outcome == "rejected":
        decided_status, decided_reason = "rejected", reason or decided_reason or "NONE"
    with ctx.store.transaction():
        templates.cancel_review(ctx, tenant, template)
        decided = templates.decide(ctx, tenant, template, decided_status, decided_reason)
    return Json(templates.render(decided))


async def inbound(request: Request) -> Json:
    """A customer writes to one of the company's numbers: opens (or revives) the 24-hour window."""
    ctx: AppContext = request.app.state.ctx
    tenant = tenant_of(request)
    body = await read_json(request, DRF_INVALID, "control/message.inbound.request")
    if phone_number(tenant, body["phone_number_id"]) is None:
        raise control_error(404, "No such phone_number_id for this company.")
    who = message_rules.recipient(body["customer_country_code"], body["customer_number"])
    if who is None:
        raise DRF_INVALID.field("customer_number", "Country code and number together may have at most 15 digits.")
    now = ctx.now()
    with ctx.store.transaction():
        conversation = messages.conversation_for(ctx, tenant, body["phone_number_id"], *who)
        message = messages.new_message(ctx, conversation, direction="incoming", type="text",
                                       payload={"type": "text", "context": {"body": body["text"]}},
                                       status="received", source="customer")
        conversation.update(
            last_incoming_at=iso(now), expire_at=iso(now + message_rules.WINDOW), last_message_at=iso(now),
            modified=iso(now), unread_count=int(conversation.get("unread_count") or 0) + 1,
            status="unassigned" if conversation.get("status") == "closed" else conversation["status"])
        tenant[messages.CONVERSATIONS].put(conversation)
        tenant[messages.MESSAGES].put(message)
    return Json({"message_id": message["id"], "conversation_id": conversation["id"],
                 "window_expires_at": conversation["expire_at"]}, status_code=201)


async def list_messages(request: Request) -> Json:
    """What the company sent and received, oldest first; filter by customer_number / phone_number_id."""
    tenant = tenant_of(request)
    filters = {key: request.query_params.get(key) for key in ("customer_number", "phone_number_id", "direction")}
    found = [m for m in tenant[messages.MESSAGES]
             if all(value in (None, "") or m.get(key) == value for key, value in filters.items())]
    return Json({"messages": found})


routes = [
    Route("/_mock/tenants/{company_id}/templates/{id}/review", force_review, methods=["POST"]),
    Route("/_mock/tenants/{company_id}/inbound", inbound, methods=["POST"]),
    Route("/_mock/tenants/{company_id}/messages", list_messages, methods=["GET"]),
]

"""/_mock/ helpers for the WhatsApp surface: decide a template's review now, play a customer who
writes in (message.received; the 24-hour window opens, the conversation is created or revived), an
agent who assigns or closes a conversation (conversation.assign / conversation.close) or replies from
the LiveChat panel (source "lc"), and list what
was sent and received. The moves and their webhooks are the scenario steps' (``mock_server.steps.messages``),
so a route and a scenario step do exactly the same thing."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.routing import Route

from mock_server.context import AppContext
from mock_server.control.common import bounded_list, control_error, tenant_of
from mock_server.domain import whatsapp
from mock_server.domain.whatsapp_rules import recipient
from mock_server.engine import runner
from mock_server.errors import DRF_INVALID
from mock_server.http import EMPTY, MAX_JSON_BYTES, Json, parse_json, read_body, read_json, require_object
from mock_server.services import messaging, templates
from mock_server.services.phonenumbers import phone_number
from mock_server.steps import message_kinds, messages as message_steps
from mock_server.store.names import CONVERSATIONS, MESSAGES, TEMPLATES


async def force_review(request: Request) -> Json:
    """Decide a template's review now: the given outcome, or the review rules' when none is given."""
    ctx: AppContext = request.app.state.ctx
    tenant = tenant_of(request)
    template_id = request.path_params["id"]
    template = tenant[TEMPLATES].get(template_id)
    if template is None:
        raise control_error(404, f"No template with id {template_id!r} for this company.")
    body = await read_json(request, DRF_INVALID, "control/template.review.request")
    outcome, reason = body.get("outcome"), body.get("failure_reason")
    decided_status, decided_reason = templates.review(template)
    if outcome == "approved" and reason is not None:
        raise DRF_INVALID.field("failure_reason", "Only a rejected review has a failure_reason.")
    if outcome == "approved":
        decided_status, decided_reason = "approved", None
    elif outcome == "rejected":
        decided_status, decided_reason = "rejected", reason or decided_reason or "NONE"
    with ctx.store.transaction():
        templates.cancel_review(ctx, tenant, template)
        decided = templates.decide(ctx, tenant, template, decided_status, decided_reason)
    return Json(templates.view(decided))


async def inbound(request: Request) -> Json:
    """A customer writes to one of the company's numbers: opens (or revives) the 24-hour window."""
    ctx: AppContext = request.app.state.ctx
    tenant = tenant_of(request)
    body = await read_json(request, DRF_INVALID, "control/message.inbound.request")
    if phone_number(tenant, body["phone_number_id"]) is None:
        raise control_error(404, "No such phone_number_id for this company.")
    who = recipient(body["customer_country_code"], body["customer_number"])
    if who is None:
        raise DRF_INVALID.field("customer_number", "Country code and number together may have at most 15 digits.")
    if "media" in body:  # pushed twice, as live: the whatsapp-received-media scenario plays it
        return _inbound_media(ctx, tenant, body, who)
    with ctx.store.transaction():
        message, conversation = message_steps.receive(ctx, tenant, ctx.now(), body["phone_number_id"], who,
                                                      body["text"])
    return Json({"message_id": message["id"], "conversation_id": conversation["id"],
                 "window_expires_at": conversation["expire_at"]}, status_code=201)


def _inbound_media(ctx: AppContext, tenant, body: dict, who: tuple[str, str]) -> Json:
    params = {"phone_number": body["phone_number_id"], "customer": f"+{''.join(who)}", "media": body["media"],
              **{k: body[k] for k in ("caption", "link_after") if k in body}}
    try:
        run = runner.start_run(ctx, tenant, "whatsapp-received-media", params, trigger="inbound")
    except runner.RunRefused as exc:  # e.g. a scenario folder of the user's replaced it with other parameters
        raise DRF_INVALID.error(exc.errors) from None
    except runner.UnknownScenario as exc:
        raise control_error(409, str(exc)) from None
    if run["status"] == "failed":
        raise control_error(409, f"The media could not be received: {run['error']}")
    conversation = tenant[CONVERSATIONS].get(run["state"]["conversation_id"])
    return Json({"message_id": run["state"]["message_id"], "conversation_id": conversation["id"],
                 "window_expires_at": conversation["expire_at"], "run_id": run["id"]}, status_code=201)


def _conversation(request: Request, tenant) -> dict:
    conversation = tenant[CONVERSATIONS].get(request.path_params["id"])
    if conversation is None:
        raise control_error(404, f"No conversation with id {request.path_params['id'][:64]!r} for this company.")
    return conversation


def _agent(tenant, body: dict, key: str) -> str | None:
    """The agent ``body[key]`` names, None when it names none."""
    return None if body.get(key) is None else _named_agent(tenant, body, key)


def _named_agent(tenant, body: dict, key: str) -> str:
    try:
        return message_kinds.chat_agent(tenant, body[key], {})
    except ValueError as exc:
        raise DRF_INVALID.field(key, str(exc)) from None


async def assign_conversation(request: Request) -> Json:
    """An agent (``by``, default the assignee) assigns the conversation: conversation.assign."""
    ctx: AppContext = request.app.state.ctx
    tenant = tenant_of(request)
    conversation = _conversation(request, tenant)
    body = await read_json(request, DRF_INVALID, "control/conversation.assign.request")
    agent = _named_agent(tenant, body, "agent_id")  # required by the schema
    by = _agent(tenant, body, "by") or agent
    with ctx.store.transaction():
        try:
            moved = message_steps.assign(ctx, tenant, ctx.now(), conversation, agent, by)
        except whatsapp.IllegalTransition as exc:
            raise control_error(409, f"The conversation cannot be assigned: {exc}.") from None
    return Json(moved)


async def close_conversation(request: Request) -> Json:
    """An agent (``by``, default the assignee) closes the conversation: conversation.close."""
    ctx: AppContext = request.app.state.ctx
    tenant = tenant_of(request)
    conversation = _conversation(request, tenant)
    raw = parse_json(await read_body(request, MAX_JSON_BYTES, DRF_INVALID), DRF_INVALID)
    body = {} if raw is EMPTY else require_object(raw, DRF_INVALID, "control/conversation.close.request")
    by = _agent(tenant, body, "by")
    with ctx.store.transaction():
        try:
            moved = message_steps.close(ctx, tenant, ctx.now(), conversation, by)
        except whatsapp.IllegalTransition as exc:
            raise control_error(409, f"The conversation cannot be closed: {exc}.") from None
    return Json(moved)


async def reply_in_conversation(request: Request) -> Json:
    """An agent (``by``, default the assignee) replies from the LiveChat panel: an outgoing text with
    source "lc", then its lifecycle (message.sent, delivered, read) as for a message sent through the API."""
    ctx: AppContext = request.app.state.ctx
    tenant = tenant_of(request)
    conversation = _conversation(request, tenant)
    body = await read_json(request, DRF_INVALID, "control/conversation.reply.request")
    by = _agent(tenant, body, "by")
    with ctx.store.transaction():
        try:
            message = message_steps.agent_replies(ctx, tenant, ctx.now(), conversation, by, body["text"])
        except ValueError as exc:  # IllegalTransition among them: nothing was written
            raise control_error(409, f"The agent cannot reply: {exc}.") from None
        messaging.start_lifecycle(ctx, tenant, message)
    return Json({"message_id": message["id"], "conversation_id": conversation["id"],
                 "message_by": message["message_by"]}, status_code=201)


def _field(key: str) -> Callable[[dict], object]:
    return lambda message: message.get(key)


async def list_messages(request: Request) -> Json:
    """What the company sent and received, oldest first; filter by customer_number / phone_number_id."""
    tenant = tenant_of(request)
    filters = {key: value for key in ("customer_number", "phone_number_id", "direction")
               if (value := request.query_params.get(key))}
    messages = tenant[MESSAGES]
    # A customer's or a number's messages through a lookup index (in the collection's order), not a scan.
    indexed = next((key for key in ("customer_number", "phone_number_id") if key in filters), None)
    candidates = messages.lookup(indexed, _field(indexed), filters[indexed]) if indexed else messages.values()
    found = [m for m in candidates if all(m.get(key) == value for key, value in filters.items())]
    return Json(bounded_list(request, "messages", found))


routes = [
    Route("/_mock/tenants/{company_id}/templates/{id}/review", force_review, methods=["POST"]),
    Route("/_mock/tenants/{company_id}/inbound", inbound, methods=["POST"]),
    Route("/_mock/tenants/{company_id}/messages", list_messages, methods=["GET"]),
    Route("/_mock/tenants/{company_id}/conversations/{id}/assign", assign_conversation, methods=["POST"]),
    Route("/_mock/tenants/{company_id}/conversations/{id}/close", close_conversation, methods=["POST"]),
    Route("/_mock/tenants/{company_id}/conversations/{id}/reply", reply_in_conversation, methods=["POST"]),
]

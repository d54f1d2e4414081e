"""POST /chat/messages (the customer's side of a chat is played from control/chat.py).

A send runs: auth -> schema (the documented MESSAGE_INVALID 400) -> sender state (CHAT_03xx,
CHAT_0004) -> template and media -> reply_to -> recipient and 24-hour window (CHAT_3001) ->
wallet (CHAT_4001) -> one transaction that debits the wallet, stores the message (status
"accepted": Meta has taken it) and its conversation, and starts the message's delivery lifecycle,
a scenario run chosen by ``engine.message_rules`` (magic customer numbers, control-plane
overrides) that reports it sent, delivered, read or failed on the clock. The request rules live
in ``rules``, the ones the scenarios share in ``domain.whatsapp_rules``; the send itself (the same
for a scenario's or an agent's message) is ``services.messaging.send``.

A message sent through the API is from the company's owner (``message_by``, as the documented API
examples carry a user's id); a conversation's first message assigns the conversation to its
sender (``domain.whatsapp.business_wrote``).
"""

from __future__ import annotations

from starlette.requests import Request

from mock_server import profiles
from mock_server.context import AppContext
from mock_server.domain import whatsapp_rules
from mock_server.errors import MESSAGE_INVALID
from mock_server.http import Json, read_json
from mock_server.public.auth import endpoint
from mock_server.public.chat import rules
from mock_server.refusals import Refusal
from mock_server.services import messaging, phonenumbers, templates
from mock_server.store import TenantState
from mock_server.store.names import MEDIA, MESSAGES


def merge(*error_dicts: dict[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for errors in error_dicts:
        for field, messages in errors.items():
            merged.setdefault(field, []).extend(messages)
    return merged


# --- POST /chat/messages, step by step --------------------------------------------------------
def _template(tenant: TenantState, data: dict, waba: dict) -> dict | None:
    """The approved template a template message names (None for other types)."""
    if data["type"] != "template":
        return None
    template = templates.for_sending(tenant, data["context"]["template_name"], rules.template_language(data),
                                     waba.get("waba_id"))
    if template is None:
        raise Refusal("400", "Template not associated with this company")
    if not templates.approved(template):
        raise Refusal("400", "Template is not approved")
    return template


def _deliverable_to(tenant: TenantState, body: dict, data: dict, now) -> tuple[str, str]:
    """The recipient, once ``reply_to``, the number and the 24-hour window allow the message."""
    who = whatsapp_rules.recipient(body["customer_country_code"], body["customer_number"])
    conversation = messaging.find_conversation(tenant, body["phone_number_id"], *who) if who else None
    reply_to = body.get("reply_to") or None
    if reply_to is not None:
        original = tenant[MESSAGES].get(reply_to)
        if original is None or conversation is None or original["conversation_id"] != conversation["id"]:
            raise MESSAGE_INVALID.field("reply_to", "Message not found")
    if who is None:
        raise Refusal("CHAT_3001", "Message Sending Failed", details=dict(whatsapp_rules.UNDELIVERABLE))
    if data["type"] != "template" and not whatsapp_rules.window_open(conversation, now):
        raise Refusal("CHAT_3001", "Message Sending Failed", details=dict(whatsapp_rules.RE_ENGAGEMENT))
    return who


@endpoint
async def send_message(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    body = await read_json(request, MESSAGE_INVALID, "public/message.send.request")
    data = body["data"]
    if errors := rules.shape_errors(data):
        raise MESSAGE_INVALID.error(errors)
    waba = phonenumbers.sender_waba(tenant, body["phone_number_id"])
    template = _template(tenant, data, waba)
    if errors := merge(whatsapp_rules.template_errors(template, data["context"]) if template else {},
                       rules.media_errors(data, tenant[MEDIA])):
        raise MESSAGE_INVALID.error(errors)
    now = ctx.now()  # one reading for the whole send: the window check and every moment it stores
    who = _deliverable_to(tenant, body, data, now)
    category = template.get("category", "marketing") if template else "service"
    outgoing = messaging.Outgoing(
        phone_number_id=body["phone_number_id"], who=who, type=data["type"], payload=data, source="api",
        message_by=messaging.api_user(tenant), price=whatsapp_rules.price(data["type"], category), billed=True,
        category=category, template_id=template["id"] if template else None, reply_to=body.get("reply_to") or None,
        myop_ref_id=body.get("myop_ref_id"), trail=body.get("trail"))
    with ctx.store.transaction():
        message, conversation = messaging.send(ctx, tenant, now, outgoing)
        messaging.start_lifecycle(ctx, tenant, message)
    return Json(profiles.send_message_answer(ctx.settings.profile, interactive=data["type"] == "interactive",
                                             message_id=message["id"], conversation_id=conversation["id"]))

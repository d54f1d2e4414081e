"""POST /chat/messages (the customer's side of a chat is played from control/chat.py).

A send runs: auth -> schema (the documented MESSAGE_INVALID 400) -> sender state (CHAT_03xx,
CHAT_0004) -> template and media -> reply_to -> recipient and 24-hour window (CHAT_3001) ->
wallet (CHAT_4001) -> one transaction that debits the wallet and stores the message and its
conversation. The rules themselves live in ``message_rules``.
"""

from __future__ import annotations

import base64
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from mock_server.clock import iso
from mock_server.context import AppContext
from mock_server.errors import MESSAGE_INVALID, envelope
from mock_server.http import Json, read_json
from mock_server.public.auth import endpoint
from mock_server.public.chat import message_rules as rules
from mock_server.public.chat.phonenumbers import phone_number
from mock_server.store import TenantState

MESSAGES, CONVERSATIONS = "messages", "conversations"


# --- lookups ---------------------------------------------------------------------------------
def find_conversation(tenant: TenantState, phone_number_id: str, cc: str, number: str) -> dict | None:
    return tenant[CONVERSATIONS].find(lambda c: c["phone_number_id"] == phone_number_id
                                      and c["customer_country_code"] == cc and c["customer_contact"] == number)


def contact_name(tenant: TenantState, cc: str, number: str) -> str | None:
    contact = tenant["contacts"].find(lambda c: c.get("country_code") == cc and c.get("phone_number") == number)
    return contact.get("name") if contact else None


def refuse(code: str, message: str, details: dict | None = None):
    return envelope(400, code, message, details or {}, key="error")


def merge(*error_dicts: dict[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for errors in error_dicts:
        for field, messages in errors.items():
            merged.setdefault(field, []).extend(messages)
    return merged


# --- writes ----------------------------------------------------------------------------------
def conversation_for(ctx: AppContext, tenant: TenantState, phone_number_id: str, cc: str, number: str) -> dict:
    """The conversation with this customer on this number, new (unsaved) when there is none."""
    found = find_conversation(tenant, phone_number_id, cc, number)
    if found is not None:
        return dict(found)
    now = iso(ctx.now())
    return {"id": ctx.ids.uuid(), "phone_number_id": phone_number_id, "customer_country_code": cc,
            "customer_contact": number, "customer_name": contact_name(tenant, cc, number),
            "status": "unassigned", "assigned_to": None, "expire_at": None, "last_message_at": None,
            "last_incoming_at": None, "created": now, "modified": now, "unread_count": 0}


def new_message(ctx: AppContext, conversation: dict, **fields: Any) -> dict:
    now = iso(ctx.now())
    message_id = ctx.ids.uuid()
    tag = f"{conversation['customer_country_code']}{conversation['customer_contact']}{message_id.replace('-', '')[:20]}"
    doc = {"id": message_id, "conversation_id": conversation["id"],
           "phone_number_id": conversation["phone_number_id"],
           "customer_country_code": conversation["customer_country_code"],
           "customer_number": conversation["customer_contact"], "direction": None, "type": None, "payload": None,
           "template_id": None, "category": "service",
           "price": 0.0, "status": None, "status_history": [], "reply_to": None, "myop_ref_id": None,
           "trail": None, "source": None,
           "waba_msg_id": "wamid." + base64.b64encode(tag.upper().encode()).decode(),
           "created": now, "modified": now}
    doc.update(fields)
    doc["status_history"] = [{"status": doc["status"], "timestamp": now}]
    return doc


# --- POST /chat/messages ---------------------------------------------------------------------
@endpoint
async def send_message(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    body = await read_json(request, MESSAGE_INVALID, "public/message.send.request")
    data, now = body["data"], ctx.now()
    if errors := rules.shape_errors(data):
        raise MESSAGE_INVALID.error(errors)

    phone = phone_number(tenant, body["phone_number_id"])
    waba = tenant["waba_accounts"].get(phone.get("waba_account_id")) if phone else None
    if refusal := rules.sender_refusal(phone, waba, tenant.account):
        raise refuse(*refusal)

    template, errors = None, {}
    if data["type"] == "template":
        context = data["context"]
        template = rules.find_template(tenant["templates"], context["template_name"], rules.template_language(data),
                                       waba.get("waba_id"))
        if template is None:
            raise envelope(400, "400", "Template not associated with this company")
        if not rules.template_approved(template):
            raise envelope(400, "400", "Template is not approved")
        errors = rules.template_errors(template, context)
    media = {str(m["id"]): m for m in tenant["media"]}
    if errors := merge(errors, rules.media_errors(data, media)):
        raise MESSAGE_INVALID.error(errors)

    who = rules.recipient(body["customer_country_code"], body["customer_number"])
    conversation = find_conversation(tenant, body["phone_number_id"], *who) if who else None
    reply_to = body.get("reply_to") or None
    if reply_to is not None:
        original = tenant[MESSAGES].get(reply_to)
        if original is None or conversation is None or original["conversation_id"] != conversation["id"]:
            raise MESSAGE_INVALID.field("reply_to", "Message not found")
    if who is None:
        raise refuse("CHAT_3001", "Message Sending Failed", dict(rules.UNDELIVERABLE))
    if data["type"] != "template" and not rules.window_open(conversation, now):
        raise refuse("CHAT_3001", "Message Sending Failed", dict(rules.RE_ENGAGEMENT))

    category = template.get("category", "marketing") if template else "service"
    cost = rules.price(data["type"], category)
    account = tenant.account
    balance = account.get("wallet_balance")
    balance = float(balance) if isinstance(balance, (int, float)) and not isinstance(balance, bool) else 0.0
    if balance < cost:
        raise refuse("CHAT_4001", "Insufficient Balance")

    with ctx.store.transaction():
        conversation = conversation_for(ctx, tenant, body["phone_number_id"], *who)
        message = new_message(
            ctx, conversation, direction="outgoing", type=data["type"], payload=data,
            template_id=template["id"] if template else None, category=category, price=cost, status="sent",
            reply_to=reply_to, myop_ref_id=body.get("myop_ref_id"), trail=body.get("trail"), source="api")
        conversation.update(last_message_at=message["created"], modified=message["created"])
        tenant[CONVERSATIONS].put(conversation)
        tenant[MESSAGES].put(message)
        tenant.save_account(dict(account, wallet_balance=round(balance - cost, 4)))

    if data["type"] == "interactive":
        return Json({"status": "success", "code": "200", "message": "Accepted",
                     "data": {"conversation_id": conversation["id"], "message_id": message["id"]}})
    return Json({"status": "success", "code": "200", "message": "Message Sent",
                 "data": {"message_id": message["id"], "conversaton_id": conversation["id"]}})


routes = [Route("/chat/messages", send_message, methods=["POST"])]

"""POST /chat/messages (the customer's side of a chat is played from control/chat.py).

A send runs: auth -> schema (the documented MESSAGE_INVALID 400) -> sender state (CHAT_03xx,
CHAT_0004) -> template and media -> reply_to -> recipient and 24-hour window (CHAT_3001) ->
wallet (CHAT_4001) -> one transaction that debits the wallet, stores the message (status
"accepted": Meta has taken it) and its conversation, and starts the message's delivery lifecycle,
a scenario run chosen by ``engine.message_rules`` (magic customer numbers, control-plane
overrides) that reports it sent, delivered, read or failed on the clock. The rules themselves
live in ``message_rules``.

A message sent through the API is from the company's owner (``message_by``, as the documented API
examples carry a user's id); a conversation's first message assigns the conversation to its
sender (``domain.whatsapp.business_wrote``).
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from mock_server.clock import iso
from mock_server.context import AppContext
from mock_server.domain import whatsapp
from mock_server.engine import message_rules as lifecycle
from mock_server.engine import runner
from mock_server.errors import MESSAGE_INVALID, envelope
from mock_server import profiles
from mock_server.http import Json, read_json
from mock_server.public.auth import endpoint
from mock_server.public.chat import message_rules as rules
from mock_server.public.chat.phonenumbers import phone_number
from mock_server.public.contacts import rules as contact_rules
from mock_server.store import TenantState

MESSAGES, CONVERSATIONS = "messages", "conversations"


# --- lookups ---------------------------------------------------------------------------------
# Through the store's indexes: a send costs the same at any number of conversations and contacts.
def customer_key(conversation: dict) -> tuple:
    """Which customer on which of the company's numbers a conversation is with."""
    return (conversation.get("phone_number_id"), conversation.get("customer_country_code"),
            conversation.get("customer_contact"))


def find_conversation(tenant: TenantState, phone_number_id: str, cc: str, number: str) -> dict | None:
    """The conversation with this customer on this number: the first stored, whatever its status (a closed
    one is revived by the customer's next message, so there is one per customer and number)."""
    found = tenant[CONVERSATIONS].lookup("customer", customer_key, (phone_number_id, cc, number))
    return found[0] if found else None


def contact_name(tenant: TenantState, cc: str, number: str) -> str | None:
    found = tenant["contacts"].lookup("phone", contact_rules.phone_key, (cc, number))
    return found[0].get("name") if found else None


def api_user(tenant: TenantState) -> str | None:
    """Who sends through the API: the company's owner (else its first user)."""
    users = [u for u in tenant["users"] if u.get("role") != "anonymous"]
    owner = next((u for u in users if u.get("role") == "owner"), users[0] if users else None)
    return owner["id"] if owner else None


def refuse(code: str, message: str, details: dict | None = None):
    return envelope(400, code, message, details or {}, key="error")


def merge(*error_dicts: dict[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for errors in error_dicts:
        for field, messages in errors.items():
            merged.setdefault(field, []).extend(messages)
    return merged


# --- writes ----------------------------------------------------------------------------------
def conversation_for(ctx: AppContext, tenant: TenantState, at: datetime, phone_number_id: str, cc: str,
                     number: str) -> dict:
    """The conversation with this customer on this number, new (unsaved, created ``at``) when there is none."""
    found = find_conversation(tenant, phone_number_id, cc, number)
    if found is not None:
        return dict(found)
    now = iso(at)
    return {"id": ctx.ids.uuid(), "phone_number_id": phone_number_id, "customer_country_code": cc,
            "customer_contact": number, "customer_name": contact_name(tenant, cc, number),
            "status": "unassigned", "assigned_to": None, "expire_at": None, "last_message_at": None,
            "last_incoming_at": None, "created": now, "modified": now, "unread_count": 0}


def new_message(ctx: AppContext, conversation: dict, at: datetime, **fields: Any) -> dict:
    """A message of ``conversation`` created ``at`` (the moment its operation read, once, for all it writes)."""
    now = iso(at)
    message_id = ctx.ids.uuid()
    tag = f"{conversation['customer_country_code']}{conversation['customer_contact']}{message_id.replace('-', '')[:20]}"
    doc = {"id": message_id, "conversation_id": conversation["id"],
           "phone_number_id": conversation["phone_number_id"],
           "customer_country_code": conversation["customer_country_code"],
           "customer_number": conversation["customer_contact"], "direction": None, "type": None, "payload": None,
           "template_id": None, "category": "service",
           "price": 0.0, "status": None, "status_history": [], "reply_to": None, "myop_ref_id": None,
           "trail": None, "source": None, "message_by": None, "link_tracking": False, "campaign_id": None,
           "sent_at": None, "delivered_at": None, "read_at": None, "failed_at": None, "errors": None,
           "is_read": False,
           "waba_msg_id": "wamid." + base64.b64encode(tag.upper().encode()).decode(),
           "created": now, "modified": now}
    doc.update(fields)
    doc["status_history"] = [{"status": doc["status"], "timestamp": now}]
    return doc


# --- POST /chat/messages, step by step --------------------------------------------------------
def _sender_waba(tenant: TenantState, phone_number_id: str) -> dict | None:
    """The sending number's WABA, once the number and its company may send (CHAT_03xx, CHAT_0004)."""
    phone = phone_number(tenant, phone_number_id)
    waba = tenant["waba_accounts"].get(phone.get("waba_account_id")) if phone else None
    if refusal := rules.sender_refusal(phone, waba, tenant.account):
        raise refuse(*refusal)
    return waba


def _name_language(template: dict) -> tuple:
    return template.get("name"), template.get("language")


def _template(tenant: TenantState, data: dict, waba: dict) -> dict | None:
    """The approved template a template message names (None for other types)."""
    if data["type"] != "template":
        return None
    name, language = data["context"]["template_name"], rules.template_language(data)
    named = tenant["templates"].lookup("name_language", _name_language, (name, language))
    template = rules.find_template(named, name, language, waba.get("waba_id"))
    if template is None:
        raise envelope(400, "400", "Template not associated with this company")
    if not rules.template_approved(template):
        raise envelope(400, "400", "Template is not approved")
    return template


def _deliverable_to(tenant: TenantState, body: dict, data: dict, now) -> tuple[str, str]:
    """The recipient, once ``reply_to``, the number and the 24-hour window allow the message."""
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
    return who


def _balance_after(account: dict, cost: float) -> float:
    """The wallet once ``cost`` is paid (CHAT_4001 when it cannot be)."""
    balance = float(account.get("wallet_balance") or 0)
    if balance < cost:
        raise refuse("CHAT_4001", "Insufficient Balance")
    return round(balance - cost, 4)


def start_lifecycle(ctx: AppContext, tenant: TenantState, message: dict) -> None:
    """Play the accepted message's delivery lifecycle. A scenario folder of the user's that cannot play
    it leaves the message accepted, the reason kept on it (``lifecycle_error``): the send succeeded."""
    try:
        run = lifecycle.start_lifecycle(ctx, tenant, message, {"kind": "message", "message_id": message["id"]})
    except (runner.UnknownScenario, runner.RunRefused) as exc:
        tenant[MESSAGES].put(dict(message, lifecycle_error=str(exc)))
        return
    if run["status"] == "failed":  # its first step refused the message (kept with the run)
        tenant[MESSAGES].put(dict(tenant[MESSAGES].get(message["id"]), lifecycle_error=run["error"]))


@endpoint
async def send_message(request: Request, ctx: AppContext, tenant: TenantState) -> Json:
    body = await read_json(request, MESSAGE_INVALID, "public/message.send.request")
    data = body["data"]
    if errors := rules.shape_errors(data):
        raise MESSAGE_INVALID.error(errors)
    waba = _sender_waba(tenant, body["phone_number_id"])
    template = _template(tenant, data, waba)
    if errors := merge(rules.template_errors(template, data["context"]) if template else {},
                       rules.media_errors(data, tenant["media"])):
        raise MESSAGE_INVALID.error(errors)
    now = ctx.now()  # one reading for the whole send: the window check and every moment it stores
    who = _deliverable_to(tenant, body, data, now)
    category = template.get("category", "marketing") if template else "service"
    cost = rules.price(data["type"], category)
    balance = _balance_after(tenant.account, cost)

    with ctx.store.transaction():
        conversation = conversation_for(ctx, tenant, now, body["phone_number_id"], *who)
        message = new_message(
            ctx, conversation, now, direction="outgoing", type=data["type"], payload=data,
            template_id=template["id"] if template else None, category=category, price=cost, status="accepted",
            reply_to=body.get("reply_to") or None, myop_ref_id=body.get("myop_ref_id"), trail=body.get("trail"),
            source="api", message_by=api_user(tenant))
        conversation = whatsapp.business_wrote(conversation, now, message_by=message["message_by"], source="api")
        tenant[CONVERSATIONS].put(conversation)
        tenant[MESSAGES].put(message)
        tenant.save_account(dict(tenant.account, wallet_balance=balance))
        start_lifecycle(ctx, tenant, message)

    return Json(profiles.send_message_answer(ctx.settings.profile, interactive=data["type"] == "interactive",
                                             message_id=message["id"], conversation_id=conversation["id"]))


routes = [Route("/chat/messages", send_message, methods=["POST"])]

"""Messages and conversations: the one way an outgoing message is written, whoever sends it (the API,
a scenario's template or campaign, an agent on the LiveChat panel), and the lookups it needs.

A send writes the message (status "accepted": Meta has taken it), its conversation (created when the
customer has none; a conversation's first message assigns it to its sender,
``domain.whatsapp.business_wrote``) and, for a billed message, the wallet. The wallet refuses first
(CHAT_4001), so a refused send writes nothing. The message's delivery lifecycle is a scenario run
(``start_lifecycle``), chosen by ``engine.message_rules``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mock_server.clock import iso
from mock_server.domain import whatsapp
from mock_server.engine import message_rules as lifecycle, runner
from mock_server.refusals import Refusal

# The contacts' phone index; it moves to services.contacts with the Contacts API's rules (issue 11).
from mock_server.services.contacts import phone_key
from mock_server.store import TenantState
from mock_server.store.names import CONTACTS, CONVERSATIONS, MESSAGES, USERS

if TYPE_CHECKING:
    from mock_server.context import AppContext

INSUFFICIENT_BALANCE = ("CHAT_4001", "Insufficient Balance")


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
    found = tenant[CONTACTS].lookup("phone", phone_key, (cc, number))
    return found[0].get("name") if found else None


def api_user(tenant: TenantState) -> str | None:
    """Who sends through the API: the company's owner (else its first user)."""
    users = [u for u in tenant[USERS] if u.get("role") != "anonymous"]
    owner = next((u for u in users if u.get("role") == "owner"), users[0] if users else None)
    return owner["id"] if owner else None


# --- documents -------------------------------------------------------------------------------
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


# --- sending ---------------------------------------------------------------------------------
def balance_after(account: dict, cost: float) -> float:
    """The wallet once ``cost`` is paid (CHAT_4001 when it cannot be)."""
    balance = float(account.get("wallet_balance") or 0)
    if balance < cost:
        raise Refusal(*INSUFFICIENT_BALANCE)
    return round(balance - cost, 4)


@dataclass(frozen=True)
class Outgoing:
    """What a sender hands over: to whom, from which number, what, by whom, and at what price.
    ``billed``: the wallet pays ``price`` (a message a scenario composes is priced, not billed)."""
    phone_number_id: str
    who: tuple[str, str]  # the customer's (country code, number)
    type: str
    payload: dict
    source: str  # "api", "lc" (LiveChat), "cmp" (campaign), ...
    message_by: str | None
    price: float
    billed: bool
    category: str = "service"
    template_id: str | None = None
    reply_to: str | None = None
    myop_ref_id: str | None = None
    trail: Any = None
    link_tracking: bool = False
    campaign_id: int | None = None


def send(ctx: AppContext, tenant: TenantState, at: datetime, out: Outgoing) -> tuple[dict, dict]:
    """The accepted outgoing message and its conversation, both written (and the wallet debited when
    billed); nothing is emitted and no lifecycle started. The sender's checks are the caller's, in the
    order its surface documents them."""
    balance = balance_after(tenant.account, out.price) if out.billed else None
    conversation = conversation_for(ctx, tenant, at, out.phone_number_id, *out.who)
    message = new_message(
        ctx, conversation, at, direction="outgoing", type=out.type, payload=out.payload, template_id=out.template_id,
        category=out.category, price=out.price, status="accepted", reply_to=out.reply_to,
        myop_ref_id=out.myop_ref_id, trail=out.trail, source=out.source, message_by=out.message_by,
        link_tracking=out.link_tracking, campaign_id=out.campaign_id)
    conversation = whatsapp.business_wrote(conversation, at, message_by=out.message_by, source=out.source)
    tenant[CONVERSATIONS].put(conversation)
    tenant[MESSAGES].put(message)
    if balance is not None:
        tenant.save_account(dict(tenant.account, wallet_balance=balance))
    return message, conversation


def start_lifecycle(ctx: AppContext, tenant: TenantState, message: dict) -> None:
    """Play the accepted message's delivery lifecycle. A scenario folder of the user's that cannot play
    it leaves the message accepted, the reason kept on it (``lifecycle_error``): the send succeeded."""
    try:
        run = lifecycle.start_lifecycle(ctx, tenant, message, {"kind": "message", "message_id": message["id"]})
    except (runner.UnknownScenario, runner.RunRefused) as exc:
        tenant[MESSAGES].put(dict(message, lifecycle_error=str(exc)))
        return
    if run["status"] == "failed":  # its first step refused the message (kept with the run)
        tenant[MESSAGES].put(dict(tenant[MESSAGES].get(message["id"]) or message, lifecycle_error=run["error"]))

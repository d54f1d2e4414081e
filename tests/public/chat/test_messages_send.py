"""POST /chat/messages: successful sends, what they debit from the wallet, and what is stored."""

from __future__ import annotations

import pytest

from tests.moments import moment
from tests.public.chat.messaging import (TEXT, advance, inbound, interactive, patch_tenant, reply_buttons,
                                         send, stored, template, wallet)
from tests.support import ctx_of


# --- wallet ----------------------------------------------------------------------------------
@pytest.mark.parametrize("data, price", [
    (template("start_chat"), 0.88),
    (template("order_update", body={"1": "Asha", "2": "ORD-1042"}), 0.125),
    (template("auth_temp", body={"otp": "123456"}, buttons=[{"otp": "123456", "index": 0}]), 0.125),
    (TEXT, 0.05),
    (interactive("button", reply_buttons(2)), 0.05),
])
def test_wallet_is_debited_by_the_price(client, tenant, data, price):
    inbound(client, tenant)
    before = wallet(client, tenant)
    assert send(client, tenant, data)[0].status_code == 200
    assert wallet(client, tenant) == pytest.approx(before - price)
    assert stored(client, tenant, direction="outgoing")[0]["price"] == price


def test_insufficient_balance(client, tenant):
    inbound(client, tenant)
    expected = {"status": "error", "code": "CHAT_4001", "message": "Insufficient Balance", "error": {}}
    patch_tenant(client, tenant, wallet_balance=0)
    assert send(client, tenant, TEXT)[1] == expected
    patch_tenant(client, tenant, wallet_balance=0.87)
    assert send(client, tenant, template("start_chat"))[1] == expected
    assert wallet(client, tenant) == 0.87
    assert send(client, tenant, template("order_update", body={"1": "A", "2": "B"}))[0].status_code == 200
    patch_tenant(client, tenant, wallet_balance=0.05)
    assert send(client, tenant, TEXT)[0].status_code == 200  # exactly enough
    assert wallet(client, tenant) == 0
    assert send(client, tenant, TEXT)[1] == expected
    assert len(stored(client, tenant, direction="outgoing")) == 2


def test_refused_sends_do_not_debit(client, tenant):
    before = wallet(client, tenant)
    send(client, tenant, TEXT)  # window closed
    send(client, tenant, template("welcome_customer"))  # missing variable
    send(client, tenant, template("start_chat"), phone="disabled")
    assert wallet(client, tenant) == before
    assert stored(client, tenant) == [] and len(tenant.state["conversations"]) == 0


# --- what is stored --------------------------------------------------------------------------
def test_message_and_conversation_are_stored(client, tenant):
    contact = tenant.state["contacts"].values()[0]
    number = contact["phone_number"]
    r, body = send(client, tenant, template("welcome_customer", body={"customer_name": "Asha"}),
                   customer_number=number, myop_ref_id="ref-1", trail={"name": "onboarding"})
    message_id, conversation_id = body["data"]["message_id"], body["data"]["conversation_id"]
    [message] = stored(client, tenant, customer_number=number)
    assert message["id"] == message_id and message["conversation_id"] == conversation_id
    # Meta has taken it: its delivery lifecycle moves it on (tests/engine/test_message_triggers.py)
    assert message["direction"] == "outgoing" and message["status"] == "accepted" and message["source"] == "api"
    owner = next(u["id"] for u in tenant.state["users"] if u["role"] == "owner")
    assert message["message_by"] == owner and message["link_tracking"] is False and message["errors"] is None
    assert message["type"] == "template" and message["category"] == "marketing" and message["price"] == 0.88
    assert message["template_id"] == tenant.template("welcome_customer")["id"]
    assert message["payload"]["context"]["body"] == {"customer_name": "Asha"}
    assert message["myop_ref_id"] == "ref-1" and message["trail"] == {"name": "onboarding"}
    assert message["status_history"] == [{"status": "accepted", "timestamp": moment("2025-07-15T10:00:00.000000Z")}]
    conversation = tenant.state["conversations"].get(conversation_id)
    assert conversation["customer_name"] == contact["name"]
    assert conversation["customer_contact"] == number and conversation["customer_country_code"] == "91"
    assert conversation["phone_number_id"] == tenant.phone("primary")["phone_number_id"]
    # The conversation's first message assigns it to its sender (domain.whatsapp.business_wrote).
    assert conversation["status"] == "assigned" and conversation["assigned_to"] == owner
    assert conversation["last_incoming_at"] is None and conversation["expire_at"] is None
    assert conversation["last_message_at"] == message["created"]
    advance(client, 60)
    second = send(client, tenant, template("start_chat"), customer_number=number)[1]["data"]
    assert second["conversation_id"] == conversation_id and second["message_id"] != message_id
    assert tenant.state["conversations"].get(conversation_id)["last_message_at"] == moment("2025-07-15T10:01:00.000000Z")
    assert len(tenant.state["conversations"]) == 1


def test_a_reply_takes_over_the_conversation_the_customer_started(client, tenant):
    opened = inbound(client, tenant, number="9000000011")
    assert tenant.state["conversations"].get(opened["conversation_id"])["status"] == "unassigned"
    advance(client, 30)
    data = send(client, tenant, TEXT, customer_number="9000000011")[1]["data"]
    assert data["conversation_id"] == opened["conversation_id"]
    owner = next(u["id"] for u in tenant.state["users"] if u["role"] == "owner")
    conversation = tenant.state["conversations"].get(opened["conversation_id"])
    assert (conversation["status"], conversation["assigned_to"]) == ("assigned", owner)
    # and the reply's own webhooks say so, as every documented reply payload does
    advance(client, 5)
    sent = [e for e in ctx_of(client.app).webhooks.events(tenant.company_id) if e["event_type"] == "message.sent"]
    assert sent[-1]["bodies"]["envelope"]["payload"]["conversation"]["status"] == "assigned"


def test_messages_listing_filters(client, tenant):
    inbound(client, tenant, number="9000000001")
    inbound(client, tenant, number="9000000002")
    send(client, tenant, TEXT, customer_number="9000000002")
    assert len(stored(client, tenant)) == 3
    assert [m["direction"] for m in stored(client, tenant, customer_number="9000000002")] == ["incoming", "outgoing"]
    assert stored(client, tenant, phone_number_id="nope") == []

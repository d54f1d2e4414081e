"""POST /chat/messages: the 24-hour customer-service window, the recipient, inbound messages (which open
the window), replies to them, and tenants' isolation."""

from __future__ import annotations

import pytest

from tests.public.chat.messaging import (CTA, DAY, TEXT, advance, inbound, interactive, patch_phone, send,
                                         stored, template)
from tests.moments import moment


# --- the 24-hour window and the recipient ----------------------------------------------------
RE_ENGAGEMENT = {"status": "error", "code": "CHAT_3001", "message": "Message Sending Failed", "error": {
    "WABA_131047": "Re-engagement message: more than 24 hours have passed since the customer last replied"}}


def test_window_closed_then_opened_then_closed_again(client, tenant):
    for data in (TEXT, interactive("cta_url", CTA), {"type": "image", "context": {"link": "https://example.com/a.jpg"}}):
        assert send(client, tenant, data)[1] == RE_ENGAGEMENT
    assert send(client, tenant, template("start_chat"))[0].status_code == 200  # templates need no window
    opened = inbound(client, tenant)
    assert opened["window_expires_at"] == moment("2025-07-16T10:00:00.000000Z")
    assert send(client, tenant, TEXT)[0].status_code == 200
    advance(client, DAY - 1)
    assert send(client, tenant, TEXT)[0].status_code == 200
    advance(client, 1)
    assert send(client, tenant, TEXT)[1] == RE_ENGAGEMENT
    assert send(client, tenant, template("start_chat"))[0].status_code == 200
    inbound(client, tenant, text="Back again")
    assert send(client, tenant, TEXT)[0].status_code == 200


def test_window_is_per_customer_and_per_number(client, tenant):
    inbound(client, tenant, number="9000000001")
    assert send(client, tenant, TEXT, customer_number="9000000001")[0].status_code == 200
    assert send(client, tenant, TEXT, customer_number="9000000002")[1] == RE_ENGAGEMENT
    patch_phone(client, tenant, "onboarding_pending", phone_number_status="connected", onboarding_status="success")
    assert send(client, tenant, TEXT, phone="onboarding_pending", customer_number="9000000001")[1] == RE_ENGAGEMENT


@pytest.mark.parametrize("cc, number", [("91", "12345"), ("9999", "123456789012"), ("91", "9876543XXX"), ("abc", "9876543210")])
def test_undeliverable_recipients(client, tenant, cc, number):
    for data in (template("start_chat"), TEXT):
        r, body = send(client, tenant, data, customer_country_code=cc, customer_number=number)
        assert r.status_code == 400
        assert body == {"status": "error", "code": "CHAT_3001", "message": "Message Sending Failed",
                        "error": {"WABA_131026": "Message undeliverable"}}


def test_a_plus_sign_before_the_country_code_is_accepted(client, tenant):
    r, body = send(client, tenant, template("start_chat"), customer_country_code="+91")
    assert r.status_code == 200
    assert stored(client, tenant)[0]["customer_country_code"] == "91"


# --- inbound messages and replies ------------------------------------------------------------
def test_inbound_opens_and_revives_the_conversation(client, tenant):
    first = inbound(client, tenant, text="Hi")
    conversation = tenant.state["conversations"].get(first["conversation_id"])
    assert conversation["unread_count"] == 1 and conversation["customer_name"] is None
    assert conversation["last_incoming_at"] == moment("2025-07-15T10:00:00.000000Z")
    advance(client, 2 * DAY)
    tenant.state["conversations"].put(dict(conversation, status="closed"))
    second = inbound(client, tenant, text="Again")
    assert second["conversation_id"] == first["conversation_id"]
    assert second["window_expires_at"] == moment("2025-07-18T10:00:00.000000Z")
    conversation = tenant.state["conversations"].get(first["conversation_id"])
    assert conversation["unread_count"] == 2 and conversation["status"] == "unassigned"
    incoming = stored(client, tenant, direction="incoming")
    assert [m["payload"]["context"]["body"] for m in incoming] == ["Hi", "Again"]
    assert {m["status"] for m in incoming} == {"received"}


def test_inbound_control_route_errors(client, tenant):
    base = {"phone_number_id": tenant.phone("primary")["phone_number_id"], "customer_country_code": "91",
            "customer_number": "9876543210", "text": "Hi"}
    r = client.post("/_mock/tenants/nope/inbound", json=base)
    assert r.status_code == 404
    r = client.post(f"/_mock/tenants/{tenant.company_id}/inbound", json=dict(base, phone_number_id="123"))
    assert r.status_code == 404 and r.json()["message"] == "No such phone_number_id for this company."
    r = client.post(f"/_mock/tenants/{tenant.company_id}/inbound", json=dict(base, text=""))
    assert r.status_code == 400 and "text" in r.json()["errors"]
    r = client.post(f"/_mock/tenants/{tenant.company_id}/inbound", json=dict(base, customer_country_code="9999",
                                                                           customer_number="123456789012"))
    assert r.status_code == 400 and "customer_number" in r.json()["errors"]
    assert client.get("/_mock/tenants/nope/messages").status_code == 404


def test_reply_to_must_be_a_message_of_the_same_conversation(client, tenant):
    received = inbound(client, tenant)
    other = inbound(client, tenant, number="9000000009")
    r, body = send(client, tenant, TEXT, reply_to="d0f4b85e-45a9-4e13-9d9a-6273b8c113bf")
    assert r.status_code == 400 and body["error"] == {"reply_to": ["Message not found"]}
    r, body = send(client, tenant, TEXT, reply_to=other["message_id"])
    assert r.status_code == 400 and body["error"] == {"reply_to": ["Message not found"]}
    r, body = send(client, tenant, TEXT, reply_to=received["message_id"])
    assert r.status_code == 200
    assert stored(client, tenant, direction="outgoing")[0]["reply_to"] == received["message_id"]
    assert send(client, tenant, TEXT, reply_to="")[0].status_code == 200  # "" means no reply (documented)


# --- isolation -------------------------------------------------------------------------------
def test_tenants_do_not_share_conversations_or_windows(client, tenant, other_tenant):
    inbound(client, tenant)
    assert send(client, other_tenant, TEXT)[1] == RE_ENGAGEMENT
    assert stored(client, other_tenant) == []
    assert len(stored(client, tenant)) == 1

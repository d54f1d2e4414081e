"""POST /chat/messages, the lifecycle webhooks it starts and a customer's reply cost the same at any
number of stored conversations, messages, contacts, templates and media: they read through the
store's indexes, never every document (tests/store/visits.py counts what they visit)."""

from __future__ import annotations

import pytest

from tests.public.chat.messaging import DAY, TEXT, advance, inbound, send, template
from tests.store.visits import count_visits

MORE = 5000


def grow(state, n=MORE) -> None:
    """``n`` more of every kind a send could scan, written straight to the store (its indexes kept in step)."""
    conversation = state["conversations"].values()[0]
    message = state["messages"].values()[0]
    contact, media, stored_template = (state[kind].values()[0] for kind in ("contacts", "media", "templates"))
    for i in range(n):
        number = f"8{i:09d}"
        state["conversations"].put(dict(conversation, id=f"bulk-conversation-{i}", customer_contact=number))
        state["messages"].put(dict(message, id=f"bulk-message-{i}", conversation_id=f"bulk-conversation-{i}",
                                   customer_number=number))
        state["contacts"].put(dict(contact, id=f"bulk-contact-{i}", phone_number=number))
        state["media"].put(dict(media, id=f"bulk-media-{i}"))
        state["templates"].put(dict(stored_template, id=f"bulk-template-{i}", name=f"bulk_{i}"))


def visits(counts, act) -> dict:
    counts.clear()
    act()
    return {kind: n for kind, n in counts.items() if n}


@pytest.fixture
def counted(client, tenant):
    """The tenant after a first send (every kind the path uses exists, its indexes are built), counted."""
    inbound(client, tenant)
    for data in (TEXT, template("start_chat")):
        assert send(client, tenant, data)[0].status_code == 200
    advance(client, 3600)  # their lifecycles played out
    return count_visits(tenant.state)


def sends(client, tenant, data, **fields):
    def act():
        assert send(client, tenant, data, **fields)[0].status_code == 200
    return act


@pytest.mark.parametrize("data", [TEXT, template("welcome_customer", body={"customer_name": "Asha"})])
def test_a_send_visits_as_many_documents_at_any_size(client, tenant, counted, data):
    fresh = visits(counted, sends(client, tenant, data))
    grow(tenant.state)
    assert visits(counted, sends(client, tenant, data)) == fresh


def test_a_send_to_a_new_customer_visits_as_many_documents_at_any_size(client, tenant, counted):
    fresh = visits(counted, sends(client, tenant, template("start_chat"), customer_number="7000000001"))
    grow(tenant.state)
    assert visits(counted, sends(client, tenant, template("start_chat"),
                                               customer_number="7000000002")) == fresh


def test_the_lifecycle_webhooks_visit_as_many_documents_at_any_size(client, tenant, counted):
    def a_lifecycle():
        events = len(tenant.state["webhook_events"])
        assert send(client, tenant, TEXT)[0].status_code == 200
        advance(client, 3600)
        assert len(tenant.state["webhook_events"]) >= events + 3  # sent, delivered, read: each published
    fresh = visits(counted, a_lifecycle)
    assert "media" not in fresh and "templates" not in fresh
    grow(tenant.state)
    assert visits(counted, a_lifecycle) == fresh


def test_a_customers_message_visits_as_many_documents_at_any_size(client, tenant, counted):
    fresh = visits(counted, lambda: inbound(client, tenant, text="again"))
    grow(tenant.state)
    assert visits(counted, lambda: inbound(client, tenant, text="and again")) == fresh


def test_the_index_finds_the_conversation_the_scan_found_the_first_stored(client, tenant, counted):
    """Two conversations with one customer on one number (as a restored or hand-made state may hold): a send
    goes on the first stored, closed or not, even once the other was written since."""
    first = tenant.state["conversations"].values()[0]
    number = first["customer_contact"]
    tenant.state["conversations"].put(dict(first, id="0f0e0d0c-0000-4000-8000-000000000002", created=first["modified"]))
    tenant.state["conversations"].put(dict(first, status="closed", assigned_to=None))  # written after the second
    _, body = send(client, tenant, template("start_chat"), customer_number=number)
    assert body["data"]["conversation_id"] == first["id"]

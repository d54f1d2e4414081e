"""GET /_mock/tenants/{company_id}/messages?customer_number= (or phone_number_id=) reads one customer's messages
through a lookup index, at any number of stored messages (tests/store/visits.py counts what it visits)."""

from __future__ import annotations

import pytest

from tests.public.chat.messaging import CUSTOMER, inbound, send, template
from tests.public.chat.test_messages_at_scale import grow
from tests.store.visits import count_visits


def listed(client, tenant, query: str) -> list[dict]:
    r = client.get(f"/_mock/tenants/{tenant.company_id}/messages?{query}")
    assert r.status_code == 200, r.text
    return r.json()["messages"]


@pytest.mark.parametrize("query", ["customer_number={customer}", "customer_number={customer}&direction=incoming"])
def test_a_customers_messages_are_read_through_an_index(client, tenant, query):
    inbound(client, tenant)
    assert send(client, tenant, template("start_chat"))[0].status_code == 200
    query = query.format(customer=CUSTOMER["customer_number"])
    before = listed(client, tenant, query)  # the index built
    counts = count_visits(tenant.state)
    counts.clear()
    assert listed(client, tenant, query) == before
    fresh = counts["messages"]
    grow(tenant.state)  # 5,000 more messages, of other customers
    counts.clear()
    assert listed(client, tenant, query) == before
    assert counts["messages"] == fresh <= 2
    assert {m["customer_number"] for m in before} == {CUSTOMER["customer_number"]} and before

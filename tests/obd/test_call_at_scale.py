"""POST /obd-api-v1 and the call it plays cost the same at any number of stored contacts, calls and accepted
requests: the duplicate-reference check, the caller's name and the call log read through indexes, never
every document (tests/store/visits.py counts what they visit)."""

from __future__ import annotations

import itertools

import pytest

from tests.obd.support import Obd
from tests.store.visits import count_visits
from tests.support import advance

MORE = 5000
_references = itertools.count()


def grow(state, n=MORE) -> None:
    """``n`` more contacts, finished calls and accepted requests, straight to the store."""
    contact, call = state["contacts"].values()[0], state["calls"].values()[0]
    request = state["obd_requests"].values()[0]
    for i in range(n):
        state["contacts"].put(dict(contact, id=f"bulk-contact-{i}", phone_number=f"8{i:09d}"))
        state["calls"].put(dict(call, id=f"bulk-call-{i}", uid=f"bulk-uid-{i}"))
        state["obd_requests"].put(dict(request, id=f"bulk-request-{i}", reference_id=f"bulk-{i}"))


@pytest.fixture
def obd(client, tenant):
    return Obd(client, tenant)


def a_call(obd, client, dialer: str):
    def act():
        response = obd.call(obd.body(dialer, reference_id=f"scale-{next(_references)}"))
        assert response.status_code == 200, response.text
        advance(client, 900)  # rung, answered, ended, logged
    return act


def visits(counts, act) -> dict:
    counts.clear()
    act()
    return {kind: n for kind, n in counts.items() if n}


@pytest.mark.parametrize("dialer", ["user", "ivr"])
def test_a_call_visits_as_many_documents_at_any_size(obd, client, tenant, dialer):
    a_call(obd, client, dialer)()  # every index the path uses is built
    counts = count_visits(tenant.state)
    fresh = visits(counts, a_call(obd, client, dialer))
    grow(tenant.state)
    assert visits(counts, a_call(obd, client, dialer)) == fresh


def test_the_caller_is_named_from_the_contacts_index(obd, client, tenant):
    contact = tenant.state["contacts"].values()[-1]
    number = f"+{contact['country_code']}{contact['phone_number']}"
    a_call(obd, client, "ivr")()
    assert obd.call(obd.body("ivr", number=number, reference_id="named")).status_code == 200
    advance(client, 900)
    session = tenant.state["calls"].last()
    assert session["customer"]["number"] == number and session["customer"]["name"] == contact["name"]

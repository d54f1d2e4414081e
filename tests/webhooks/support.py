"""Helpers of the webhook tests: a finished call's events rendered by the call model (so delivery is
tested with real payloads), and the control-plane calls the tests make."""

from __future__ import annotations

from contextlib import contextmanager

from starlette.testclient import TestClient

from mock_server.domain import call_events, call_log
from tests.conftest import make_app
from tests.support import advance, ctx_of


def finished_call(tenant_state, category: str = "incoming", status: str = "bridged") -> dict:
    return next(c for c in tenant_state["calls"]
                if c["category"] == category and c["status"] == status and c["type"] == "call" and c["dispositions"])


def call_events_of(ctx, tenant_state, session: dict) -> list[dict]:
    """A finished history call's webhooks as domain events, rendered by the call model."""
    bits = call_log.tenant_bits(tenant_state.company_id, list(tenant_state["users"]), list(tenant_state["departments"]))
    events, sequence = [], 0
    for step in call_events.timeline(session):
        sequence += 1
        kind = step["event_type"]
        legacy = (call_log.render(session, bits) if kind == "call.summary"
                  else call_log.render_disposition(session, bits) if kind == "disposition" else None)
        envelope = call_events.render(session, step, bits, event_id=ctx.webhooks.new_event_id(), sequence=sequence)
        events.append({"event_id": envelope["event_id"], "event_type": kind, "channel": "call",
                       "session_id": session["uid"], "at": step["at"],
                       "bodies": {"envelope": envelope, "legacy_call": legacy, "legacy_whatsapp": None}})
    return events


def subscribe(client, url: str, **fields) -> dict:
    response = client.post("/_mock/webhooks", json={"url": url, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def deliveries(client, **query) -> list[dict]:
    response = client.get("/_mock/deliveries", params=query)
    assert response.status_code == 200, response.text
    return response.json()["deliveries"]


def wait_delivered(client, count: int, **query) -> list[dict]:
    response = client.get("/_mock/deliveries", params={"status": "delivered", "wait": 10, "count": count, **query})
    assert response.json()["satisfied"], response.json()
    return response.json()["deliveries"]


@contextmanager
def subscribed_app(company_id: str, url: str, **settings):
    """An app of its own (other settings than the fixture's), subscribed to ``url``: (client, ctx, tenant)."""
    app = make_app(**settings)
    ctx = ctx_of(app)
    with TestClient(app) as client:
        subscribe(client, url)
        yield client, ctx, ctx.store.tenant(company_id)

"""Every shipped scenario, delivered: a real receiver subscribed to everything gets exactly the events the
run emitted, in order, once each, and every body it got is valid against its schema."""

from __future__ import annotations

import pytest

from mock_server.engine import loader
from mock_server.steps import VOCABULARY
from mock_server.webhooks.dispatcher import check
from tests.engine.support import advance, run
from tests.support import ctx_of

SHIPPED = sorted(loader.catalog((loader.builtin_dir(),), VOCABULARY))
SILENT = {"template-review-approved", "template-review-rejected"}  # the docs have no template webhook


@pytest.mark.parametrize("name", SHIPPED)
def test_a_receiver_gets_every_event_of_the_run_in_order(app, client, tenant, receiver, name):
    ctx = ctx_of(app)
    already = len(receiver.requests)
    assert client.post("/_mock/webhooks", json={"url": receiver.url}).status_code == 201
    started = run(client, tenant, name)
    advance(client, 86_400)  # every shipped scenario ends within a day; advancing waits for each delivery
    finished = client.get(f"/_mock/tenants/{tenant.company_id}/scenario-runs/{started['id']}").json()
    assert finished["status"] == "finished", finished.get("error")
    emitted = ctx.webhooks.events(tenant.company_id)
    assert bool(emitted) == (name not in SILENT), name
    got = receiver.requests[already:]
    assert [r.status for r in got] == [200] * len(emitted)
    assert [r.parsed for r in got] == [e["bodies"]["envelope"] for e in emitted]
    for event in emitted:
        check(event)  # every format's rendering, not only the envelope the receiver asked for

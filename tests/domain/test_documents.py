"""The stored documents have the fields ``mock_server.domain.documents`` declares, no more and no fewer:
every shipped scenario is played to its end with a subscription listening, then every session, leg,
message, conversation, run and delivery is compared with its shape."""

from __future__ import annotations

from pathlib import Path
from typing import get_type_hints

import pytest
from starlette.testclient import TestClient

from mock_server.domain import documents
from mock_server.store.names import CALLS, CONVERSATIONS, MESSAGES, SCENARIO_RUNS, WEBHOOK_DELIVERIES
from tests.conftest import make_app
from tests.support import advance, ctx_of

SCENARIOS = sorted(p.stem for p in (Path(__file__).parents[2] / "scenarios").glob("*.yaml"))


def _mismatch(doc: dict, shape: type) -> str | None:
    """Why ``doc``'s fields are not ``shape``'s, or None when they are."""
    required, optional = shape.__required_keys__, shape.__optional_keys__  # type: ignore[attr-defined]
    missing, extra = required - doc.keys(), doc.keys() - required - optional
    return f"missing {sorted(missing)}, not declared {sorted(extra)}" if missing or extra else None


@pytest.fixture(scope="module")
def played():
    """A tenant's state after every scenario has run to its end, each event delivered to a subscription."""
    app = make_app()
    with TestClient(app) as client:
        ctx = ctx_of(app)
        company_id = next(iter(ctx.store.tenants))
        assert client.post("/_mock/webhooks", json={"url": "http://127.0.0.1:9/hooks"}).status_code == 201
        for name in SCENARIOS:
            client.post(f"/_mock/scenarios/{name}/run", json={"company_id": company_id})
        for _ in range(12):
            advance(client, 3600)
        yield ctx.store.tenants[company_id]


def test_every_scenario_left_documents_of_each_shape(played):
    for kind in (CALLS, MESSAGES, CONVERSATIONS, SCENARIO_RUNS, WEBHOOK_DELIVERIES):
        assert len(played[kind]) > 0, kind
    assert any(leg for call in played[CALLS] for leg in call["legs"])


@pytest.mark.parametrize(("kind", "shape"), [(CALLS, documents.Session), (MESSAGES, documents.Message),
                                             (CONVERSATIONS, documents.Conversation), (SCENARIO_RUNS, documents.Run),
                                             (WEBHOOK_DELIVERIES, documents.Delivery)])
def test_stored_documents_have_the_declared_fields(played, kind, shape):
    wrong = {doc["id"]: why for doc in played[kind] if (why := _mismatch(doc, shape))}
    assert not wrong, wrong


def test_nested_parts_have_the_declared_fields(played):
    wrong = []
    for call in played[CALLS]:
        wrong += [why for why in [_mismatch(call["customer"], documents.Customer)] if why]
        wrong += [why for leg in call["legs"] if (why := _mismatch(leg, documents.Leg))]
    for run in played[SCENARIO_RUNS]:
        wrong += [why for step in run["steps"] if (why := _mismatch(step, documents.RunStep))]
    assert not wrong, wrong[:5]


def test_a_field_the_shape_does_not_declare_is_caught():
    call = dict.fromkeys(documents.Session.__required_keys__)
    assert _mismatch(call, documents.Session) is None
    assert "not declared ['surprise']" in _mismatch({**call, "surprise": 1}, documents.Session)
    assert "missing ['uid']" in _mismatch({k: v for k, v in call.items() if k != "uid"}, documents.Session)


def test_the_shapes_resolve():
    """Every annotation names a real type (a typo in one would only show here)."""
    for shape in (documents.Session, documents.Leg, documents.Message, documents.Conversation, documents.Run,
                  documents.RunStep, documents.Delivery):
        assert get_type_hints(shape)

"""Fixtures of the webhook tests: an app on a manual clock with --strict, a real receiver, and a
finished call's events rendered by the call model (so delivery is tested with real payloads)."""

from __future__ import annotations

import pytest

from mock_server.testing.receiver import WebhookReceiver
from tests.conftest import make_app
from tests.webhooks.support import call_events_of, finished_call


@pytest.fixture
def app():
    return make_app()


@pytest.fixture
def ctx(app):
    return app.state.ctx


@pytest.fixture
def receiver():
    with WebhookReceiver() as rx:
        yield rx


@pytest.fixture
def company(ctx):
    return ctx.store.tenant(next(iter(ctx.store.tenants)))


@pytest.fixture
def events(ctx, company):
    return call_events_of(ctx, company, finished_call(company))

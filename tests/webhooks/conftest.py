"""Fixtures of the webhook tests: an app on a manual clock with --strict, its context, and a
finished call's events rendered by the call model (so delivery is tested with real payloads); the real
receiver is the shipped plugin's, as ``receiver`` (tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.conftest import make_app
from tests.webhooks.support import call_events_of, finished_call
from tests.support import ctx_of


@pytest.fixture
def app():
    return make_app()


@pytest.fixture
def ctx(app):
    return ctx_of(app)


@pytest.fixture
def company(ctx):
    return ctx.store.tenant(next(iter(ctx.store.tenants)))


@pytest.fixture
def events(ctx, company):
    return call_events_of(ctx, company, finished_call(company))

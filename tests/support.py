"""Helpers every folder of the suite shares (each folder's own ``support.py`` holds what only it needs):
the documented examples under tests/data/, the control-plane clock, and an app's internals for the
tests that look behind the HTTP surface."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).parent / "data"


def data(name: str):
    """A documented-examples file of tests/data/ (copied verbatim from the Postman collection)."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def webhook_examples(channel: str) -> list[dict]:
    """The documented webhook bodies of ``channel`` ("call" or "whatsapp"): schema, title, body."""
    return data("webhook_examples.json")["examples"][channel]


def advance(client, seconds: float) -> dict:
    """Move the app's manual clock through the control plane, as a user's test does; the clock's answer."""
    response = client.post("/_mock/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text
    return response.json()


def ctx_of(app):
    """The app's context (store, clock, scheduler, webhooks): for tests of what lies behind the API."""
    return app.state.ctx

"""Every content type, every auth mode and every format, as a real HTTP receiver gets them."""

from __future__ import annotations

import base64
import json

import pytest

from mock_server.webhooks.encode import decode_form
from tests.webhooks.support import subscribe, wait_delivered

CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")


def stringified(value):
    """What a form carries (see encode.py): every scalar as text; null, [] and {} as an empty value."""
    if value in (None, [], {}):
        return ""
    if isinstance(value, dict):
        return {k: stringified(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stringified(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def only(events, kind):
    return next(e for e in events if e["event_type"] == kind)


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_the_envelope_in_each_content_type(client, ctx, company, events, receiver, content_type):
    subscribe(client, receiver.url, content_type=content_type)
    event = only(events, "call.end")
    ctx.webhooks.emit(company, event)
    wait_delivered(client, 1)
    [request] = receiver.requests
    assert request.headers["content-type"].startswith(content_type)
    if content_type == "application/json":
        assert json.loads(request.body) == event["bodies"]["envelope"]
    else:
        form = decode_form(request.body, request.headers["content-type"])
        assert form == stringified(event["bodies"]["envelope"])
        assert form["payload"]["legs"][0]["leg_index"] == "1"  # nested as a real form would


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_the_deprecated_call_log_in_each_content_type(client, ctx, company, events, receiver, content_type):
    subscribe(client, receiver.url, content_type=content_type, format="legacy_call")
    for event in events:
        ctx.webhooks.emit(company, event)
    wait_delivered(client, 2)
    after_call, disposition = (only(events, "call.summary"), only(events, "disposition"))
    bodies = []
    for request in receiver.requests:
        if content_type == "application/json":
            bodies.append(json.loads(request.body))
        else:  # documented: myoperator=<the call log as JSON>
            form = decode_form(request.body, request.headers["content-type"])
            assert list(form) == ["myoperator"]
            bodies.append(json.loads(form["myoperator"]))
    assert bodies == [after_call["bodies"]["legacy_call"], disposition["bodies"]["legacy_call"]]
    assert "_dsp" in bodies[1] and "_dsp" not in bodies[0]


@pytest.mark.parametrize("auth, header, value", [
    ({"type": "none"}, None, None),
    ({"type": "basic", "username": "admin", "password": "123456"}, "authorization",
     "Basic " + base64.b64encode(b"admin:123456").decode()),
    ({"type": "api_key", "key": "X-API-Key", "value": "your-api-key"}, "x-api-key", "your-api-key"),
])
def test_each_auth_mode_with_custom_headers(client, ctx, company, events, receiver, auth, header, value):
    custom = {"X-Webhook-Token": "your-secret-token", "Authorization": "Bearer custom", "X-API-Key": "custom"}
    subscribe(client, receiver.url, auth=auth, headers=custom)
    ctx.webhooks.emit(company, events[0])
    wait_delivered(client, 1)
    got = receiver.requests[0].headers
    assert got["x-webhook-token"] == "your-secret-token"  # custom headers always go out
    if header is None:
        assert got["authorization"] == "Bearer custom" and got["x-api-key"] == "custom"
    else:
        assert got[header] == value  # auth overrides the conflicting custom header
        other = {"authorization": "Bearer custom", "x-api-key": "custom"}
        other.pop(header)
        assert all(got[name] == kept for name, kept in other.items())


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_the_legacy_whatsapp_payloads_in_each_content_type(client, ctx, company, receiver, content_type):
    subscribe(client, receiver.url, content_type=content_type, format="legacy_whatsapp")
    run = client.post("/_mock/scenarios/whatsapp-read/run", json={"company_id": company.company_id, "params": {}})
    assert run.status_code == 201, run.text
    assert client.post("/_mock/clock/advance", json={"seconds": 120}).status_code == 200
    sent = [e["bodies"]["legacy_whatsapp"] for e in ctx.webhooks.events(company.company_id)]
    assert [b["event"] for b in sent] == ["sent", "delivered", "read"]
    if content_type == "application/json":
        assert [json.loads(r.body) for r in receiver.requests] == sent
    else:
        assert [decode_form(r.body, r.headers["content-type"]) for r in receiver.requests] == \
            [stringified(b) for b in sent]

"""Webhook subscriptions: validation of what the control plane, --webhook-url and the config file
may say, event matching, and how auth and custom headers combine (items 32 and 37)."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from hypothesis import given, settings, strategies as st

from mock_server import schemas
from mock_server.errors import ApiError
from mock_server.webhooks import subscriptions
from mock_server.webhooks.subscriptions import EVENT_PATTERNS, EVENT_TYPES, from_url, load_config, matches, parse, \
    request_headers

FULL = {"url": "https://crm.example.com/hooks/myoperator?source=mock", "events": ["call.*", "disposition"],
        "format": "legacy_call", "content_type": "multipart/form-data",
        "headers": {"X-Webhook-Token": "your-secret-token"},
        "auth": {"type": "basic", "username": "admin", "password": "123456"},
        "active": False, "description": "CRM"}


def errors_of(body) -> dict[str, list[str]]:
    with pytest.raises(ApiError) as raised:
        parse(body, subscription_id="s1")
    assert raised.value.status == 400 and raised.value.body["code"] == "invalid"
    return raised.value.body["errors"]


def test_a_url_alone_gets_every_default():
    assert parse({"url": "http://127.0.0.1:8080/webhook"}, subscription_id="s1") == {
        "id": "s1", "url": "http://127.0.0.1:8080/webhook", "events": ["*"], "format": "envelope",
        "content_type": "application/json", "headers": {}, "auth": {"type": "none"}, "active": True,
        "description": ""}


def test_every_field_is_kept_and_nothing_is_shared_with_the_request():
    subscription = parse(FULL, subscription_id="s2")
    assert subscription == {"id": "s2", **FULL}
    subscription["headers"]["X-Other"] = "1"
    subscription["auth"]["password"] = "changed"
    assert FULL["headers"] == {"X-Webhook-Token": "your-secret-token"} and FULL["auth"]["password"] == "123456"
    assert parse({"url": "http://a.example"}, subscription_id="s3")["headers"] == {}


def test_repeated_event_patterns_are_kept_once_in_order():
    assert parse({"url": "http://a.example", "events": ["message.*", "call.end", "message.*"]},
                 subscription_id="s1")["events"] == ["message.*", "call.end"]


@pytest.mark.parametrize("auth", [{"type": "none"}, {"type": "api_key", "key": "X-API-Key", "value": "your-api-key"},
                                  {"type": "basic", "username": "admin", "password": ""}])
def test_every_auth_type_is_accepted(auth):
    assert parse({"url": "http://a.example", "auth": auth}, subscription_id="s1")["auth"] == auth


def test_the_schema_lists_exactly_the_known_event_types_and_patterns():
    listed = schemas.schema(subscriptions.SCHEMA)["properties"]["events"]["items"]["enum"]
    assert sorted(listed) == sorted(EVENT_TYPES + EVENT_PATTERNS)
    assert EVENT_PATTERNS == ("*", "call.*", "conversation.*", "message.*")


@pytest.mark.parametrize("body, field", [
    ({}, "url"),
    ({"url": ""}, "url"),
    ({"url": "ftp://files.example.com/in"}, "url"),
    ({"url": "mailto:ops@example.com"}, "url"),
    ({"url": "example.com/hook"}, "url"),
    ({"url": "http:///no-host"}, "url"),
    ({"url": "http://user:secret@example.com/"}, "url"),
    ({"url": "http://user@example.com/"}, "url"),
    ({"url": "http://example.com/hook#part"}, "url"),
    ({"url": "http://example.com/hook#"}, "url"),
    ({"url": "http://example.com:99999/"}, "url"),
    ({"url": "http://[::1/"}, "url"),
    ({"url": "http://xn--/"}, "url"),
    ({"url": "http://example.com/a b"}, "url"),
    ({"url": "http://example.com/\x00"}, "url"),
    ({"url": "http://example.com/" + "a" * 2048}, "url"),
    ({"url": 5}, "url"),
    ({"url": "http://a.example", "events": []}, "events"),
    ({"url": "http://a.example", "events": "call.*"}, "events"),
    ({"url": "http://a.example", "events": ["call.unknown"]}, "events.0"),
    ({"url": "http://a.example", "events": ["whatsapp.*"]}, "events.0"),
    ({"url": "http://a.example", "events": ["call.end", "Call.End"]}, "events.1"),
    ({"url": "http://a.example", "events": ["*"] * 65}, "events"),
    ({"url": "http://a.example", "format": "xml"}, "format"),
    ({"url": "http://a.example", "content_type": "text/plain"}, "content_type"),
    ({"url": "http://a.example", "content_type": "application/json; charset=utf-8"}, "content_type"),
    ({"url": "http://a.example", "headers": []}, "headers"),
    ({"url": "http://a.example", "headers": {"X-Token": 5}}, "headers.X-Token"),
    ({"url": "http://a.example", "headers": {"Bad Name": "v"}}, "headers"),
    ({"url": "http://a.example", "headers": {"X-Token:": "v"}}, "headers"),
    ({"url": "http://a.example", "headers": {"": "v"}}, "headers"),
    ({"url": "http://a.example", "headers": {"X" * 129: "v"}}, "headers"),
    ({"url": "http://a.example", "headers": {"X-Token": "a\r\nX-Injected: 1"}}, "headers.X-Token"),
    ({"url": "http://a.example", "headers": {"X-Token": "a\nb"}}, "headers.X-Token"),
    ({"url": "http://a.example", "headers": {"X-Token": "a\x00b"}}, "headers.X-Token"),
    ({"url": "http://a.example", "headers": {"X-Token": " padded "}}, "headers.X-Token"),
    ({"url": "http://a.example", "headers": {"X-Token": "naïve"}}, "headers.X-Token"),
    ({"url": "http://a.example", "headers": {"X-Token": "v" * 4097}}, "headers.X-Token"),
    ({"url": "http://a.example", "headers": {f"X-{i}": "v" for i in range(51)}}, "headers"),
    ({"url": "http://a.example", "headers": {"X-Token": "a", "x-token": "b"}}, "headers"),
    ({"url": "http://a.example", "headers": {"content-type": "text/xml"}}, "headers"),
    ({"url": "http://a.example", "headers": {"Host": "evil.example"}}, "headers"),
    ({"url": "http://a.example", "auth": "basic"}, "auth"),
    ({"url": "http://a.example", "auth": {}}, "auth.type"),
    ({"url": "http://a.example", "auth": {"type": "oauth2"}}, "auth.type"),
    ({"url": "http://a.example", "auth": {"type": "basic", "username": "admin"}}, "auth.password"),
    ({"url": "http://a.example", "auth": {"type": "basic", "username": "", "password": "p"}}, "auth.username"),
    ({"url": "http://a.example", "auth": {"type": "basic", "username": "a:b", "password": "p"}}, "auth.username"),
    ({"url": "http://a.example", "auth": {"type": "basic", "username": "a", "password": 1}}, "auth.password"),
    ({"url": "http://a.example", "auth": {"type": "none", "username": "a"}}, "auth"),
    ({"url": "http://a.example", "auth": {"type": "api_key", "key": "X-API-Key"}}, "auth.value"),
    ({"url": "http://a.example", "auth": {"type": "api_key", "key": "X API", "value": "v"}}, "auth.key"),
    ({"url": "http://a.example", "auth": {"type": "api_key", "key": "X-API-Key", "value": ""}}, "auth.value"),
    ({"url": "http://a.example", "auth": {"type": "api_key", "key": "X-API-Key", "value": "a\rb"}}, "auth.value"),
    ({"url": "http://a.example", "auth": {"type": "api_key", "key": "Content-Length", "value": "1"}}, "auth.key"),
    ({"url": "http://a.example", "active": "yes"}, "active"),
    ({"url": "http://a.example", "description": "d" * 501}, "description"),
    ({"url": "http://a.example", "id": "mine"}, "non_field_errors"),
    ({"url": "http://a.example\ud800"}, "url"),
    ({"url": "http://a.example", "headers": {"X-\udfff": "v"}}, "headers"),
    ({"url": "http://a.example", "headers": {1: "v"}}, "headers"),
    ({"url": "http://a.example", "description": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {}}}}}}}}}},
     "description.a.b.c.d.e.f.g"),
    ({"url": "http://a.example", "description": b"bytes"}, "description"),
])
def test_invalid_requests_name_the_field(body, field):
    assert field in errors_of(body)


@pytest.mark.parametrize("body", [None, [], "http://a.example", 5, True, [{"url": "http://a.example"}]])
def test_a_body_that_is_not_an_object_is_refused(body):
    assert errors_of(body) == {"non_field_errors": ["Invalid data. Expected a JSON object."]}


hostile_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=30) | st.sampled_from(
    ["\ud800", "x\udfffy", "a\r\nb", "\x00", "é" * 5000, "http://a.example/" + "x" * 3000, "*", "call.*"])
hostile = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=2**64) | st.floats() | hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text | st.integers(), inner, max_size=4),
    max_leaves=12)
fields = st.sampled_from(["url", "events", "format", "content_type", "headers", "auth", "active", "description", "id"])


@settings(max_examples=300, deadline=None)
@given(body=hostile | st.dictionaries(fields | hostile_text, hostile, max_size=5),
       replacement=st.dictionaries(fields, hostile, max_size=3))
def test_hostile_input_gives_a_400_never_another_exception(body, replacement):
    for candidate in (body, {**FULL, **replacement}, {**FULL, "auth": {"type": "basic", **replacement}}):
        try:
            parse(candidate, subscription_id="s1")
        except ApiError as error:
            assert error.status == 400 and error.body["errors"]
            json.dumps(error.body)  # the error itself can be sent


@settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(["http://", "HTTPS://", "http://[", "http://a.example:", "http://xn--", "http://u@",
                               "http://127.0.0.1/", "https://a.example/p?"]),
       rest=st.text(st.characters(codec=None, exclude_categories=("Cs",)), max_size=25))
def test_every_accepted_url_can_be_requested(prefix, rest):
    try:
        subscription = parse({"url": prefix + rest}, subscription_id="s1")
    except ApiError:
        return
    url = httpx.Request("POST", subscription["url"]).url
    assert url.scheme in ("http", "https") and url.host and not url.userinfo and not url.fragment


EVENT = {"event_id": "event-1", "event_type": "call.summary", "channel": "call", "session_id": "s",
         "at": "2024-01-01T00:00:00Z",
         "bodies": {"envelope": {"x": 1}, "legacy_call": {"_ai": "1"}, "legacy_whatsapp": None}}


@pytest.mark.parametrize("events, event_type, expected", [
    (["*"], "call.summary", True),
    (["*"], "conversation.close", True),
    (["call.*"], "call.summary", True),
    (["call.*"], "disposition", False),
    (["message.*"], "call.summary", False),
    (["call.summary"], "call.summary", True),
    (["call.end"], "call.summary", False),
    (["call.end", "disposition"], "disposition", True),
])
def test_an_event_matches_by_type_or_prefix(events, event_type, expected):
    subscription = parse({"url": "http://a.example", "events": events}, subscription_id="s1")
    assert matches(subscription, {**EVENT, "event_type": event_type}) is expected


def test_an_inactive_subscription_matches_nothing():
    subscription = parse({"url": "http://a.example", "active": False}, subscription_id="s1")
    assert matches(subscription, EVENT) is False


@pytest.mark.parametrize("fmt, expected", [("envelope", True), ("legacy_call", True), ("legacy_whatsapp", False)])
def test_an_event_without_a_body_in_the_format_is_not_sent_in_it(fmt, expected):
    subscription = parse({"url": "http://a.example", "format": fmt}, subscription_id="s1")
    assert matches(subscription, EVENT) is expected


def headers_for(headers, auth):
    return request_headers(parse({"url": "http://a.example", "headers": headers, "auth": auth}, subscription_id="s1"))


def test_custom_headers_are_sent_as_configured_without_auth():
    assert headers_for({"X-Webhook-Token": "your-secret-token", "X-Source": "mock"}, {"type": "none"}) == {
        "X-Webhook-Token": "your-secret-token", "X-Source": "mock"}


def test_basic_auth_adds_the_authorization_header():
    assert headers_for({"X-Webhook-Token": "t"}, {"type": "basic", "username": "admin", "password": "123456"}) == {
        "X-Webhook-Token": "t", "Authorization": "Basic YWRtaW46MTIzNDU2"}


def test_basic_auth_credentials_are_utf8():
    value = headers_for({}, {"type": "basic", "username": "ådmin", "password": "pä:ss"})["Authorization"]
    assert base64.b64decode(value.removeprefix("Basic ")).decode("utf-8") == "ådmin:pä:ss"


def test_auth_overrides_a_conflicting_custom_header_whatever_its_case():
    basic = {"type": "basic", "username": "admin", "password": "123456"}
    assert headers_for({"authorization": "Bearer old", "X-Keep": "1"}, basic) == {
        "X-Keep": "1", "Authorization": "Basic YWRtaW46MTIzNDU2"}
    api_key = {"type": "api_key", "key": "X-API-Key", "value": "your-api-key"}
    assert headers_for({"x-api-key": "stale", "Authorization": "Bearer kept"}, api_key) == {
        "Authorization": "Bearer kept", "X-API-Key": "your-api-key"}


def test_content_type_is_never_among_the_request_headers():
    assert all(name.lower() != "content-type" for name in headers_for({"X-A": "1"}, {"type": "none"}))


def test_webhook_url_subscribes_everything_as_json_envelopes():
    assert from_url("http://localhost:9000/hook", subscription_id="cli") == {
        "id": "cli", "url": "http://localhost:9000/hook", "events": ["*"], "format": "envelope",
        "content_type": "application/json", "headers": {}, "auth": {"type": "none"}, "active": True,
        "description": ""}


def test_a_bad_webhook_url_is_a_readable_value_error():
    message = "^webhook URL 'ftp://x': url: Only http and https URLs can receive webhooks.$"
    with pytest.raises(ValueError, match=message):
        from_url("ftp://x", subscription_id="cli")


def test_a_json_config_file_gives_numbered_subscriptions(tmp_path):
    path = tmp_path / "webhooks.json"
    path.write_text(json.dumps({"subscriptions": [{"url": "http://a.example/1"}, FULL]}), encoding="utf-8")
    assert load_config(path) == [parse({"url": "http://a.example/1"}, subscription_id="config-1"),
                                 {"id": "config-2", **FULL}]


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".YAML"])
def test_a_yaml_config_file_gives_numbered_subscriptions(tmp_path, suffix):
    path = tmp_path / f"webhooks{suffix}"
    path.write_text("subscriptions:\n"
                    "  - url: http://a.example/crm\n"
                    "    events: [call.summary, disposition]\n"
                    "    format: legacy_call\n"
                    "    content_type: application/x-www-form-urlencoded\n"
                    "    auth: {type: api_key, key: X-API-Key, value: your-api-key}\n"
                    "  - url: http://a.example/all\n", encoding="utf-8")
    first, second = load_config(path)
    assert (first["id"], first["events"], first["auth"]["key"]) == ("config-1", ["call.summary", "disposition"],
                                                                     "X-API-Key")
    assert second == parse({"url": "http://a.example/all"}, subscription_id="config-2")


@pytest.mark.parametrize("name, text, message", [
    ("w.json", "{not json", "w.json: not valid JSON: "),
    ("w.json", "[" * 100000, "w.json: not valid JSON: "),
    ("w.yaml", "subscriptions: [\n", "w.yaml: not valid YAML: "),
    ("w.json", "[]", 'w.json: expected an object with a "subscriptions" list'),
    ("w.yaml", "", 'w.yaml: expected an object with a "subscriptions" list'),
    ("w.json", '{"subscriptions": {"url": "http://a.example"}}', 'expected an object with a "subscriptions" list'),
    ("w.json", '{"subscriptions": [], "webhooks": []}', "w.json: unknown top-level key\\(s\\): webhooks"),
    ("w.json", '{"subscriptions": [{"url": "http://a.example"}, {"url": "http://a.example", "format": "xml"}]}',
     'w.json: subscription 2 \\(id config-2\\): format: "xml" is not a valid choice'),
    ("w.yaml", "subscriptions:\n  - url: http://a.example\n    description: 2024-01-01\n",
     "w.yaml: subscription 1 \\(id config-1\\): description: Must be a JSON value, not date."),
    ("w.json", '{"subscriptions": [{"url": "http://a.example", "description": "\\ud800"}]}',
     "subscription 1 \\(id config-1\\): description: Contains a lone surrogate"),
])
def test_a_bad_config_file_names_the_file_entry_and_field(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_config(path)


def test_a_config_file_that_cannot_be_read_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="missing.json: cannot read the webhook config"):
        load_config(tmp_path / "missing.json")
    (tmp_path / "latin1.json").write_bytes(b'{"subscriptions": [{"url": "http://a.example/\xe9"}]}')
    with pytest.raises(ValueError, match="latin1.json: not valid JSON"):
        load_config(tmp_path / "latin1.json")

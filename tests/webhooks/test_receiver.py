"""The test webhook receiver, driven by real HTTP requests: what it records, and each way it can
be told to answer (status, failures, outages, slowness)."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from mock_server.testing.receiver import WebhookReceiver
from mock_server.webhooks.encode import FORM, JSON, MULTIPART, encode
from mock_server.webhooks.subscriptions import RESERVED_HEADERS, parse, request_headers

ENVELOPE = {"event_id": "event-1", "event_type": "call.answered", "payload": {"legs": [{"leg_index": 1}]}}


@pytest.fixture
def rx():
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def client():
    with httpx.Client(timeout=5.0) as http:
        yield http


def post(client, rx, body, content_type=JSON, event_id="event-1", **headers):
    content, header = encode({**body, "event_id": event_id}, content_type, "envelope")
    return client.post(rx.url, content=content, headers={"Content-Type": header, **headers})


def test_it_listens_on_loopback_and_records_every_request(rx, client):
    assert rx.url == f"http://127.0.0.1:{rx.port}/webhook" and rx.port > 0
    response = post(client, rx, ENVELOPE, **{"X-Webhook-Token": "secret"})
    assert (response.status_code, response.text) == (200, "200 OK")
    (request,) = rx.requests
    assert (request.index, request.method, request.path, request.status) == (0, "POST", "/webhook", 200)
    assert request.headers["x-webhook-token"] == "secret" and request.headers["content-type"] == "application/json"
    assert request.body == encode(ENVELOPE, JSON, "envelope")[0]
    assert request.parsed == ENVELOPE and request.event_id == "event-1"
    assert rx.bodies() == [ENVELOPE] and rx.event_ids() == ["event-1"]


@pytest.mark.parametrize("content_type", [FORM, MULTIPART])
def test_form_bodies_are_decoded(rx, client, content_type):
    post(client, rx, ENVELOPE, content_type)
    assert rx.bodies() == [{"event_id": "event-1", "event_type": "call.answered",
                            "payload": {"legs": [{"leg_index": "1"}]}}]
    assert rx.event_ids() == ["event-1"]


def test_requests_keep_their_arrival_order_and_any_path_and_method(rx, client):
    client.post(rx.url + "/a?x=1", content=b"not json", headers={"Content-Type": "application/json"})
    client.put(f"http://127.0.0.1:{rx.port}/b", content=b"plain", headers={"Content-Type": "text/plain"})
    client.get(f"http://127.0.0.1:{rx.port}/c")
    assert [(r.index, r.method, r.path, r.parsed) for r in rx.requests] == [
        (0, "POST", "/webhook/a?x=1", None), (1, "PUT", "/b", None), (2, "GET", "/c", None)]
    assert rx.event_ids() == []


def test_respond_sets_the_status(rx, client):
    rx.respond(status=204)
    response = post(client, rx, ENVELOPE)
    assert (response.status_code, response.content) == (204, b"")
    assert rx.event_ids() == ["event-1"]


def test_fail_answers_the_next_requests_with_an_error_then_recovers_by_itself(rx, client):
    rx.fail(status=503, times=2)
    statuses = [post(client, rx, ENVELOPE, event_id=f"event-{n}").status_code for n in range(4)]
    assert statuses == [503, 503, 200, 200]
    assert [r.status for r in rx.requests] == [503, 503, 200, 200]
    assert [r.event_id for r in rx.requests] == ["event-0", "event-1", "event-2", "event-3"]
    assert rx.event_ids() == ["event-2", "event-3"]  # only what was accepted


def test_fail_without_times_lasts_until_recover(rx, client):
    rx.fail()
    assert [post(client, rx, ENVELOPE).status_code for _ in range(3)] == [500, 500, 500]
    rx.recover()
    assert post(client, rx, ENVELOPE).status_code == 200
    assert [r.status for r in rx.requests] == [500, 500, 500, 200] and rx.event_ids() == ["event-1"]


def test_down_refuses_connections_and_up_listens_on_the_same_url(rx, client):
    url = rx.url
    rx.down()
    with pytest.raises(httpx.ConnectError):
        post(client, rx, ENVELOPE)
    rx.up()
    assert rx.url == url
    assert post(client, rx, ENVELOPE).status_code == 200
    assert len(rx.requests) == 1


def test_recover_also_brings_it_back_up(rx, client):
    rx.down()
    rx.recover()
    assert post(client, rx, ENVELOPE).status_code == 200


def test_a_held_request_times_the_sender_out_and_is_still_recorded(rx):
    rx.timeout(0.3)
    with httpx.Client(timeout=0.1) as impatient, pytest.raises(httpx.TimeoutException):
        post(impatient, rx, ENVELOPE)
    assert rx.wait_for(1)
    (request,) = rx.requests
    assert request.event_id == "event-1" and request.status == 200


def test_wait_for_takes_a_count_or_a_predicate(rx, client):
    assert rx.wait_for(0) and not rx.wait_for(1, timeout=0.05)
    post(client, rx, ENVELOPE, event_id="event-7")
    assert rx.wait_for(1)
    assert rx.wait_for(lambda requests: any(r.event_id == "event-7" for r in requests))
    assert not rx.wait_for(lambda requests: len(requests) > 1, timeout=0.05)


def test_requests_is_a_copy(rx, client):
    post(client, rx, ENVELOPE)
    rx.requests.clear()
    assert len(rx.requests) == 1


@pytest.mark.parametrize("call", [lambda rx: rx.respond(status=99), lambda rx: rx.respond(status=600),
                                  lambda rx: rx.fail(status=200), lambda rx: rx.fail(times=-1),
                                  lambda rx: rx.timeout(-1), lambda rx: rx.timeout(float("nan"))])
def test_nonsense_instructions_are_refused(rx, call):
    with pytest.raises(ValueError):
        call(rx)


def test_closing_stops_listening():
    with WebhookReceiver() as receiver:
        url = receiver.url
    with httpx.Client() as client, pytest.raises(httpx.ConnectError):
        client.post(url, content=b"{}")


@pytest.mark.parametrize("auth, expected", [
    ({"type": "none"}, {}),
    ({"type": "basic", "username": "admin", "password": "123456"}, {"authorization": "Basic YWRtaW46MTIzNDU2"}),
    ({"type": "api_key", "key": "X-API-Key", "value": "your-api-key"}, {"x-api-key": "your-api-key"}),
])
def test_each_auth_mode_and_the_custom_headers_reach_a_receiver(rx, client, auth, expected):
    subscription = parse({"url": rx.url, "headers": {"X-Webhook-Token": "t", "Authorization": "Bearer custom"},
                          "auth": auth}, subscription_id="s1")
    post(client, rx, ENVELOPE, **request_headers(subscription))
    received = rx.requests[0].headers
    assert received["x-webhook-token"] == "t"
    assert {name: received.get(name) for name in expected} == expected
    assert received["authorization"] == expected.get("authorization", "Bearer custom")


header_names = st.from_regex(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}", fullmatch=True).filter(
    lambda name: name.lower() not in RESERVED_HEADERS)
header_values = st.from_regex(r"(?:[\x21-\x7e](?:[\t ]{0,3}[\x21-\x7e]){0,30})?", fullmatch=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(headers=st.dictionaries(header_names, header_values, max_size=5).filter(
    lambda headers: len({name.lower() for name in headers}) == len(headers)))
def test_every_header_a_subscription_accepts_arrives_unchanged(rx, client, headers):
    subscription = parse({"url": rx.url, "headers": headers}, subscription_id="s1")
    post(client, rx, ENVELOPE, **request_headers(subscription))
    received = rx.requests[-1].headers
    assert {name: received[name.lower()] for name in headers} == headers

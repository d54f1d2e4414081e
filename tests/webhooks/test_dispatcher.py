"""Delivery that loses nothing: real HTTP to a real receiver, retries on the manual clock, the log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from mock_server.clock import parse_iso
from mock_server.testing import WebhookReceiver
from mock_server.webhooks import dispatcher as dispatching
from mock_server.webhooks.dispatcher import RETRY_SCHEDULE, InvalidPayload
from tests.conftest import make_app
from tests.webhooks.support import advance, deliveries, subscribe, subscribed_app, wait_delivered
from tests.moments import seconds
from tests.support import ctx_of

# A retry falls due its delay after the failed attempt, which on the ticking clock ends a few
# readings (ms) after it began: advancing by the delays alone would stop just short of it.
SLACK = 1


# --- delivery ----------------------------------------------------------------------------------
def test_every_event_of_a_call_arrives_in_order_with_its_envelope(client, ctx, company, events, receiver):
    subscribe(client, receiver.url)
    for event in events:
        ctx.webhooks.emit(company, event)
    wait_delivered(client, len(events))
    assert receiver.event_ids() == [e["event_id"] for e in events]
    assert receiver.bodies() == [e["bodies"]["envelope"] for e in events]
    for delivery in deliveries(client):
        assert [a["status_code"] for a in delivery["attempts"]] == [200]
        assert delivery["company_id"] == company.company_id


def test_an_event_goes_only_to_the_subscriptions_that_want_it(client, ctx, company, events, receiver):
    subscribe(client, receiver.url, events=["call.end"])
    for event in events:
        ctx.webhooks.emit(company, event)
    wait_delivered(client, 1)
    assert [b["event_type"] for b in receiver.bodies()] == ["call.end"]
    assert len(ctx.webhooks.events(company.company_id)) == len(events)  # the event log keeps them all


def test_a_subscription_for_another_company_gets_nothing(client, ctx, company, events, receiver):
    other = next(c for c in ctx.store.tenants if c != company.company_id)
    subscribe(client, receiver.url, company_id=other)
    ctx.webhooks.emit(company, events[0])
    advance(client, 0)
    assert deliveries(client) == [] and receiver.requests == []


# --- retries -----------------------------------------------------------------------------------
def test_a_receiver_that_always_fails_gets_the_published_schedule_then_the_delivery_fails(
        client, ctx, company, events, receiver):
    receiver.fail(500)
    subscribe(client, receiver.url)
    emitted_at = ctx.now()
    ctx.webhooks.emit(company, events[0])
    advance(client, sum(RETRY_SCHEDULE) + 60)  # ~27.6 hours, in one call
    [delivery] = deliveries(client)
    offsets = [(parse_iso(a["at"]) - emitted_at).total_seconds() for a in delivery["attempts"]]
    expected, total = [seconds(0)], 0
    for gap in RETRY_SCHEDULE:
        total += gap
        expected.append(seconds(total))
    assert offsets == expected
    assert [a["status_code"] for a in delivery["attempts"]] == [500] * (len(RETRY_SCHEDULE) + 1)
    assert delivery["status"] == "failed" and delivery["next_attempt_at"] is None
    assert [r.event_id for r in receiver.requests] == [events[0]["event_id"]] * (len(RETRY_SCHEDULE) + 1)
    assert receiver.event_ids() == []  # nothing was ever accepted


def test_a_receiver_that_recovers_gets_every_event_and_the_log_shows_the_retries(
        client, ctx, company, events, receiver):
    receiver.fail(503, times=2 * len(events))  # the first two rounds of attempts fail
    subscribe(client, receiver.url)
    for event in events:
        ctx.webhooks.emit(company, event)
    advance(client, RETRY_SCHEDULE[0] + RETRY_SCHEDULE[1] + SLACK)
    logged = deliveries(client)
    assert {d["status"] for d in logged} == {"delivered"}
    assert all([a["status_code"] for a in d["attempts"]] == [503, 503, 200] for d in logged)
    assert [r.status for r in receiver.requests] == [503] * 2 * len(events) + [200] * len(events)
    assert receiver.event_ids() == [e["event_id"] for e in events]  # same ids on every attempt, then each once


def test_a_receiver_that_is_down_gets_every_pending_event_once_it_is_up(client, ctx, company, events, receiver):
    subscribe(client, receiver.url)
    receiver.down()
    for event in events:
        ctx.webhooks.emit(company, event)
    advance(client, RETRY_SCHEDULE[0] + SLACK)  # two refused attempts each
    assert all(len(d["attempts"]) == 2 and d["attempts"][0]["error"] for d in deliveries(client))
    receiver.up()
    advance(client, RETRY_SCHEDULE[1])
    assert sorted(receiver.event_ids()) == sorted(e["event_id"] for e in events)
    assert {d["status"] for d in deliveries(client)} == {"delivered"}


def test_a_receiver_that_times_out_is_retried(company, events, receiver):
    with subscribed_app(company.company_id, receiver.url, webhook_timeout=0.2) as (client, ctx, tenant):
        receiver.timeout(1.0)
        ctx.webhooks.emit(tenant, events[0])
        advance(client, 0)
        [delivery] = deliveries(client)
        assert delivery["attempts"][0]["error"].startswith("timed out") and delivery["status"] == "pending"
        receiver.recover()
        advance(client, RETRY_SCHEDULE[0] + SLACK)
        [delivery] = deliveries(client)
        assert delivery["status"] == "delivered" and len(delivery["attempts"]) == 2


def test_a_hanging_receiver_holds_up_an_advance_for_one_timeout_not_every_attempt(company, events, receiver):
    """Before, the advance waited for every attempt of every event (events x 8 x the timeout); now a lane
    whose attempt times out is no longer waited for, while a healthy lane still plays out in the advance."""
    with WebhookReceiver() as hanging, subscribed_app(company.company_id, receiver.url,
                                                      webhook_timeout=0.2) as (client, ctx, tenant):
        subscribe(client, hanging.url)
        hanging.timeout(1.0)
        for event in events:
            ctx.webhooks.emit(tenant, event)
        advance(client, sum(RETRY_SCHEDULE) + 60)
        held = deliveries(client, subscription_id=_subscription_of(client, hanging.url))
        assert sum(len(d["attempts"]) for d in held) < len(events)  # the advance did not wait for them
        healthy = deliveries(client, subscription_id=_subscription_of(client, receiver.url))
        assert {d["status"] for d in healthy} == {"delivered"}  # the healthy lane played out in the advance
        assert receiver.event_ids() == [e["event_id"] for e in events]

        # The hanging lane goes on sending after the advance, in order; once the receiver recovers, the
        # retries deliver every event, and the receiver saw exactly the attempts the log shows.
        assert hanging.wait_for(len(events), timeout=30)
        assert [r.event_id for r in hanging.requests] == [e["event_id"] for e in events]
        hanging.recover()
        advance(client, sum(RETRY_SCHEDULE) + 60)
        held = wait_delivered(client, len(events), subscription_id=_subscription_of(client, hanging.url))
        assert sorted(d["event_id"] for d in held) == sorted(e["event_id"] for e in events)
        assert sum(len(d["attempts"]) for d in held) == len(hanging.requests)


def test_waiting_for_the_attempts_in_flight_returns_once_they_are_made(company, events, receiver):
    with subscribed_app(company.company_id, receiver.url, webhook_timeout=0.2) as (client, ctx, tenant):
        receiver.timeout(1.0)
        ctx.webhooks.emit(tenant, events[0])
        ctx.webhooks.emit(tenant, events[1])
        advance(client, 0)  # waits for the first attempt only: it times out
        body = client.get("/_mock/deliveries", params={"wait": 20, "settled": "true"}).json()
        assert body["satisfied"] and [len(d["attempts"]) for d in body["deliveries"]] == [1, 1]
        assert all(d["attempts"][0]["error"].startswith("timed out") for d in body["deliveries"])


def _subscription_of(client, url: str) -> str:
    return next(s["id"] for s in client.get("/_mock/webhooks").json()["subscriptions"] if s["url"] == url)


def test_redelivery_sends_the_same_event_id_again(client, ctx, company, events, receiver):
    subscribe(client, receiver.url)
    ctx.webhooks.emit(company, events[0])
    [delivery] = wait_delivered(client, 1)
    response = client.post(f"/_mock/deliveries/{delivery['id']}/redeliver")
    assert response.status_code == 202
    advance(client, 0)
    assert receiver.event_ids() == [events[0]["event_id"]] * 2
    again = client.get(f"/_mock/deliveries/{delivery['id']}").json()
    assert [a["redelivery"] for a in again["attempts"]] == [False, True] and again["status"] == "delivered"


def test_a_pending_delivery_cannot_be_redelivered(client, ctx, company, events, receiver):
    receiver.fail(500)
    subscribe(client, receiver.url)
    ctx.webhooks.emit(company, events[0])
    advance(client, 0)
    [delivery] = deliveries(client)
    assert client.post(f"/_mock/deliveries/{delivery['id']}/redeliver").status_code == 409


# --- the log -------------------------------------------------------------------------------------
def test_the_logs_are_bounded_but_never_drop_a_pending_delivery(company, events, receiver):
    with subscribed_app(company.company_id, receiver.url, delivery_log_size=3) as (client, ctx, tenant):
        receiver.fail(500)
        ctx.webhooks.emit(tenant, events[0])
        advance(client, 0)
        receiver.recover()
        for event in events[1:]:
            ctx.webhooks.emit(tenant, event)
        advance(client, 0)  # every attempt due now is made
        assert len(events) > 4
        kept = deliveries(client)
        assert [d["event_id"] for d in kept] == [e["event_id"] for e in (events[0], *events[-2:])]
        assert [d["status"] for d in kept] == ["pending", "delivered", "delivered"]  # the pending one stays
        assert len(ctx.webhooks.events(tenant.company_id)) == 3


def test_waiting_for_deliveries_that_do_not_come_says_so(client):
    body = client.get("/_mock/deliveries", params={"wait": 0.05, "event_type": "call.end"}).json()
    assert body == {"deliveries": [], "satisfied": False}


@pytest.mark.parametrize("query", [{"wait": "soon"}, {"wait": "-1"}, {"wait": "nan"}, {"wait": "61"},
                                   {"count": "x"}, {"company_id": "nope"}, {"settled": "yes"}])
def test_bad_delivery_queries_are_refused(client, query):
    response = client.get("/_mock/deliveries", params=query)
    assert response.status_code == 400, response.text


def test_unknown_deliveries_and_subscriptions_are_404(client):
    assert client.get("/_mock/deliveries/nope").status_code == 404
    assert client.post("/_mock/deliveries/nope/redeliver").status_code == 404
    assert client.get("/_mock/webhooks/nope").status_code == 404
    assert client.delete("/_mock/webhooks/nope").status_code == 404


def test_strict_mode_refuses_a_body_that_breaks_its_schema(ctx, company, events):
    broken = dict(events[0], bodies=dict(events[0]["bodies"], envelope={"event_id": "x"}))
    with pytest.raises(InvalidPayload):
        ctx.webhooks.emit(company, broken)


def test_schema_names_cover_every_format(events):
    assert dispatching.schema_name("call.summary", "legacy_call") == "webhooks/legacy.call_log"
    assert dispatching.schema_name("disposition", "legacy_call") == "webhooks/legacy.disposition"
    assert dispatching.schema_name("call.end", "envelope") == "webhooks/call.end"


# --- subscriptions from the command line and across restarts --------------------------------------
def test_a_webhook_url_given_at_start_gets_everything(company, events, receiver):
    from mock_server.webhooks import subscriptions

    app = make_app(webhook_subscriptions=(subscriptions.from_url(receiver.url, subscription_id="url-1"),))
    ctx = ctx_of(app)
    with TestClient(app) as client:
        listed = client.get("/_mock/webhooks").json()["subscriptions"]
        assert [(s["id"], s["source"]) for s in listed] == [("url-1", "config")]
        assert client.delete("/_mock/webhooks/url-1").status_code == 409
        for event in events:
            ctx.webhooks.emit(ctx.store.tenant(company.company_id), event)
        wait_delivered(client, len(events))
    assert receiver.event_ids() == [e["event_id"] for e in events]


def test_pending_deliveries_and_subscriptions_survive_a_restart(tmp_path, company, events, receiver):
    with subscribed_app(company.company_id, receiver.url, data_dir=tmp_path) as (client, ctx, tenant):
        receiver.down()
        ctx.webhooks.emit(tenant, events[0])
        advance(client, 0)
        assert deliveries(client)[0]["status"] == "pending"
    receiver.up()
    restarted = make_app(data_dir=tmp_path)
    with TestClient(restarted) as client:
        assert len(client.get("/_mock/webhooks").json()["subscriptions"]) == 1
        advance(client, RETRY_SCHEDULE[0])
        [delivery] = deliveries(client)
        assert delivery["status"] == "delivered" and len(delivery["attempts"]) == 2
    assert receiver.event_ids()[-1] == events[0]["event_id"]
    gap = parse_iso(delivery["attempts"][1]["at"]) - parse_iso(delivery["attempts"][0]["at"])
    assert gap.total_seconds() == seconds(RETRY_SCHEDULE[0])


def test_a_delivery_queued_in_a_failed_unit_of_work_is_never_sent(company, events, receiver):
    with subscribed_app(company.company_id, receiver.url) as (client, ctx, tenant):
        with pytest.raises(RuntimeError):
            with ctx.store.transaction():
                ctx.webhooks.emit(tenant, events[0])
                raise RuntimeError("the write path failed after emitting")
        ctx.webhooks.emit(tenant, events[1])
        advance(client, 0)
        wait_delivered(client, 1)
        assert [d["event_id"] for d in deliveries(client)] == [events[1]["event_id"]]
    assert receiver.event_ids() == [events[1]["event_id"]]

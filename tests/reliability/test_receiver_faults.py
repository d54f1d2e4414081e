"""A webhook receiver that refuses connections, then answers 500, then hangs past the webhook timeout, then
recovers, behind a served simulator on the manual clock: every event is finally delivered, once, and the
receiver saw exactly the attempts the delivery log records.

tests/webhooks/test_dispatcher.py covers each fault alone on an in-process app with events put straight into
the dispatcher; here the events come from the APIs (inbound messages, a send and its lifecycle) of a real
process, and one delivery goes through every fault in turn."""

from __future__ import annotations

from collections import Counter

from mock_server.testing import WebhookReceiver

TIMEOUT = 1.0  # --webhook-timeout: a hanging receiver costs this much per attempt; an answer is in time on a busy CI
HOLD = 2.5     # how long the hanging receiver holds each request (beyond the timeout)
INBOUND = 2


def advance(client, seconds: float) -> None:
    assert client.post("/_mock/clock/advance", json={"seconds": seconds}).status_code == 200


def settled(client) -> list[dict]:
    """The delivery log once no attempt is queued or in flight (a hanging lane goes on after an advance)."""
    body = client.get("/_mock/deliveries", params={"wait": 30, "settled": "true"}).json()
    assert body["satisfied"], body
    return body["deliveries"]


def test_refused_then_500_then_hanging_then_recovered_delivers_every_event_once(serve):
    served = serve("--webhook-timeout", str(TIMEOUT))
    tenant = served.tenants()[0]
    with WebhookReceiver() as receiver, served.client() as client:
        assert client.post("/_mock/webhooks", json={"url": receiver.url}).status_code == 201
        receiver.down()  # 1. refused: nothing listens on the URL
        for i in range(INBOUND):
            inbound = {"phone_number_id": tenant.phone_number_id(), "customer_country_code": "91",
                       "customer_number": f"98111000{i:02d}", "text": f"hi {i}"}
            assert client.post(f"/_mock/tenants/{tenant.company_id}/inbound", json=inbound).status_code == 201
        sent = client.post("/chat/messages", headers=tenant.headers, json={
            "phone_number_id": tenant.phone_number_id(), "customer_country_code": "91", "customer_number": "9811100000",
            "data": {"type": "text", "context": {"body": "hello"}}})
        assert sent.status_code == 200, sent.text
        advance(client, 120)  # the send's lifecycle (sent, delivered, read) plays out; attempts 1 and 2 refused
        events = client.get("/_mock/events", params={"company_id": tenant.company_id}).json()["events"]
        event_ids = {e["event_id"] for e in events}
        assert len(event_ids) >= INBOUND + 3
        assert receiver.requests == []

        receiver.up()
        receiver.fail(500)  # 2. every request answered 500
        advance(client, 400)  # attempt 3 (5 min after the 2nd)
        assert {r.status for r in receiver.requests} == {500}

        receiver.fail(503)  # 3. hanging: held past the timeout (and a 503 when it finally answers)
        receiver.timeout(HOLD)
        advance(client, 1800)  # attempt 4 (30 min after the 3rd)
        settled(client)

        receiver.recover()  # 4. back: 200 at once
        advance(client, 7200)  # attempt 5 (2 h after the 4th)
        log = settled(client)

    assert {d["event_id"] for d in log} == event_ids
    assert {d["status"] for d in log} == {"delivered"}, [(d["event_type"], d["attempts"]) for d in log]
    for delivery in log:
        attempts = delivery["attempts"]
        assert [a["status_code"] for a in attempts] == [None, None, 500, None, 200], attempts
        assert attempts[3]["error"].startswith("timed out"), attempts[3]
        # refused: an error each (on a loaded machine the refusal may come as a connect timeout)
        assert all(a["error"] for a in attempts[:2]), attempts[:2]
    # What the receiver saw, event by event, is what the log says reached it, and it accepted each event once.
    reached = Counter(r.event_id for r in receiver.requests)
    accepted = Counter(receiver.event_ids())
    for delivery in log:
        logged_reached = sum(1 for a in delivery["attempts"][2:] if a["status_code"] is not None
                             or a["error"].startswith("timed out"))
        logged_accepted = sum(1 for a in delivery["attempts"] if a["status_code"] and 200 <= a["status_code"] < 300)
        assert reached[delivery["event_id"]] == logged_reached == 3
        assert accepted[delivery["event_id"]] == logged_accepted == 1
    assert set(reached) == event_ids  # and nothing else
    served.assert_no_traceback()

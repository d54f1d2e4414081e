"""What starts WhatsApp flows: a message sent through POST /chat/messages plays its delivery lifecycle
(the magic-number table, overridden through the control plane), a customer writing in through
/_mock/.../inbound and an agent assigning or closing through /_mock/.../conversations emit their
webhooks; bad parameters are 400s; the same inputs give the same events."""

from __future__ import annotations

import textwrap

import pytest
from starlette.testclient import TestClient

from mock_server import schemas
from mock_server.clock import parse_iso
from mock_server.engine import message_rules
from tests.conftest import make_app, seeded_tenant
from tests.engine import support
from tests.engine.test_message_scenarios import (ASSIGN, CLOSE, DELIVERED, FAILED, READ, RECEIVED, SENT,
                                                 check_bodies, payload, play, stored_message, whatsapp_events_of)
from tests.public.chat.messaging import CUSTOMER, TEXT, inbound, send, template
from tests.moments import moment


def lifecycle_run(client, tenant, message_id: str) -> dict:
    runs = client.get(f"/_mock/tenants/{tenant.company_id}/scenario-runs").json()["runs"]
    [run] = [r for r in runs if isinstance(r["trigger"], dict) and r["trigger"].get("message_id") == message_id]
    assert schemas.field_errors("control/scenario.run.response", run) == {}
    return run


def sent_through_api(client, tenant, number: str = CUSTOMER["customer_number"], data=None) -> tuple[dict, dict]:
    response, body = send(client, tenant, data or template("start_chat"), customer_number=number)
    assert response.status_code == 200, body
    message_id = body["data"]["message_id"]
    return stored_message(client, tenant, message_id), lifecycle_run(client, tenant, message_id)


def offsets(events: list[dict], run: dict) -> list[tuple[str, float]]:
    start = parse_iso(run["started_at"])
    return [(e["event_type"], support.offset(start, e["at"])) for e in events]


# --- POST /chat/messages starts the lifecycle ------------------------------------------------------------
def test_a_sent_message_is_accepted_then_sent_delivered_and_read(client, tenant):
    message, run = sent_through_api(client, tenant)
    assert message["status"] == "accepted"
    assert run["scenario"] == "whatsapp-read" and run["trigger"] == {
        "kind": "message", "message_id": message["id"], "chosen_by": "rule:read"}
    assert run["params"]["message"] == message["id"] and run["started_at"] == message["created"]
    events = play(client, tenant, run, [2, 5, 65])
    assert offsets(events, run) == [(SENT, 2), (DELIVERED, 5), (READ, 65)]
    check_bodies(events)
    assert all(payload(e)["id"] == message["id"] and payload(e)["source"] == "api" for e in events)
    assert stored_message(client, tenant, message["id"])["status"] == "read"
    assert support.reload(client, tenant, run)["status"] == "finished"


def test_a_text_reply_in_the_window_plays_its_lifecycle_too(client, tenant):
    opened = inbound(client, tenant)
    since = len(whatsapp_events_of(client, tenant))
    message, run = sent_through_api(client, tenant, data=TEXT)
    assert message["conversation_id"] == opened["conversation_id"] and run["params"]["template"] is None
    events = play(client, tenant, run, [2, 5, 65], since=since)
    assert offsets(events, run) == [(SENT, 2), (DELIVERED, 5), (READ, 65)]
    check_bodies(events, first_sequence=2)  # the customer's message.received was the conversation's first
    assert payload(events[0])["data"] == {"type": "text",
                                          "context": {"body": TEXT["context"]["body"], "preview_url": False}}


MAGIC = [
    ("0000000101", "whatsapp-delivered", [(SENT, 2), (DELIVERED, 5)], "delivered", None),
    ("0000000102", "whatsapp-sent", [(SENT, 2)], "sent", None),
    ("0000000103", "whatsapp-failed", [(FAILED, 2)], "failed", "131026"),
    ("0000000104", "whatsapp-failed", [(FAILED, 2)], "failed", "131047"),
    ("0000000105", "whatsapp-failed", [(FAILED, 2)], "failed", "130472"),
    ("0000000106", "whatsapp-failed", [(FAILED, 2)], "failed", "131049"),
]


@pytest.mark.parametrize("number, scenario, expected, status, code", MAGIC, ids=[m[0] for m in MAGIC])
def test_each_magic_number_gives_its_documented_outcome(client, tenant, number, scenario, expected, status, code):
    outcome = message_rules.MAGIC_NUMBERS[f"+91{number}"]
    message, run = sent_through_api(client, tenant, number)
    assert run["scenario"] == scenario == outcome.scenario and run["trigger"]["chosen_by"] == f"rule:{outcome.name}"
    events = play(client, tenant, run, [offset for _, offset in expected])
    assert offsets(events, run) == expected
    check_bodies(events)
    stored = stored_message(client, tenant, message["id"])
    assert stored["status"] == status
    if code:
        assert stored["errors"] == {code: message_rules.META_ERRORS[code]} == payload(events[0])["metadata"]["errors"]


def test_every_magic_number_is_tested():
    assert {f"+91{m[0]}" for m in MAGIC} == set(message_rules.MAGIC_NUMBERS)


def set_override(client, tenant, **body) -> dict:
    response = client.post(f"/_mock/tenants/{tenant.company_id}/overrides", json={"kind": "message", **body})
    assert response.status_code == 201, response.text
    return response.json()


def overrides_left(client, tenant) -> list[dict]:
    return client.get(f"/_mock/tenants/{tenant.company_id}/overrides").json()["overrides"]


def test_an_override_wins_over_the_rules_and_is_used_up(client, tenant):
    number = "+91" + CUSTOMER["customer_number"]
    set_override(client, tenant, match={"customer_number": number}, scenario="whatsapp-failed",
                 params={"error": {"131053": "Media upload error"}, "fail_after": 4})
    set_override(client, tenant, match={"customer_number": "+919999999999"}, scenario="whatsapp-sent")
    message, run = sent_through_api(client, tenant)
    assert run["scenario"] == "whatsapp-failed" and run["trigger"]["chosen_by"] == "override"
    events = play(client, tenant, run, [4])
    assert offsets(events, run) == [(FAILED, 4)]
    assert stored_message(client, tenant, message["id"])["errors"] == {"131053": "Media upload error"}
    assert [o["match"] for o in overrides_left(client, tenant)] == [{"customer_number": "+919999999999"}]
    _, again = sent_through_api(client, tenant)  # used up: the rules decide again
    assert again["scenario"] == "whatsapp-read" and again["trigger"]["chosen_by"] == "rule:read"


def test_an_override_for_any_number_beats_a_magic_number(client, tenant):
    set_override(client, tenant, scenario="whatsapp-delivered", params={"delivered_after": 30}, times=2)
    for number in ("0000000103", "9811100000"):
        message, run = sent_through_api(client, tenant, number)
        assert run["scenario"] == "whatsapp-delivered" and run["params"]["delivered_after"] == 30
    assert overrides_left(client, tenant) == []
    support.advance(client, 3600)
    assert stored_message(client, tenant, message["id"])["status"] == "delivered"


def test_an_override_that_cannot_play_a_message_leaves_it_to_the_rules(client, tenant):
    set_override(client, tenant, scenario="whatsapp-received")  # a customer's message: it plays no sent one
    message, run = sent_through_api(client, tenant)
    assert run["scenario"] == "whatsapp-read" and "does not play a sent message" in run["trigger"]["override_error"]
    assert overrides_left(client, tenant) == []
    support.advance(client, 3600)
    assert stored_message(client, tenant, message["id"])["status"] == "read"


def test_a_message_override_needs_a_whatsapp_scenario(client, tenant):
    response = client.post(f"/_mock/tenants/{tenant.company_id}/overrides",
                           json={"kind": "message", "scenario": "obd-user"})
    assert response.status_code == 400 and "scenario" in response.json()["errors"]
    response = client.post(f"/_mock/tenants/{tenant.company_id}/overrides",
                           json={"kind": "message", "scenario": "whatsapp-failed", "params": {"error": "1"}})
    assert response.status_code == 400 and "params.error" in response.json()["errors"]


def test_a_replaced_lifecycle_that_plays_no_message_keeps_the_send_and_says_why(client, tenant, own_scenarios):
    (own_scenarios / "whatsapp-read.yaml").write_text(textwrap.dedent("""\
        name: whatsapp-read
        description: A user's scenario of the same name that writes in instead.
        channel: whatsapp
        params:
          phone_number: {kind: whatsapp_number, description: The number., pick: 1}
        steps:
          - at: 0
            do: message.receive
            with: {phone_number: $phone_number, customer: "+919811122233", text: hi}
        """), encoding="utf-8")
    response, body = send(client, tenant, template("start_chat"))
    assert response.status_code == 200
    stored = stored_message(client, tenant, body["data"]["message_id"])
    assert stored["status"] == "accepted" and "does not play a sent message" in stored["lifecycle_error"]
    assert whatsapp_events_of(client, tenant) == []


# --- the control plane's customer and agents ---------------------------------------------------------
def test_inbound_emits_message_received_with_the_window_it_opens(client, tenant):
    opened = inbound(client, tenant, text="Hello there")
    [event] = whatsapp_events_of(client, tenant)
    check_bodies([event])
    body = payload(event)
    assert (event["event_type"], body["id"]) == (RECEIVED, opened["message_id"])
    assert event["session_id"] == opened["conversation_id"]
    assert body["conversation"]["expire_at"] == opened["window_expires_at"] == moment("2025-07-16T10:00:00.000000Z")
    assert body["data"]["context"] == {"body": "Hello there"}
    assert event["bodies"]["legacy_whatsapp"] is None  # the legacy format has no received payload


def conversation_route(client, tenant, conversation_id: str, verb: str, body=None):
    return client.post(f"/_mock/tenants/{tenant.company_id}/conversations/{conversation_id}/{verb}", json=body)


def test_conversations_are_assigned_and_closed_through_the_control_plane(client, tenant):
    users = [u["id"] for u in tenant.state["users"]]
    conversation_id = inbound(client, tenant)["conversation_id"]
    support.advance(client, 10)
    moved = conversation_route(client, tenant, conversation_id, "assign", {"agent_id": users[3], "by": users[1]})
    assert moved.status_code == 200 and schemas.field_errors("control/conversation.response", moved.json()) == {}
    assert (moved.json()["status"], moved.json()["assigned_to"]) == ("assigned", users[3])
    support.advance(client, 5)
    closed = conversation_route(client, tenant, conversation_id, "close")  # no body: the assignee closes it
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    events = whatsapp_events_of(client, tenant)
    check_bodies(events)
    assert [(e["event_type"], e["bodies"]["envelope"]["event_sequence"]) for e in events] == [
        (RECEIVED, 1), (ASSIGN, 2), (CLOSE, 3)]
    assign, close = payload(events[1]), payload(events[2])
    assert (assign["activity"]["action_by"], assign["activity"]["action_to"]) == (users[1], users[3])
    assert events[1]["bodies"]["envelope"]["system_identifier"] == users[1]
    assert (close["activity"]["action_by"], close["modified"]) == (users[3], moment("2025-07-15T10:00:15.000000Z"))
    assert tenant.state["conversations"].get(conversation_id)["activities"][-1]["activity"] == "conv_closed"


def test_conversation_routes_refuse_clearly(client, tenant):
    users = [u["id"] for u in tenant.state["users"]]
    conversation_id = inbound(client, tenant)["conversation_id"]
    missing = conversation_route(client, tenant, "nope", "assign", {"agent_id": users[0]})
    assert missing.status_code == 404 and missing.json()["code"] == "404"
    assert conversation_route(client, tenant, conversation_id, "assign", {}).status_code == 400
    bad_agent = conversation_route(client, tenant, conversation_id, "assign", {"agent_id": "0000000000000000"})
    assert bad_agent.status_code == 400 and "agent_id" in bad_agent.json()["errors"]
    anonymous = next(u["id"] for u in tenant.state["users"] if u["role"] == "anonymous")
    assert conversation_route(client, tenant, conversation_id, "assign", {"agent_id": anonymous}).status_code == 400
    nobody = conversation_route(client, tenant, conversation_id, "close", {})
    assert nobody.status_code == 409 and "nobody is assigned" in nobody.json()["message"]
    assert conversation_route(client, tenant, conversation_id, "assign", {"agent_id": users[4]}).status_code == 200
    again = conversation_route(client, tenant, conversation_id, "assign", {"agent_id": users[4]})
    assert again.status_code == 409 and "already assigned" in again.json()["message"]
    assert conversation_route(client, tenant, conversation_id, "close", {"by": users[2]}).status_code == 200
    assert conversation_route(client, tenant, conversation_id, "close", {}).status_code == 409
    assert conversation_route(client, tenant, conversation_id, "close", {"colour": "red"}).status_code == 400
    hostile = client.post(f"/_mock/tenants/{tenant.company_id}/conversations/{conversation_id}/close", content=b"{x")
    assert hostile.status_code == 400
    assert conversation_route(client, tenant, conversation_id, "close", []).status_code == 400
    assert [e["event_type"] for e in whatsapp_events_of(client, tenant)] == [RECEIVED, ASSIGN, CLOSE]


# --- bad parameters, determinism -------------------------------------------------------------------------
@pytest.mark.parametrize("name, params, field", [
    ("whatsapp-read", {"message": "not-an-id"}, "params.message"),
    ("whatsapp-read", {"message": "00000000-0000-4000-8000-000000000000"}, "params.message"),
    ("whatsapp-read", {"customer": "98765"}, "params.customer"),
    ("whatsapp-read", {"phone_number": "123"}, "params.phone_number"),
    ("whatsapp-read", {"template": "festive_offer_draft"}, "params.template"),
    ("whatsapp-read", {"sent_after": -1}, "params.sent_after"),
    ("whatsapp-failed", {"error": "999999"}, "params.error"),
    ("whatsapp-failed", {"error": {"abc": "x"}}, "params.error"),
    ("whatsapp-failed", {"error": "{not json"}, "params.error"),
    ("whatsapp-failed", {"error": {str(n): "x" for n in range(6)}}, "params.error"),
    ("whatsapp-failed", {"error": ["131026"]}, "params.error"),
    ("whatsapp-link-click", {"template": "order_update"}, "params.template"),
    ("whatsapp-link-click", {"button": "button-1"}, "params.button"),
    ("whatsapp-assign-close", {"agent": "0000000000000000"}, "params.agent"),
    ("whatsapp-received", {"text": 7}, "params.text"),
    ("template-review-rejected", {"reason": "BORING"}, "params.reason"),
    ("template-review-approved", {"template": "no_such_template"}, "params.template"),
    ("campaign-run", {"campaign": 99}, "params.campaign"),
    ("campaign-run", {"campaign": 1001}, "params.campaign"),
    ("campaign-run", {"campaign": True}, "params.campaign"),
    ("campaign-run", {"recipients": 0}, "params.recipients"),
    ("campaign-run", {"failed": -1}, "params.failed"),
])
def test_bad_parameters_are_a_400(client, tenant, name, params, field):
    response = client.post(f"/_mock/scenarios/{name}/run", json={"company_id": tenant.company_id, "params": params})
    assert response.status_code == 400, response.text
    assert field in response.json()["errors"], response.json()


def test_parameters_written_as_text_are_read_as_their_kind(client, tenant):
    run = support.run(client, tenant, "whatsapp-failed", error='{"131053": "Media upload error"}', fail_after="3")
    assert run["params"]["error"] == {"131053": "Media upload error"} and run["params"]["fail_after"] == 3
    run = support.run(client, tenant, "campaign-run", campaign="1004", recipients="2", failed="0")
    assert run["params"]["campaign"] == 1004 and len(run["state"]["message_ids"]) == 2


def test_a_step_that_cannot_happen_fails_the_run_not_the_server(client, tenant):
    client.patch(f"/_mock/tenants/{tenant.company_id}", json={"service_active": False})
    run = support.run(client, tenant, "whatsapp-read")
    assert run["status"] == "failed" and "CHAT_0004" in run["error"]
    assert whatsapp_events_of(client, tenant) == [] and tenant.state["messages"].values() == []
    campaign = next(c for c in tenant.state["campaigns"] if c["status"] == "scheduled")
    run = support.run(client, tenant, "campaign-run")
    assert run["status"] == "failed" and "CHAT_0004" in run["error"]
    assert tenant.state["messages"].values() == [] and tenant.state["campaigns"].get(campaign["id"]) == campaign


def test_a_lifecycle_does_not_replay_a_moved_message(client, tenant):
    message, run = sent_through_api(client, tenant)
    support.advance(client, 3)
    replay = support.run(client, tenant, "whatsapp-read", message=message["id"])
    assert replay["status"] == "failed" and "already sent" in replay["error"]


def everything_once(client, tenant) -> list[dict]:
    send(client, tenant, template("start_chat"))
    send(client, tenant, template("start_chat"), customer_number="0000000103")
    for name in ("whatsapp-assign-close", "whatsapp-link-click", "campaign-run", "template-review-approved"):
        support.run(client, tenant, name)
    support.advance(client, 3600)
    return whatsapp_events_of(client, tenant)


def test_the_same_inputs_give_the_same_events():
    played = []
    for _ in range(2):
        app = make_app(strict=True)
        with TestClient(app) as client:
            tenant = seeded_tenant(app)
            played.append(everything_once(client, tenant))
    assert len(played[0]) > 20 and played[0] == played[1]
    check_bodies(played[0])


def test_an_agent_replies_from_livechat_through_the_control_plane(client, tenant):
    # The docs' "LiveChat" message events (source and mode "lc"): an agent answering from the panel.
    users = [u["id"] for u in tenant.state["users"]]
    conversation_id = inbound(client, tenant)["conversation_id"]
    since = len(whatsapp_events_of(client, tenant))
    balance = tenant.state.account["wallet_balance"]
    support.advance(client, 30)
    reply = conversation_route(client, tenant, conversation_id, "reply", {"text": "Hi", "by": users[2]})
    assert reply.status_code == 201, reply.json()
    assert schemas.field_errors("control/conversation.reply.response", reply.json()) == {}
    message_id = reply.json()["message_id"]
    conversation = tenant.state["conversations"].get(conversation_id)
    assert (conversation["status"], conversation["assigned_to"]) == ("assigned", users[2])  # the reply took it
    assert tenant.state.account["wallet_balance"] == round(balance - 0.05, 4)
    run = lifecycle_run(client, tenant, message_id)
    events = play(client, tenant, run, [2, 5, 65], since=since)
    check_bodies(events, first_sequence=2)  # the customer's message.received was the conversation's first
    assert offsets(events, run) == [(SENT, 2), (DELIVERED, 5), (READ, 65)]
    for event in events:
        body = payload(event)
        assert (body["id"], body["source"], body["mode"], body["message_by"]) == (message_id, "lc", "lc", users[2])
        assert body["data"] == {"type": "text", "context": {"body": "Hi", "preview_url": False}}
        assert body["metadata"]["myop_ref_id"]  # the panel's reference, as the LiveChat examples have one
        assert event["bodies"]["legacy_whatsapp"]["source"] == "lc"


def test_a_livechat_reply_is_refused_outside_the_window_or_without_an_agent(client, tenant):
    conversation_id = inbound(client, tenant)["conversation_id"]
    nobody = conversation_route(client, tenant, conversation_id, "reply", {"text": "Hi"})
    assert nobody.status_code == 409 and "nobody is assigned" in nobody.json()["message"]
    assert conversation_route(client, tenant, conversation_id, "reply", {"by": None}).status_code == 400
    assert conversation_route(client, tenant, "nope", "reply", {"text": "Hi"}).status_code == 404
    agent = tenant.state["users"].values()[1]["id"]
    support.advance(client, 24 * 3600 + 1)
    before = tenant.state.dump()
    closed = conversation_route(client, tenant, conversation_id, "reply", {"text": "Hi", "by": agent})
    assert closed.status_code == 409 and "24-hour window is closed" in closed.json()["message"]
    assert tenant.state.dump() == before  # nothing written, nothing charged


def test_inbound_media_arrives_twice_with_the_same_id_first_without_its_link(client, tenant):
    # As the live service pushes it (OBSERVED.md D.28): a receiver that drops the second push loses the file.
    r = client.post(f"/_mock/tenants/{tenant.company_id}/inbound", json={
        "phone_number_id": tenant.phone("primary")["phone_number_id"], "customer_country_code": "91",
        "customer_number": CUSTOMER["customer_number"], "media": "image", "caption": "my prescription"})
    assert r.status_code == 201, r.json()
    assert schemas.field_errors("control/message.inbound.response", r.json()) == {}
    opened = r.json()
    [first] = whatsapp_events_of(client, tenant)
    support.advance(client, 3)
    events = whatsapp_events_of(client, tenant)
    check_bodies(events)
    assert [e["event_type"] for e in events] == [RECEIVED, RECEIVED]
    pushed = [payload(e) for e in events]
    assert pushed[0]["id"] == pushed[1]["id"] == opened["message_id"]
    assert [p["data"]["context"]["link"] for p in pushed][0] is None
    link = pushed[1]["data"]["context"]["link"]
    assert link.startswith("https://") and link.endswith(f"/{opened['message_id']}.jpg")
    assert pushed[1]["data"]["context"] | {"link": None} == pushed[0]["data"]["context"]
    assert pushed[0]["data"]["context"]["caption"] == "my prescription"
    assert support.offset(parse_iso(first["at"]), events[1]["at"]) == 3
    conversation = tenant.state["conversations"].get(opened["conversation_id"])
    assert conversation["unread_count"] == 1  # one message, pushed twice
    assert stored_message(client, tenant, opened["message_id"])["payload"]["context"]["link"] == link
    run = client.get(f"/_mock/tenants/{tenant.company_id}/scenario-runs/{opened['run_id']}").json()
    assert run["scenario"] == "whatsapp-received-media" and run["status"] == "finished"


def test_inbound_takes_text_or_media_not_both(client, tenant):
    base = {"phone_number_id": tenant.phone("primary")["phone_number_id"], "customer_country_code": "91",
            "customer_number": CUSTOMER["customer_number"]}
    url = f"/_mock/tenants/{tenant.company_id}/inbound"
    assert client.post(url, json=base | {"text": "hi", "media": "image"}).status_code == 400
    assert client.post(url, json=base).status_code == 400
    assert client.post(url, json=base | {"media": "sticker"}).status_code == 400
    assert client.post(url, json=base | {"text": "hi", "caption": "x"}).status_code == 400
    assert whatsapp_events_of(client, tenant) == []

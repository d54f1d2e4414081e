"""Every shipped WhatsApp scenario, run on the manual clock: the exact events in order with their
offsets, every body valid in each of its formats, event_sequence strictly increasing per
conversation, and what the APIs answer afterwards (message statuses, conversation windows,
templates, campaign stats), checked at each event's moment as well as at the end."""

from __future__ import annotations

from collections import defaultdict

import pytest

from mock_server import schemas
from mock_server.clock import parse_iso
from mock_server.domain import whatsapp_events
from mock_server.engine import runner
from mock_server.webhooks.dispatcher import check, schema_name
from tests.engine import support
from tests.public.chat.messaging import TEXT, send
from tests.moments import moment
from tests.support import ctx_of

RECEIVED, SENT, DELIVERED, READ = "message.received", "message.sent", "message.delivered", "message.read"
FAILED, CLICKED, ASSIGN, CLOSE = "message.failed", "message.link_tracking", "conversation.assign", "conversation.close"
UNDELIVERABLE = {"131026": "Message undeliverable"}


# --- what the tests share --------------------------------------------------------------------------
def whatsapp_events_of(client, tenant, since: int = 0) -> list[dict]:
    return [e for e in ctx_of(client.app).webhooks.events(tenant.company_id)[since:] if e["channel"] == "whatsapp"]


def timeline(events: list[dict], run: dict) -> list[tuple[str, float]]:
    start = parse_iso(run["started_at"])
    return [(e["event_type"], support.offset(start, e["at"])) for e in events]


def check_bodies(events: list[dict], first_sequence: int = 1) -> None:
    """Every rendering valid; envelope and event agree; event_sequence strictly increasing per conversation."""
    sequences: dict[str, list[int]] = defaultdict(list)
    for event in events:
        check(event)  # raises InvalidPayload naming the event, format and fields
        for fmt, body in event["bodies"].items():
            if body is not None:
                assert schemas.fast_validator(schema_name(event["event_type"], fmt)).is_valid(body)
        envelope = event["bodies"]["envelope"]
        assert (envelope["event_id"], envelope["event_type"], envelope["session_id"], envelope["channel"]) == (
            event["event_id"], event["event_type"], event["session_id"], "whatsapp")
        assert parse_iso(envelope["timestamp"]) == parse_iso(event["at"])
        assert event["bodies"].get("legacy_call") is None
        legacy = event["bodies"]["legacy_whatsapp"]
        assert (legacy is not None) == (event["event_type"] in whatsapp_events.LEGACY_EVENTS)
        sequences[event["session_id"]].append(envelope["event_sequence"])
    for session, seen in sequences.items():
        assert seen == sorted(set(seen)) and seen[0] >= first_sequence, (session, seen)
    assert len({e["event_id"] for e in events}) == len(events)


def payload(event: dict) -> dict:
    return event["bodies"]["envelope"]["payload"]


def stored_message(client, tenant, message_id: str) -> dict:
    response = client.get(f"/_mock/tenants/{tenant.company_id}/messages")
    assert response.status_code == 200 and schemas.field_errors("control/message.list.response", response.json()) == {}
    return next(m for m in response.json()["messages"] if m["id"] == message_id)


def agrees_with_api(client, tenant, event: dict) -> None:
    """The message as GET /_mock/tenants/{id}/messages shows it right after this event: what the event said."""
    body = payload(event)
    message_id = body["id"]
    stored = stored_message(client, tenant, message_id)
    assert stored["status"] == body["status"], (event["event_type"], stored["status"])
    assert stored["errors"] == body["metadata"].get("errors", body.get("errors"))
    moments = {e["name"]: e["timestamp"] for e in body["events"]}
    for status in ("sent", "delivered", "read"):
        mine = stored[f"{status}_at"]
        assert (mine[:19] + ".000000Z" if mine else None) == moments[status], status


def play(client, tenant, run: dict, offsets: list[float], since: int = 0) -> list[dict]:
    """Move the clock to each event's moment in turn, checking the API against the newest event."""
    start = parse_iso(run["started_at"])
    for offset in sorted(set(offsets)):
        now = parse_iso(client.get("/_mock/clock").json()["now"])
        # the ticking clock may already stand past a moment its readings passed: then advance by nothing
        support.advance(client, max(0, offset - (now - start).total_seconds()))
        events = [e for e in whatsapp_events_of(client, tenant, since)
                  if support.offset(start, e["at"]) == offset and e["event_type"].startswith("message.")
                  and e["event_type"] != RECEIVED]
        for event in events[-1:]:
            agrees_with_api(client, tenant, event)
    support.advance(client, 3600)
    return whatsapp_events_of(client, tenant, since)


def finished(client, tenant, run: dict) -> dict:
    run = support.reload(client, tenant, run)
    assert run["status"] == "finished", run["error"]
    assert all(step["status"] == "done" for step in run["steps"])
    return run


def contact_number(tenant, n: int = 0) -> str:
    contact = tenant.state["contacts"].values()[n]
    return f"+{contact['country_code']}{contact['phone_number']}"


def test_every_shipped_whatsapp_scenario_has_a_test(app):
    shipped = {name for name, s in runner.catalog(ctx_of(app)).items() if s.channel == "whatsapp"}
    assert shipped == {"whatsapp-read", "whatsapp-delivered", "whatsapp-sent", "whatsapp-failed", "whatsapp-received",
                       "whatsapp-assign-close", "whatsapp-link-click", "template-review-approved",
                       "template-review-rejected", "campaign-run", "whatsapp-received-media"}


@pytest.mark.parametrize("media,shown", [
    ("document", {"mime_type": "application/pdf", "caption": "report", "filename": "document.pdf"}),
    ("audio", {"mime_type": "audio/ogg"}),
])
def test_received_media_is_pushed_without_its_link_then_with_it(client, tenant, media, shown):
    run = support.run(client, tenant, "whatsapp-received-media", media=media, caption="report", link_after=7)
    support.advance(client, 7)
    events = whatsapp_events_of(client, tenant)
    check_bodies(events)
    assert timeline(events, run) == [(RECEIVED, 0), (RECEIVED, 7)]
    first, second = (payload(e)["data"] for e in events)
    assert first["type"] == second["type"] == media
    assert {k: v for k, v in first["context"].items() if k not in ("link", "media_id")} == shown
    assert first["context"]["link"] is None and second["context"]["link"].endswith(payload(events[0])["id"]
                                                                                   + {"document": ".pdf", "audio": ".ogg"}[media])
    finished(client, tenant, run)


# --- outgoing messages -------------------------------------------------------------------------------
LIFECYCLES = [
    ("whatsapp-read", {}, [(SENT, 2), (DELIVERED, 5), (READ, 65)], "read"),
    ("whatsapp-read", {"sent_after": 1, "delivered_after": 10, "read_after": 300},
     [(SENT, 1), (DELIVERED, 11), (READ, 311)], "read"),
    ("whatsapp-delivered", {}, [(SENT, 2), (DELIVERED, 5)], "delivered"),
    ("whatsapp-sent", {}, [(SENT, 2)], "sent"),
    ("whatsapp-failed", {}, [(FAILED, 2)], "failed"),
    ("whatsapp-failed", {"error": "130472", "fail_after": 9}, [(FAILED, 9)], "failed"),
    ("whatsapp-failed", {"error": {"131053": "Media upload error"}}, [(FAILED, 2)], "failed"),
]


@pytest.mark.parametrize("name, params, expected, status", LIFECYCLES,
                         ids=[f"{n}-{'-'.join(map(str, p))}" for n, p, _, _ in LIFECYCLES])
def test_an_outgoing_message_plays_its_lifecycle(client, tenant, name, params, expected, status):
    customer = contact_number(tenant, 2)
    run = support.run(client, tenant, name, customer=customer, **params)
    assert run["status"] == "running" and set(run["state"]) == {"message_id", "conversation_id", "session_id"}
    message = stored_message(client, tenant, run["state"]["message_id"])
    assert message["status"] == "accepted" and message["direction"] == "outgoing" and message["source"] == "api"
    assert message["type"] == "template" and message["template_id"] == tenant.template("start_chat")["id"]
    assert whatsapp_events_of(client, tenant) == []  # Meta accepting a message is no webhook

    events = play(client, tenant, run, [offset for _, offset in expected])
    run = finished(client, tenant, run)
    assert timeline(events, run) == expected
    check_bodies(events)
    assert {e["session_id"] for e in events} == {run["state"]["conversation_id"]}
    assert all(payload(e)["id"] == message["id"] and payload(e)["source"] == "api" for e in events)
    assert all(e["bodies"]["envelope"]["customer_identifier"] == customer[1:] for e in events)

    final = stored_message(client, tenant, message["id"])
    assert final["status"] == status
    reported = [event_type.removeprefix("message.") for event_type, _ in expected]
    assert [h["status"] for h in final["status_history"]] == ["accepted", *reported]
    agrees_with_api(client, tenant, events[-1])
    if status == "failed":
        errors = payload(events[0])["metadata"]["errors"]
        assert final["errors"] == errors and final["sent_at"] is None
        assert events[0]["bodies"]["legacy_whatsapp"]["data"]["metadata"]["errors"] == {
            f"WABA_{code}": text for code, text in errors.items()}
        given = params.get("error", "131026")
        assert errors == (given if isinstance(given, dict) else {given: errors[given]})
    conversation = tenant.state["conversations"].get(run["state"]["conversation_id"])
    assert conversation["event_sequence"] == len(expected)
    assert conversation["expire_at"] is None, "the business writing opens no window"


def test_a_failure_code_has_its_documented_text(client, tenant):
    run = support.run(client, tenant, "whatsapp-failed", error="130472")
    events = play(client, tenant, run, [2])
    assert payload(events[0])["metadata"]["errors"] == {
        "130472": "Failed to send message because this user's phone number is part of an experiment"}


# --- the customer's side, conversations ---------------------------------------------------------------
def test_a_customer_message_opens_the_window_and_creates_the_conversation(client, tenant):
    customer = contact_number(tenant, 5)
    contact = tenant.state["contacts"].values()[5]
    run = support.run(client, tenant, "whatsapp-received", customer=customer, text="Is the sale on?")
    run = finished(client, tenant, run)
    events = whatsapp_events_of(client, tenant)
    assert timeline(events, run) == [(RECEIVED, 0)]
    check_bodies(events)
    body = payload(events[0])
    assert body["action"] == "incoming" and body["status"] == "received" and body["message_by"] is None
    assert body["data"] == {"type": "text", "context": {"body": "Is the sale on?"}}
    conversation = tenant.state["conversations"].get(run["state"]["conversation_id"])
    assert body["conversation"]["id"] == conversation["id"] and body["conversation"]["customer_name"] == contact["name"]
    assert body["conversation"]["expire_at"] == conversation["expire_at"] == moment("2025-07-16T10:00:00.000000Z")
    assert conversation["unread_count"] == 1 and conversation["status"] == "unassigned"
    assert stored_message(client, tenant, body["id"])["status"] == "received"

    # The window the webhook announced is the one the API applies: free-form text is accepted until expire_at.
    number = {"customer_country_code": contact["country_code"], "customer_number": contact["phone_number"]}
    support.advance(client, 24 * 3600 - 1)
    assert send(client, tenant, TEXT, **number)[0].status_code == 200
    support.advance(client, 1)
    assert send(client, tenant, TEXT, **number)[1]["code"] == "CHAT_3001"


def test_a_customer_message_revives_a_closed_conversation(client, tenant):
    customer = contact_number(tenant, 1)
    first = support.run(client, tenant, "whatsapp-assign-close", customer=customer)
    support.advance(client, 3600)
    first = finished(client, tenant, first)
    conversation_id = first["state"]["conversation_id"]
    assert tenant.state["conversations"].get(conversation_id)["status"] == "closed"
    since = len(ctx_of(client.app).webhooks.events(tenant.company_id))
    again = finished(client, tenant, support.run(client, tenant, "whatsapp-received", customer=customer))
    assert again["state"]["conversation_id"] == conversation_id
    [event] = whatsapp_events_of(client, tenant, since)
    check_bodies([event], first_sequence=4)
    assert event["bodies"]["envelope"]["event_sequence"] == 4  # the conversation's fourth webhook
    revived = payload(event)["conversation"]
    assert (revived["status"], revived["assigned_to"]) == ("unassigned", None)
    assert revived["expire_at"] == tenant.state["conversations"].get(conversation_id)["expire_at"]


def test_a_conversation_is_assigned_then_closed(client, tenant):
    agent = next(u for u in tenant.state["users"] if u["role"] == "agent")
    run = support.run(client, tenant, "whatsapp-assign-close")
    assert run["params"]["agent"] == agent["id"]
    events = play(client, tenant, run, [0, 30, 630])
    run = finished(client, tenant, run)
    assert timeline(events, run) == [(RECEIVED, 0), (ASSIGN, 30), (CLOSE, 630)]
    check_bodies(events)
    assert [e["bodies"]["envelope"]["event_sequence"] for e in events] == [1, 2, 3]
    assign, close = payload(events[1]), payload(events[2])
    assert (assign["status"], assign["assigned_to"]) == ("assigned", agent["id"])
    assert assign["activity"]["activity"] == "conv_assigned" and assign["activity"]["action_to"] == agent["id"]
    assert (close["status"], close["assigned_to"]) == ("closed", agent["id"])
    assert close["activity"]["activity"] == "conv_closed"
    assert {e["bodies"]["envelope"]["system_identifier"] for e in events[1:]} == {agent["id"]}
    conversation = tenant.state["conversations"].get(run["state"]["conversation_id"])
    assert (conversation["status"], conversation["assigned_to"], conversation["modified"]) == (
        "closed", agent["id"], close["modified"])
    assert [a["activity"] for a in conversation["activities"]] == ["conv_assigned", "conv_closed"]


def test_a_tracked_link_is_clicked(client, tenant):
    run = support.run(client, tenant, "whatsapp-link-click")
    template = tenant.template("start_chat")  # the fixtures' first approved template with a URL button
    assert run["params"]["template"] == template["id"]
    events = play(client, tenant, run, [2, 5, 65, 95])
    run = finished(client, tenant, run)
    assert timeline(events, run) == [(SENT, 2), (DELIVERED, 5), (READ, 65), (CLICKED, 95)]
    check_bodies(events)
    click = payload(events[-1])
    assert click["link_tracking"] == {"template_id": template["id"], "template_name": "start_chat",
                                      "button_info": "btn-0", "clicked_at": moment("2025-07-15T10:01:35.000000Z")}
    assert click["status"] == "read" and click["data"]["context"]["link_tracking"] is True
    legacy = events[-1]["bodies"]["legacy_whatsapp"]
    assert legacy["event"] == "message.link_tracking" and legacy["data"]["link_tracking"]["button_info"] == "btn-0"
    stored = stored_message(client, tenant, run["state"]["message_id"])
    assert stored["status"] == "read" and stored["link_tracking"] is True
    assert stored["link_clicks"] == [{"button_info": "btn-0", "clicked_at": moment("2025-07-15T10:01:35.000000Z")}]


def test_a_click_on_a_button_the_template_lacks_fails_the_run(client, tenant):
    run = support.run(client, tenant, "whatsapp-link-click", button="btn-5", click_after=1)
    support.advance(client, 3600)
    run = support.reload(client, tenant, run)
    assert run["status"] == "failed" and "btn-5" in run["error"]
    assert [e["event_type"] for e in whatsapp_events_of(client, tenant)] == [SENT, DELIVERED, READ]


# --- template reviews ---------------------------------------------------------------------------------
def fetch_template(client, tenant, template_id: str) -> dict:
    response = client.get(f"/chat/templates/{template_id}", headers=tenant.headers)
    assert response.status_code == 200
    return response.json()["data"]


@pytest.mark.parametrize("name, params, outcome, reason", [
    ("template-review-approved", {}, "approved", None),
    ("template-review-rejected", {}, "rejected", "INVALID_FORMAT"),
    ("template-review-rejected", {"reason": "TAG_CONTENT_MISMATCH", "review_after": 5}, "rejected",
     "TAG_CONTENT_MISMATCH"),
])
def test_a_template_review_decides_what_the_api_shows(client, tenant, name, params, outcome, reason):
    template = tenant.template("festive_offer_draft")  # the fixtures' template awaiting review
    run = support.run(client, tenant, name, **params)
    assert run["params"]["template"] == template["id"]
    review_after = params.get("review_after", 60)
    support.advance(client, review_after - 1)
    assert fetch_template(client, tenant, template["id"])["waba_template_status"] == "pending"
    support.advance(client, 1)
    shown = fetch_template(client, tenant, template["id"])
    assert (shown["waba_template_status"], shown["failure_reason"]) == (outcome, reason)
    assert shown["modified"] == moment("2025-07-15T10:%02d:%02d.000000Z" % divmod(review_after, 60))
    finished(client, tenant, run)
    assert whatsapp_events_of(client, tenant) == []  # the docs have no template webhook


def test_a_decided_template_goes_back_to_review(client, tenant):
    template = tenant.template("start_chat")
    support.run(client, tenant, "template-review-rejected", template="start_chat", reason="SCAM")
    assert fetch_template(client, tenant, template["id"])["waba_template_status"] == "pending"
    support.advance(client, 60)
    assert fetch_template(client, tenant, template["id"])["failure_reason"] == "SCAM"


def test_a_created_templates_own_review_yields_to_the_scenario(client, tenant):
    body = {"waba_id": tenant.waba_id(), "name": "fresh_offer", "language": "en", "category": "marketing",
            "components": [{"type": "BODY", "text": "Our new range is here. Visit us this week."}]}
    created = client.post("/chat/templates", json=body, headers=tenant.headers)
    assert created.status_code == 201
    template_id = created.json()["data"]["id"]
    run = support.run(client, tenant, "template-review-rejected", template=template_id, review_after=3600)
    support.advance(client, 3599)  # past the review rules' own moment: cancelled, the run decides
    assert fetch_template(client, tenant, template_id)["waba_template_status"] == "pending"
    support.advance(client, 1)
    assert fetch_template(client, tenant, template_id)["waba_template_status"] == "rejected"
    finished(client, tenant, run)


# --- campaigns ----------------------------------------------------------------------------------------
def campaign_detail(client, tenant, campaign_id: int) -> dict:
    headers = dict(tenant.headers, **{"X-WABA-PHONENUMBER-ID": tenant.phone("primary")["phone_number_id"]})
    response = client.get(f"/chat/campaign/{campaign_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def counted(events: list[dict]) -> dict:
    """The stats the webhooks imply: each message counted once per status it was reported in."""
    by_type = defaultdict(set)
    for event in events:
        by_type[event["event_type"]].add(payload(event)["id"])
    return {"sent": len(by_type[SENT]), "delivered": len(by_type[DELIVERED]), "read": len(by_type[READ]),
            "failed": len(by_type[FAILED])}


def test_a_campaign_runs_over_its_audience(client, tenant):
    campaign = next(c for c in tenant.state["campaigns"] if c["status"] == "scheduled")
    template = tenant.state["templates"].get(campaign["template_id"])
    n = campaign["audience"]["count"]
    assert 3 <= n <= len(tenant.state["contacts"])
    run = support.run(client, tenant, "campaign-run")
    assert run["params"]["campaign"] == campaign["id"] and len(run["state"]["message_ids"]) == n
    shown = campaign_detail(client, tenant, campaign["id"])
    assert shown["status"] == "running"
    assert shown["stats"] == {"total": n, "sent": 0, "delivered": 0, "replied": 0, "failed": 0, "read": 0,
                              "billable": 0}

    support.advance(client, 10)
    shown = campaign_detail(client, tenant, campaign["id"])
    assert shown["status"] == "completed" and shown["modified_at"] == moment("2025-07-15T10:00:10.000000Z")
    events = whatsapp_events_of(client, tenant)
    assert {**shown["stats"], **counted(events)} == shown["stats"]  # the stats are what the webhooks said
    assert (shown["stats"]["sent"], shown["stats"]["delivered"], shown["stats"]["read"]) == (n - 1, n - 1, 0)

    support.advance(client, 3600)
    events = whatsapp_events_of(client, tenant)
    check_bodies(events)
    read_by = n - 2  # the last fails, the one before it is never read
    assert timeline(events, run) == [*((SENT, 2),) * (n - 1), (FAILED, 2), *((DELIVERED, 5),) * (n - 1),
                                     *((READ, 65),) * read_by]
    recipients = [f"91{c['phone_number']}" for c in tenant.state["contacts"].values()[:n]]
    sent = [e for e in events if e["event_type"] in (SENT, FAILED)]
    assert [e["bodies"]["envelope"]["customer_identifier"] for e in sent] == recipients
    for event in events:
        body = payload(event)
        assert body["source"] == "cmp" and body["message_by"] == campaign["created_by"]["uuid"]
        assert body["data"]["context"]["template_id"] == template["id"]
        assert body["metadata"]["myop_ref_id"] == ""  # a campaign's messages carry "", as its examples show
        assert event["bodies"]["legacy_whatsapp"]["source"] == "cmp"
    first = tenant.state["contacts"].values()[0]
    assert payload(sent[0])["data"]["context"]["template_payload"]["body"] == {"customer_name": first["name"]}
    assert payload(sent[-1])["metadata"]["errors"] == {
        "131049": "This message was not delivered to maintain healthy ecosystem engagement"}

    shown = campaign_detail(client, tenant, campaign["id"])
    assert shown["stats"] == {"total": n, "sent": n - 1, "delivered": n - 1, "replied": 0, "failed": 1, "read": read_by,
                              "billable": n - 1}
    assert {**shown["stats"], **counted(events)} == shown["stats"]
    for message_id in run["state"]["message_ids"]:
        stored = stored_message(client, tenant, message_id)
        assert stored["campaign_id"] == campaign["id"] and stored["source"] == "cmp"
    finished(client, tenant, run)


def test_a_campaign_counts_replies_and_its_parameters_shape_it(client, tenant):
    campaign = next(c for c in tenant.state["campaigns"] if c["status"] == "scheduled")
    run = support.run(client, tenant, "campaign-run", recipients=3, failed=0, unread=3, error="131026")
    assert len(run["state"]["message_ids"]) == 3
    support.advance(client, 20)
    first = tenant.state["contacts"].values()[0]
    reply = {"phone_number_id": campaign["phone_number_id"], "customer_country_code": first["country_code"],
             "customer_number": first["phone_number"], "text": "Interested!"}
    assert client.post(f"/_mock/tenants/{tenant.company_id}/inbound", json=reply).status_code == 201
    support.advance(client, 3600)
    shown = campaign_detail(client, tenant, campaign["id"])
    assert shown["stats"] == {"total": 3, "sent": 3, "delivered": 3, "replied": 1, "failed": 0, "read": 0,
                              "billable": 3}
    # Running it again: it is no longer scheduled.
    again = client.post("/_mock/scenarios/campaign-run/run",
                        json={"company_id": tenant.company_id, "params": {"campaign": campaign["id"]}})
    assert again.status_code == 400 and "completed" in again.json()["errors"]["params.campaign"][0]


def test_a_campaigns_audience_is_capped_by_the_contacts(client, other_tenant):
    campaign = next(c for c in other_tenant.state["campaigns"] if c["status"] == "scheduled")
    contacts = len(other_tenant.state["contacts"])
    run = support.run(client, other_tenant, "campaign-run", recipients=contacts + 50, failed=2, unread=0)
    assert len(run["state"]["message_ids"]) == contacts
    support.advance(client, 3600)
    shown = campaign_detail(client, other_tenant, campaign["id"])
    assert shown["stats"]["total"] == contacts and shown["stats"]["failed"] == 2
    assert shown["stats"]["read"] == contacts - 2

"""The WhatsApp webhooks: the documented examples, the documented timelines played through the
lifecycles and rendered back, the quirks, and any lifecycle's events valid in both formats."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from mock_server.clock import iso, parse_iso
from mock_server.domain import whatsapp as wa
from mock_server.domain import whatsapp_events as we
from tests.domain.call_support import valid
from tests.domain.test_whatsapp import AGENTS, ERRORS, PAYLOADS, T0, conversation, later, message, uuid_of
from tests.support import webhook_examples

EXAMPLES = webhook_examples("whatsapp")


def example(schema: str, title: str | None = None) -> dict:
    return copy.deepcopy(next(e["body"] for e in EXAMPLES if e["schema"] == schema and title in (None, e["title"])))


def at(text: str) -> datetime:
    return parse_iso(text)


def microseconds(timestamp: str) -> datetime:
    """A documented nanosecond timestamp at our clock's precision."""
    return parse_iso(timestamp[:26].rstrip("Z") + "Z")


def same_shape(ours, doc, path: str = "") -> None:
    """Same keys in the same order, same JSON types, all the way down."""
    assert type(ours) is type(doc), f"{path}: {type(ours).__name__} vs {type(doc).__name__}"
    if isinstance(doc, dict):
        assert list(ours) == list(doc), f"{path}: keys {list(ours)} vs {list(doc)}"
        for key in doc:
            same_shape(ours[key], doc[key], f"{path}.{key}")
    elif isinstance(doc, list):
        assert len(ours) == len(doc), path
        for n, (a, b) in enumerate(zip(ours, doc)):
            same_shape(a, b, f"{path}.{n}")


def from_example(payload: dict, *, sent: dict, source: str, **fields) -> tuple[dict, dict]:
    """A message document and its conversation, as the example's payload describes them."""
    conv = dict(payload["conversation"], phone_number_id=payload["phone_number_id"])
    direction = payload["action"]
    doc = {"id": payload["id"], "conversation_id": conv["id"], "phone_number_id": payload["phone_number_id"],
           "customer_country_code": conv["customer_country_code"], "customer_number": conv["customer_contact"],
           "direction": direction, "type": sent["type"], "payload": sent, "template_id": None,
           "category": "service", "status": "accepted" if direction == "outgoing" else "received",
           "status_history": [{"status": "accepted" if direction == "outgoing" else "received",
                               "timestamp": payload["created"]}],
           "reply_to": payload["reply_to"], "myop_ref_id": payload["metadata"]["myop_ref_id"], "trail": None,
           "source": source, "waba_msg_id": payload["metadata"]["waba_msg_id"], "created": payload["created"],
           "modified": payload["created"], "message_by": payload["message_by"]}
    doc.update(fields)
    return doc, conv


def rendered(m: dict, conv: dict, bits: dict, doc: dict) -> dict:
    """Our envelope for the documented one's event, moment and ids; its timestamp checked and copied."""
    ours = we.message_event(m, conv, bits, doc["event_type"], event_id=doc["event_id"],
                            at=microseconds(doc["timestamp"]), sequence=doc["event_sequence"])
    assert doc["timestamp"].startswith(ours["timestamp"].rstrip("Z").rstrip("0"))
    return ours | {"timestamp": doc["timestamp"]}


@pytest.mark.parametrize("doc", EXAMPLES, ids=lambda e: f"{e['schema']}-{e['title']}")
def test_the_documented_examples_validate(doc):
    assert valid(f"webhooks/{doc['schema']}", doc["body"]) == {}


def test_the_schemas_are_strict():
    sent = example("message.sent", "LiveChat")
    assert valid("webhooks/message.sent", sent | {"extra": 1})
    assert valid("webhooks/message.sent", sent | {"system_identifier": "+911206544522"})
    assert valid("webhooks/message.delivered", sent), "a sent message has no delivered time"
    sent["payload"]["metadata"]["errors"] = {"WABA_131053": "Media upload error"}
    assert valid("webhooks/message.sent", sent)
    failed = example("legacy.message", "Send Template message -Failed")
    failed["data"]["metadata"]["errors"] = {"131053": "Media upload error"}
    assert valid("webhooks/legacy.message", failed), "legacy error codes carry WABA_"
    legacy = example("legacy.message", "Send text message - Sent")
    del legacy["data"]["phone_number_id"]
    assert valid("webhooks/legacy.message", legacy), "only the failed payload lacks phone_number_id"
    close = example("conversation.close")
    close["payload"]["unread_count"] = 0
    assert valid("webhooks/conversation.close", close)
    link = example("message.link_tracking")
    link["payload"]["star_mark"] = False
    assert valid("webhooks/message.link_tracking", link)


# --- the documented timelines, rendered back ----------------------------------------------------
def test_the_documented_livechat_text_message():
    doc = example("message.sent", "LiveChat")
    m, conv = from_example(doc["payload"], sent={"type": "text", "context": {"body": "Hi"}}, source="lc")
    bits = we.tenant_bits(doc["company_id"])
    sent = wa.mark_sent(m, at("2026-04-21T07:35:44.899819Z"), reported_at=at("2026-04-21T07:35:40Z"))
    assert rendered(sent, conv, bits, doc) == doc
    delivered = wa.mark_delivered(sent, at("2026-04-21T07:35:54.951262Z"), reported_at=at("2026-04-21T07:35:41Z"))
    read = wa.mark_read(delivered, at("2026-04-21T07:38:12.546720Z"), reported_at=at("2026-04-21T07:38:10Z"))
    for event_type in ("message.sent", "message.delivered", "message.read"):
        doc = example(event_type, "LiveChat")
        ours = rendered(read, conv, bits, doc)  # the final document renders every earlier event as it was
        assert ours == doc
        same_shape(ours, doc)


def test_the_documented_legacy_text_message():
    sent_doc = example("legacy.message", "Send text message - Sent")
    payload = sent_doc["data"]
    m, conv = from_example(payload, sent={"type": "text", "context": {"body": payload["data"]["context"]["body"],
                                                                      "preview_url": True}}, source="lc")
    bits = we.tenant_bits("5c80e49d43876264")
    m = wa.mark_sent(m, at("2024-11-04T04:27:28.468501Z"), reported_at=at("2024-11-04T04:27:25Z"))
    m = wa.mark_delivered(m, at("2024-11-04T04:27:28.950000Z"), reported_at=at("2024-11-04T04:27:26Z"))
    m = wa.mark_read(m, at("2024-11-04T04:29:18.618304Z"), reported_at=at("2024-11-04T04:29:16Z"))
    for title, event_type in (("Send text message - Sent", "message.sent"),
                              ("Send text message - Delivered", "message.delivered"),
                              ("Send text message -Read", "message.read")):
        doc = example("legacy.message", title)
        ours = we.legacy_message(m, conv, bits, event_type, at=at(doc["timestamp"]))
        assert ours == doc, title
        same_shape(ours, doc)
    delivered = example("legacy.message", "Send text message - Delivered")["data"]
    assert delivered["status"] == "sent" and delivered["events"][1]["timestamp"] is None  # the quirk, documented


def demo_template(template_id: str, name: str, body: str, cards: list[tuple[str, str, str, str]], **fields) -> dict:
    """A carousel template as POST /chat/templates stores it: (media_id, card body, button text, url) per card."""
    return {"id": template_id, "name": name, "language": "en", "category": "marketing", "type": "template",
            "components": [
                {"type": "BODY", "text": body},
                {"type": "CAROUSEL", "cards": [
                    {"index": n, "components": [
                        {"type": "HEADER", "format": "MEDIA", "media_id": media_id},
                        {"type": "BODY", "format": "TEXT", "text": text},
                        {"type": "BUTTONS", "buttons": [{"index": 0, "type": "URL", "text": button, "url": url,
                                                         "format": "STATIC"}]}]}
                    for n, (media_id, text, button, url) in enumerate(cards)]}],
            "link_tracking": False, **fields}


def carousel_demo(company_id: str) -> dict:
    doc = example("message.sent", "API")["payload"]["data"]["context"]
    cards = [(card["components"]["header"]["media_id"], card["components"]["body"]["context"],
              card["components"]["buttons"][0]["text"], card["components"]["buttons"][0]["url"])
             for card in doc["carousel"]]
    template = demo_template(doc["template_id"], "demo", doc["body"]["context"], cards)
    # Meta's ids of the cards' media, as the campaign examples show them (stored with the upload).
    meta_ids = {card["components"]["header"]["media_id"]: card["components"]["header"]["meta_media_id"]
                for card in example("message.sent", "Campaign")["payload"]["data"]["context"]["template_payload"]["carousel"]}
    media = [{"id": card[0], "mime_type": "image/jpeg", "meta_media_id": meta_ids[card[0]]} for card in cards]
    return we.tenant_bits(company_id, [template], media)


@pytest.mark.parametrize("variant", ["API", "Campaign"])
def test_the_documented_carousel_template_through_the_api_and_a_campaign(variant):
    sent_doc = example("message.sent", variant)
    bits = carousel_demo(sent_doc["company_id"])
    template_id = sent_doc["payload"]["data"]["context"]["template_id"]
    m, conv = from_example(sent_doc["payload"], sent={"type": "template", "context": {"template_name": "demo",
                                                                                      "language": "en"}},
                           source="api" if variant == "API" else "cmp", template_id=template_id, category="marketing")
    events = example("message.read", variant)["payload"]["events"]
    modified = {t: example(f"message.{t}", variant)["payload"]["modified"] for t in ("sent", "delivered", "read")}
    m = wa.mark_sent(m, at(modified["sent"]), reported_at=at(events[0]["timestamp"]))
    m = wa.mark_delivered(m, at(modified["delivered"]), reported_at=at(events[1]["timestamp"]))
    m = wa.mark_read(m, at(modified["read"]), reported_at=at(events[2]["timestamp"]))
    for event_type in ("message.sent", "message.delivered", "message.read"):
        doc = example(event_type, variant)
        ours = rendered(m, conv, bits, doc)
        assert ours == doc, event_type
        same_shape(ours, doc)



class OnlyById(dict):
    """Documents that may be read one by id, never all of them (as a tenant's collection is given)."""

    def __iter__(self):
        raise AssertionError("every document was read")

    values = items = keys = __iter__


def test_bits_given_lookups_by_id_read_only_the_documents_an_event_names():
    sent_doc = example("message.sent", "Campaign")
    listed = carousel_demo(sent_doc["company_id"])
    bits = we.tenant_bits(sent_doc["company_id"], OnlyById(listed["templates"]), OnlyById(listed["media"]))
    template_id = sent_doc["payload"]["data"]["context"]["template_id"]
    m, conv = from_example(sent_doc["payload"], sent={"type": "template", "context": {"template_name": "demo",
                                                                                      "language": "en"}},
                           source="cmp", template_id=template_id, category="marketing")
    m = wa.mark_sent(m, at(sent_doc["payload"]["modified"]), reported_at=at(sent_doc["payload"]["events"][0]["timestamp"]))
    assert rendered(m, conv, bits, sent_doc) == rendered(m, conv, listed, sent_doc) == sent_doc

def test_the_documented_failed_template():
    doc = example("message.failed")
    context = doc["payload"]["data"]["context"]
    template = {"id": context["template_id"], "name": "greeting", "language": "en", "category": "marketing",
                "components": [{"type": "BODY", "text": context["body"]["context"].replace("Mayank", "{{name}}")}]}
    sent = {"type": "template", "context": {"template_name": "greeting", "language": "en", "body": {"name": "Mayank"}}}
    m, conv = from_example(doc["payload"], sent=sent, source="lc", template_id=template["id"])
    m = wa.mark_failed(m, at(doc["payload"]["modified"]), dict(doc["payload"]["metadata"]["errors"]))
    ours = rendered(m, conv, we.tenant_bits(doc["company_id"], [template]), doc)
    assert ours == doc
    same_shape(ours, doc)
    # The documented conversation was opened by this message: assigned to its sender, no window yet.
    opened = wa.business_wrote(conversation(created=m["created"], modified=m["created"]), at(m["created"]),
                               message_by=m["message_by"], source="lc")
    assert (opened["status"], opened["assigned_to"], opened["expire_at"]) == (
        conv["status"], conv["assigned_to"], conv["expire_at"])


def test_the_documented_legacy_failed_image():
    doc = example("legacy.message", "Send Template message -Failed")
    payload = dict(doc["data"], phone_number_id="411835805357155")
    m, conv = from_example(payload, sent=copy.deepcopy(payload["data"]), source="lc")
    m = wa.mark_failed(m, at(payload["modified"]), ERRORS)
    ours = we.legacy_message(m, conv, we.tenant_bits("c"), "message.failed", at=at(doc["timestamp"]))
    assert ours == doc and "phone_number_id" not in ours["data"]
    same_shape(ours, doc)
    assert ours["data"]["metadata"]["errors"] == {"WABA_131053": "Media upload error"}
    envelope = we.message_event(m, conv, we.tenant_bits("c"), "message.failed", event_id="event-0", at=T0)
    assert envelope["payload"]["metadata"]["errors"] == {"131053": "Media upload error"}  # bare, as documented


def test_the_documented_legacy_template_message():
    doc = example("legacy.message", "Send Template message -Sent")
    context = doc["data"]["data"]["context"]
    template = {"id": context["id"], "name": context["name"], "language": "en", "category": "utility",
                "components": [{"type": "HEADER", "format": "TEXT", "text": "Thanks"},
                               {"type": "BODY", "text": context["body"]["context"]}]}
    m, conv = from_example(doc["data"], sent={"type": "template", "context": {"template_name": context["name"]}},
                           source="lc", template_id=template["id"])
    bits = we.tenant_bits("c", [template])
    m = wa.mark_sent(m, at(doc["data"]["modified"]), reported_at=at(doc["data"]["events"][0]["timestamp"]))
    m = wa.mark_delivered(m, at("2024-11-04T05:31:01.700000Z"))
    for title, event_type in (("Send Template message -Sent", "message.sent"),
                              ("Send Template message -Delivered", "message.delivered")):
        doc = example("legacy.message", title)
        ours = we.legacy_message(m, conv, bits, event_type, at=at(doc["timestamp"]))
        assert ours == doc, title
        same_shape(ours, doc)


def test_the_documented_received_message():
    doc = example("message.received")
    m, conv = from_example(doc["payload"], sent={"type": "text", "context": {"body": "Offer"}}, source="customer")
    ours = rendered(m, conv, we.tenant_bits(doc["company_id"]), doc)
    assert ours["payload"]["modified"] == ours["payload"]["created"]  # one moment here; 14 µs apart there
    ours["payload"]["modified"] = doc["payload"]["modified"]
    assert ours == doc
    same_shape(ours, doc)
    assert ours["payload"]["source"] == "lc" and ours["payload"]["message_by"] is None


def link_carousel(company_id: str) -> tuple[dict, dict]:
    doc = example("message.link_tracking")
    context = doc["payload"]["data"]["context"]
    cards = [(card["components"]["header"]["media_id"], card["components"]["body"]["context"],
              card["components"]["buttons"][0]["text"], card["components"]["buttons"][0]["url"])
             for card in context["carousel"]]
    template = demo_template(context["template_id"], "carousel",
                             context["body"]["context"].replace("Suraj Singh", "{{name}}"), cards, link_tracking=True)
    meta_ids = {card["components"]["header"]["media_id"]: card["components"]["header"]["meta_media_id"]
                for card in context["template_payload"]["carousel"]}
    media = [{"id": c[0], "mime_type": "image/png", "meta_media_id": meta_ids[c[0]]} for c in cards]
    return template, we.tenant_bits(company_id, [template], media)


def test_the_documented_link_click_in_a_carousel():
    doc = example("message.link_tracking")
    payload = doc["payload"]
    template, bits = link_carousel(doc["company_id"])
    sent = {"type": "template", "context": {"template_name": "carousel", "body": {"name": "Suraj Singh"}}}
    m, conv = from_example(payload | {"metadata": dict(payload["metadata"], errors=None)}, sent=sent, source="cmp",
                           template_id=template["id"], link_tracking=True)
    times = [e["timestamp"] for e in payload["events"]]
    m = wa.mark_sent(m, at("2026-04-20T07:21:10.500000Z"), reported_at=at(times[0]))
    m = wa.mark_delivered(m, at("2026-04-20T07:21:11.500000Z"), reported_at=at(times[1]))
    m = wa.mark_read(m, at(payload["modified"]), reported_at=at(times[2]))
    assert payload["link_tracking"]["button_info"] in wa.tracked_buttons(template)
    m = wa.click_link(m, at(payload["link_tracking"]["clicked_at"]), payload["link_tracking"]["button_info"])
    ours = rendered(m, conv, bits, doc)
    assert ours == doc
    same_shape(ours, doc)


def test_the_documented_legacy_link_click():
    doc = example("legacy.link_tracking")
    data = doc["data"]
    context = data["data"]["context"]
    template = {"id": context["template_id"], "name": context["name"], "language": "en", "category": "marketing",
                "link_tracking": True, "components": [
                    {"type": "BODY", "text": context["body"]["context"]},
                    {"type": "BUTTONS", "buttons": [
                        {"index": 0, "type": "URL", "format": "STATIC", "text": "1", "url": "https://www.google.com"},
                        {"index": 1, "type": "URL", "format": "DYNAMIC", "text": "2",
                         "url": "https://myoperator.com/{{1}}", "example": {"1": "Nikita"}}]}]}
    sent = {"type": "template", "context": {"template_name": context["name"], "buttons": [{"index": 1, "1": "Nikita"}]}}
    m, conv = from_example(data | {"metadata": dict(data["metadata"], errors=None)}, sent=sent, source="cmp",
                           template_id=template["id"], link_tracking=True)
    conv["customer_name"] = None  # an unnamed customer is shown as country code and number
    times = [e["timestamp"] for e in data["events"]]
    m = wa.mark_sent(m, at("2025-03-25T12:44:14Z"), reported_at=at(times[0]))
    m = wa.mark_delivered(m, at("2025-03-25T12:44:17Z"), reported_at=at(times[1]))
    m = wa.mark_read(m, at(data["modified"]), reported_at=at(times[2]))
    m = wa.click_link(m, at(data["link_tracking"]["clicked_at"]), "btn-1")
    ours = we.legacy_message(m, conv, we.tenant_bits("c", [template]), "message.link_tracking", at=at(doc["timestamp"]))
    assert context["category"] == 1 and template["category"] == "marketing"  # the number, as this example has it
    assert ours == doc
    same_shape(ours, doc)


def test_the_documented_conversation_timeline():
    """Created 09:57, assigned, the customer writes (message.received), closed (conversation.close),
    the customer writes again, reviving it unassigned, and the agent takes it back (conversation.assign)."""
    close_doc, assign_doc = example("conversation.close"), example("conversation.assign")
    agent = close_doc["system_identifier"]
    bits = we.tenant_bits(close_doc["company_id"])
    c = conversation(id=close_doc["session_id"], created=close_doc["payload"]["created"],
                     modified=close_doc["payload"]["created"])
    c = wa.assign(c, at("2026-04-20T10:00:00Z"), agent_id=agent, by=agent, activity_id=uuid_of(1))
    c = wa.customer_wrote(c, at("2026-04-20T10:06:07.611982Z"))
    received = example("message.received")["payload"]["conversation"]
    assert {k: c[k] for k in ("status", "assigned_to", "expire_at", "unread_count")} == {
        k: received[k] for k in ("status", "assigned_to", "expire_at", "unread_count")}
    c = wa.customer_wrote(c, at("2026-04-20T10:20:00.563707Z"))
    c = wa.close(c, at(close_doc["payload"]["modified"]), by=agent, activity_id=close_doc["payload"]["activity"]["id"])
    c, sequence = wa.take_sequence(c)
    ours = we.conversation_event(c, bits, "conversation.close", event_id=close_doc["event_id"],
                                 at=microseconds(close_doc["timestamp"]), sequence=sequence)
    assert ours["payload"]["activity"]["created"] == ours["payload"]["modified"]  # a few ms apart in the example
    ours["payload"]["activity"]["created"] = close_doc["payload"]["activity"]["created"]
    assert ours | {"timestamp": close_doc["timestamp"]} == close_doc
    c = wa.customer_wrote(c, at("2026-04-20T10:38:17.645540Z"))
    assert (c["status"], c["assigned_to"]) == ("unassigned", None)
    c = wa.assign(c, at(assign_doc["payload"]["modified"]), agent_id=agent, by=agent,
                  activity_id=assign_doc["payload"]["activity"]["id"])
    ours = we.conversation_event(c, bits, "conversation.assign", event_id=assign_doc["event_id"],
                                 at=microseconds(assign_doc["timestamp"]), sequence=1)
    ours["payload"]["activity"]["created"] = assign_doc["payload"]["activity"]["created"]
    assert ours["timestamp"] == "2026-04-20T10:39:30.338896Z"  # documented: ...30.33889691Z (Go trims zeros)
    assert ours | {"timestamp": assign_doc["timestamp"]} == assign_doc
    same_shape(ours, assign_doc)


# --- formats and quirks ----------------------------------------------------------------------
def test_envelope_timestamps_trim_trailing_zeros_like_go():
    assert we.nano_time("2026-04-20T10:39:30.338896Z") == "2026-04-20T10:39:30.338896Z"
    assert we.nano_time(at("2026-04-20T10:39:30.500000Z")) == "2026-04-20T10:39:30.5Z"
    assert we.nano_time(at("2026-04-20T10:39:30Z")) == "2026-04-20T10:39:30Z"
    assert we.second_time("2026-04-20T10:39:30.999999Z") == "2026-04-20T10:39:30.000000Z"
    assert we.second_time(None) is None
    assign = example("conversation.assign")
    for shown in ("2026-04-20T10:39:30Z", "2026-04-20T10:39:30.5Z", "2026-04-20T10:39:30.338896Z"):
        assert valid("webhooks/conversation.assign", assign | {"timestamp": shown}) == {}
    for wrong in ("2026-04-20T10:39:30.1234567891Z", "2026-04-20T10:39:30.Z", "2026-04-20T10:39:30+00:00"):
        assert valid("webhooks/conversation.assign", assign | {"timestamp": wrong})


def walked(kind: str, source: str, final: str) -> dict:
    """An outgoing message taken to ``final`` (sent, delivered, read, clicked, failed, failed_late)."""
    m = message(kind, source=source)
    if final == "failed":
        return wa.mark_failed(m, later(2), ERRORS)
    m = wa.mark_sent(m, later(6), reported_at=later(3))
    if final == "failed_late":
        return wa.mark_failed(m, later(30), {"WABA_131026": "Message undeliverable"})
    if final in ("delivered", "read", "clicked"):
        m = wa.mark_delivered(m, later(9), reported_at=later(4))
    if final in ("read", "clicked"):
        m = wa.mark_read(m, later(70), reported_at=later(65))
    if final == "clicked":
        m = wa.click_link(m, later(80), "card-1-btn-0")
    return m


def seeded_bits() -> dict:
    template, bits = link_carousel("69ddcadb46536124")
    assert template["id"] == "795dae53-7322-4f74-9a71-6814a926e1a2" == message()["template_id"]
    return bits


def test_the_legacy_delivered_payload_shows_the_message_before_its_delivery():
    m = walked("text", "api", "read")
    c = conversation()
    legacy = we.legacy_message(m, c, seeded_bits(), "message.delivered", at=later(10))
    envelope = we.message_event(m, c, seeded_bits(), "message.delivered", event_id="event-1", at=later(10))
    assert legacy["event"] == "delivered" and legacy["data"]["status"] == "sent"
    assert legacy["data"]["events"][1]["timestamp"] is None and legacy["data"]["modified"] == iso(later(6))
    assert envelope["payload"]["status"] == "delivered" and envelope["payload"]["modified"] == iso(later(9))
    assert [e["timestamp"] for e in envelope["payload"]["events"]] == [we.second_time(later(3)),
                                                                      we.second_time(later(4)), None]


def test_root_fields():
    m = walked("template", "cmp", "clicked")
    c = wa.business_wrote(conversation(customer_name=None), T0, message_by=AGENTS[0], source="cmp")
    bits = seeded_bits()
    for event_type in ("message.sent", "message.read", "message.link_tracking"):
        event = we.message_event(m, c, bits, event_type, event_id="event-ab", at=later(90))
        assert (event["channel"], event["direction"], event["session_id"], event["system_identifier"],
                event["customer_identifier"], event["event_version"], event["event_sequence"]) == (
            "whatsapp", "outgoing", c["id"], m["phone_number_id"], "917779812955", "1", 1)
        assert valid(f"webhooks/{event_type}", event) == {}
    link = we.message_event(m, c, bits, "message.link_tracking", event_id="event-ab", at=later(90))
    assert link["payload"]["conversation"]["customer_name"] == "917779812955"
    shown = link["payload"]["data"]["context"]["template_payload"]
    assert shown["body"] == {"name": "Suraj Singh"} and list(shown) == ["body", "carousel"]  # a campaign's cards
    c = wa.close(c, later(100), by=AGENTS[1], activity_id=uuid_of(9))
    closed = we.conversation_event(c, bits, "conversation.close", event_id="event-cd", at=later(100), sequence=4)
    assert (closed["direction"], closed["system_identifier"], closed["event_sequence"]) == ("", AGENTS[1], 4)
    assert closed["payload"]["assigned_to"] == AGENTS[0] and valid("webhooks/conversation.close", closed) == {}


def test_what_each_message_type_shows():
    bits = seeded_bits()
    c = conversation()
    text = we.message_event(walked("text", "lc", "sent"), c, bits, "message.sent", event_id="event-1", at=later(7))
    assert text["payload"]["data"] == {"type": "text", "context": {"body": "Hi", "preview_url": True}}
    image = we.message_event(walked("image", "api", "read"), c, bits, "message.read", event_id="event-1", at=later(71))
    assert image["payload"]["data"] == PAYLOADS["image"]
    interactive = we.message_event(walked("interactive", "api", "failed"), c, bits, "message.failed",
                                   event_id="event-1", at=later(3))
    assert interactive["payload"]["data"] == PAYLOADS["interactive"]
    template = we.message_event(walked("template", "api", "delivered"), c, bits, "message.delivered",
                                event_id="event-1", at=later(10))
    context = template["payload"]["data"]["context"]
    assert context["body"]["context"].startswith("Hello Suraj Singh,") and context["link_tracking"] is True
    assert context["template_payload"] == {"header": {}, "body": {"name": "Suraj Singh"}}
    assert [card["components"]["header"] for card in context["carousel"]] == [
        {"format": "image", "media_id": "add749b2-2927-4733-bec8-742193bad282"},
        {"format": "image", "media_id": "6b75565e-90d6-40ec-ad58-1dc16690931d"}]
    for event in (text, image, interactive, template):
        assert valid(f"webhooks/{event['event_type']}", event) == {}


def test_a_template_deleted_since_is_shown_from_the_message():
    m = walked("template", "api", "sent")
    event = we.message_event(m, conversation(), we.tenant_bits("c"), "message.sent", event_id="event-1", at=later(7))
    context = event["payload"]["data"]["context"]
    assert (context["template_id"], context["name"], context["category"]) == (m["template_id"], "carousel", "marketing")
    assert valid("webhooks/message.sent", event) == {}


def test_render_all_and_the_domain_event():
    m = walked("template", "api", "clicked")
    c = conversation()
    bits = seeded_bits()
    for event_type in we.LEGACY_EVENTS:
        if event_type == "message.failed":
            continue
        bodies = we.render_all(m, c, event_type, bits, event_id="event-9", at=later(90), sequence=3)
        assert set(bodies) == {"envelope", "legacy_whatsapp"}
        assert valid(f"webhooks/{event_type}", bodies["envelope"]) == {}
        legacy_schema = "legacy.link_tracking" if event_type == "message.link_tracking" else "legacy.message"
        assert valid(f"webhooks/{legacy_schema}", bodies["legacy_whatsapp"]) == {}
        assert bodies["legacy_whatsapp"]["event"] == we.LEGACY_EVENTS[event_type]
    incoming = message("text", direction="incoming")
    assert we.render_all(incoming, c, "message.received", bits, event_id="event-9", at=T0)["legacy_whatsapp"] is None
    c = wa.assign(c, later(1), agent_id=AGENTS[0], by=AGENTS[0], activity_id=uuid_of(3))
    event = we.domain_event(None, c, "conversation.assign", bits, event_id="event-9", at=later(1), sequence=2)
    assert {k: event[k] for k in ("event_id", "event_type", "channel", "session_id", "at")} == {
        "event_id": "event-9", "event_type": "conversation.assign", "channel": "whatsapp", "session_id": c["id"],
        "at": iso(later(1))}
    assert event["bodies"]["legacy_whatsapp"] is None and event["bodies"]["envelope"]["event_sequence"] == 2


def test_events_a_message_cannot_emit_are_refused():
    bits, c = seeded_bits(), conversation()
    sent = walked("text", "api", "sent")
    with pytest.raises(ValueError, match="never delivered"):
        we.message_event(sent, c, bits, "message.delivered", event_id="event-1", at=later(10))
    with pytest.raises(ValueError, match="no message.received"):
        we.message_event(sent, c, bits, "message.received", event_id="event-1", at=later(10))
    with pytest.raises(ValueError, match="no message.sent"):
        we.message_event(message("text", direction="incoming"), c, bits, "message.sent", event_id="e", at=later(1))
    with pytest.raises(ValueError, match="clicked"):
        we.message_event(walked("template", "api", "read"), c, bits, "message.link_tracking", event_id="e",
                         at=later(99))
    with pytest.raises(ValueError, match="clicked"):
        we.message_event(walked("template", "api", "clicked"), c, bits, "message.link_tracking", event_id="e",
                         at=later(79))
    with pytest.raises(ValueError, match="no message.received payload"):
        we.legacy_message(message("text", direction="incoming"), c, bits, "message.received", at=T0)
    with pytest.raises(ValueError, match="conv_closed"):
        we.conversation_event(c, bits, "conversation.close", event_id="e", at=T0)
    with pytest.raises(ValueError, match="unknown"):
        we.render_all(sent, c, "message.deleted", bits, event_id="e", at=T0)
    with pytest.raises(ValueError, match="needs its message"):
        we.render_all(None, c, "message.sent", bits, event_id="e", at=T0)


def test_documents_written_before_the_lifecycles_render():
    """messages.new_message today: status "sent" from the start, no *_at fields, no message_by, source "api"."""
    m = message("text", status="sent", status_history=[{"status": "sent", "timestamp": iso(T0)}])
    for key in ("message_by", "link_tracking"):
        del m[key]
    c = {k: v for k, v in conversation().items()}
    bodies = we.render_all(m, c, "message.sent", seeded_bits(), event_id="event-1", at=later(1))
    assert valid("webhooks/message.sent", bodies["envelope"]) == {}
    assert valid("webhooks/legacy.message", bodies["legacy_whatsapp"]) == {}
    assert bodies["envelope"]["payload"]["events"][0]["timestamp"] == we.second_time(T0)
    assert bodies["envelope"]["event_sequence"] == 1 and bodies["envelope"]["payload"]["message_by"] is None


# --- any lifecycle ---------------------------------------------------------------------------------
STEPS = {"send": "message.sent", "deliver": "message.delivered", "read": "message.read", "fail": "message.failed",
         "click": "message.link_tracking"}


# Templates (the only messages with clicks) and sending first are drawn more often, so that every
# event type turns up in a bounded number of examples.
steps = st.tuples(st.sampled_from(["send", "deliver", "read", "fail", "click", "click"]), st.integers(0, 600),
                  st.integers(0, 30))


@settings(max_examples=80, deadline=None)
@given(kind=st.sampled_from(["template", "template", "text", "image", "interactive"]),
       source=st.sampled_from(we.SOURCES), reply=st.booleans(), sent_first=st.booleans(),
       walk=st.lists(steps, max_size=7))
def test_any_lifecycle_emits_valid_events_that_replay_from_the_final_document(kind, source, reply, sent_first, walk):
    bits = seeded_bits()
    walk = [("send", 5, 2), *walk] if sent_first else walk
    m = message(kind, source=source, reply_to=uuid_of(77) if reply else None)
    c = wa.business_wrote(conversation(), T0, message_by=AGENTS[0], source=source)
    emitted, last_event_at = [], T0
    for step, gap, lag in walk:
        # The next change comes after the webhook reporting the last one (150 ms after it): a replay
        # renders the document as of the webhook's moment, so a change at that very instant would show.
        moment = max([parse_iso(m["modified"]), last_event_at + timedelta(milliseconds=1),
                      *(parse_iso(x["clicked_at"]) for x in m.get("link_clicks") or [])])
        moment += timedelta(seconds=gap)
        try:
            if step == "click":
                m = wa.click_link(m, moment, "btn-2")
            elif step == "fail":
                m = wa.mark_failed(m, moment, ERRORS)
            else:
                move = {"send": wa.mark_sent, "deliver": wa.mark_delivered, "read": wa.mark_read}[step]
                m = move(m, moment, reported_at=moment - timedelta(seconds=min(lag, gap)))
        except wa.IllegalTransition:
            continue
        c, sequence = wa.take_sequence(c)
        event_at = last_event_at = moment + timedelta(milliseconds=150)
        bodies = we.render_all(m, c, STEPS[step], bits, event_id=f"event-{sequence:02x}", at=event_at,
                               sequence=sequence)
        assert valid(f"webhooks/{STEPS[step]}", bodies["envelope"]) == {}
        legacy = "legacy.link_tracking" if step == "click" else "legacy.message"
        assert valid(f"webhooks/{legacy}", bodies["legacy_whatsapp"]) == {}
        assert bodies["envelope"]["payload"]["is_reply"] is reply
        emitted.append((STEPS[step], event_at, sequence, bodies))
    assert [s for _, _, s, _ in emitted] == list(range(1, len(emitted) + 1))
    for event_type, event_at, sequence, bodies in emitted:
        assert we.render_all(m, c, event_type, bits, event_id=f"event-{sequence:02x}", at=event_at,
                             sequence=sequence) == bodies, f"{event_type} replayed differently"

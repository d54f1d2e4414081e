"""The WhatsApp webhooks: the new envelope events (items 45-53) and the legacy ``"type": "message"``
payloads (items 13-20), rendered from a message document, its conversation and the tenant's bits.

Each message event shows the message *as it stood when its status was recorded* (``as_of``), so a
document that has moved on still renders its earlier events faithfully: message.sent of a message
read since says status "sent" with no delivered or read time. A link click shows the message as it
stood at the click. Conversation events show the conversation given (render them right after the
move) and the activity of that kind recorded last at or before ``at``.

Formats and times. The envelope's ``timestamp`` is Go's RFC 3339 with nanoseconds (MyOperator's
examples have 9 fractional digits, and one has 8: trailing zeros are trimmed); our clock counts
microseconds, so ours show up to 6 digits, trailing zeros trimmed the same way (none at all on a
whole second). Payload times (created, modified, expire_at, clicked_at...) have microseconds and a
Z; the ``events`` list's times are whole seconds with ".000000Z" (Meta's status times are Unix
seconds). The legacy root ``timestamp`` has microseconds.

Root fields: channel "whatsapp"; session_id the conversation's id; customer_identifier the country
code and number's digits without "+" ("917779812955"); system_identifier the sending number's
phone_number_id for message events and an *agent's* id for conversation events (the agent who
acted, ``action_by``; in both documented examples it is also the assignee), with direction "".

``payload.data`` mirrors what was sent (an outgoing text always says preview_url). A template shows
the template as the customer saw it (variables filled in; header, buttons, body, carousel) plus
``template_payload``, the variables as sent, and ``link_tracking``. When the template has been
deleted since, what the message itself says is shown.

Documented quirks reproduced on purpose:
- a legacy ``delivered`` payload shows the message as it stood *before* the delivery was recorded
  (data.status "sent", the delivered time null, modified unchanged), as both delivered examples do;
  the envelope's message.delivered says "delivered", as its examples do;
- a legacy ``failed`` payload has no phone_number_id;
- error codes are "WABA_<code>" in the legacy payloads (the field table's format) and bare "<code>"
  in the envelope (its message.failed example);
- message.link_tracking is flattened differently: the conversation and ``link_tracking`` first, no
  star_mark, metadata without errors and a top-level ``errors``, ``conversation_id``; its envelope
  payload adds ``mode`` but no ``source`` at the end (``source`` sits after ``id``);
- conversation events carry no last_message_at or unread_count; their source and mode are "lc";
- an unnamed customer's name is their country code and number ("919990094254");
- a received message's source is "lc", as in its example (the customer wrote into LiveChat);
- ``template_payload`` has header and body always (even empty) when sent through the API or
  LiveChat, only the parts given when sent by a campaign, as the examples of each source have it;
  a campaign's also lists its carousel cards' media with Meta's ids (the API example of the same
  template has none);
- the legacy payloads' template has no ``link_tracking`` (no legacy example has it);
- key order follows the examples, e.g. a template's buttons come before its body, a carousel
  card's after.
- the legacy examples contradict each other on a template (see ``template_context``): each event
  follows its own example.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from mock_server.clock import iso, parse_iso
from mock_server.domain import whatsapp
from mock_server.domain.media_types import media_kind, meta_media_id
from mock_server.domain.whatsapp_rules import PLACEHOLDER
from mock_server.store import json_copy  # documents are JSON data: a round trip copies them fastest

MESSAGE_EVENTS = ("message.received", "message.sent", "message.delivered", "message.read", "message.failed",
                  "message.link_tracking")
CONVERSATION_EVENTS = ("conversation.assign", "conversation.close")
EVENT_TYPES = MESSAGE_EVENTS + CONVERSATION_EVENTS
# The legacy format's ``event`` for each event type it is sent for.
LEGACY_EVENTS = {"message.sent": "sent", "message.delivered": "delivered", "message.read": "read",
                 "message.failed": "failed", "message.link_tracking": "message.link_tracking"}
SOURCES = ("lc", "cmp", "api")
MODE = "lc"  # "default set to \"lc\"" (the legacy field table); every example says so


# --- times -----------------------------------------------------------------------------------
def nano_time(value: str | datetime) -> str:
    """2026-04-20T10:06:07.835252Z: Go's RFC 3339 with nanoseconds, trailing zeros trimmed."""
    text = iso(whatsapp.moment(value))
    whole, fraction = text[:19], text[20:-1].rstrip("0")
    return f"{whole}.{fraction}Z" if fraction else f"{whole}Z"


def second_time(value: str | datetime | None) -> str | None:
    """2026-04-21T07:35:40.000000Z: a status's moment as Meta reports it, in whole seconds."""
    return None if value is None else iso(whatsapp.moment(value))[:19] + ".000000Z"


# --- tenant bits and small renderings --------------------------------------------------------
@runtime_checkable
class ById(Protocol):
    """Documents found one at a time by id: a dict keyed by id, or a tenant's collection."""

    def get(self, doc_id: Any, /) -> dict | None: ...


def tenant_bits(company_id: str, templates: Iterable[dict] | ById = (), media: Iterable[dict] | ById = ()) -> dict:
    """What the renderings read from the tenant besides the documents: its id, templates, media.

    Templates and media are the documents themselves (keyed here by id) or anything that finds one by
    id (the tenant's collections: an event then reads only what it names, at any number stored)."""
    return {"company_id": company_id, "templates": _by_id(templates, lambda t: t["id"]),
            "media": _by_id(media, lambda m: str(m["id"]))}


def _by_id(docs: Iterable[dict] | ById, id_of: Callable[[dict], Any]) -> ById:
    if isinstance(docs, ById):
        return docs
    return {id_of(d): d for d in docs}


def source_of(message: dict) -> str:
    """lc / cmp / api; a customer's own message (source "customer" or none) counts as LiveChat's."""
    source = message.get("source")
    return source if source in SOURCES else "lc"


def customer_identifier(conversation: dict) -> str:
    return f"{conversation['customer_country_code']}{conversation['customer_contact']}"


def customer_name(conversation: dict) -> str:
    return conversation.get("customer_name") or customer_identifier(conversation)


def message_conversation(conversation: dict) -> dict:
    """The conversation as message payloads embed it."""
    return {"id": conversation["id"], "customer_country_code": conversation["customer_country_code"],
            "customer_contact": conversation["customer_contact"], "customer_name": customer_name(conversation),
            "assigned_to": conversation.get("assigned_to"), "status": whatsapp.conversation_state(conversation),
            "expire_at": conversation.get("expire_at"), "last_message_at": conversation.get("last_message_at"),
            "created": conversation["created"], "modified": conversation["modified"],
            "unread_count": int(conversation.get("unread_count") or 0)}


def errors_for(message: dict, legacy: bool) -> dict | None:
    errors = message.get("errors")
    if not errors:
        return None
    bare = whatsapp.meta_errors(errors)
    return {f"WABA_{code}" if legacy else code: text for code, text in bare.items()}


# --- the message as an event shows it --------------------------------------------------------
def _view(message: dict, moments: dict[str, str | None], status: str) -> dict:
    """The message with only ``moments`` recorded and ``status`` current."""
    view = json_copy(message)
    view.update({field: moments[s] for s, field in whatsapp.MOMENT_FIELDS.items()})
    view["status"], view["is_read"] = status, status == "read"
    if not moments["failed"]:
        view["errors"] = None  # the failure came later
    if any(moments[s] != t for s, t in whatsapp.status_moments(message).items()):
        # modified as of then: when the last status kept was recorded
        recorded = whatsapp.recorded_moments(message)
        kept = [parse_iso(recorded.get(s) or t) for s, t in moments.items() if t]
        view["modified"] = iso(max([parse_iso(message["created"]), *kept]))
    return view


def as_of(message: dict, status: str) -> dict:
    """The message right after ``status`` was recorded; ValueError if it never was."""
    if status == "received":
        return json_copy(message) | {"status": "received"}
    moments = whatsapp.status_moments(message)
    if not moments.get(status):
        raise ValueError(f"the message was never {status}")
    if status != "failed":
        kept = whatsapp.STAGES[:whatsapp.STAGES.index(status) + 1]
        moments = {s: t if s in kept else None for s, t in moments.items()}
    return _view(message, moments, status)


def at_moment(message: dict, at: str | datetime) -> dict:
    """The message as it stood at ``at``: statuses recorded later are not there yet."""
    if message.get("direction") == "incoming":
        return json_copy(message)
    moment, recorded = whatsapp.moment(at), whatsapp.recorded_moments(message)

    def there(status: str, reported: str | None) -> bool:
        # A status is there once recorded (a read reported before ``at`` may be recorded after it);
        # a delivery the read implied was recorded with the read.
        when = recorded.get(status) or (recorded.get("read") if status == "delivered" else None) or reported
        return when is not None and reported is not None and parse_iso(when) <= moment

    moments = {s: t if there(s, t) else None for s, t in whatsapp.status_moments(message).items()}
    reached = [s for s in (*whatsapp.STAGES, "failed") if moments[s]]
    return _view(message, moments, reached[-1] if reached else "accepted")


def status_events(message: dict) -> list[dict]:
    return [{"name": s, "timestamp": second_time(message.get(whatsapp.MOMENT_FIELDS[s]))} for s in whatsapp.STAGES]


# --- payload.data --------------------------------------------------------------------------
def _fill(text: Any, values: dict) -> str:
    """A template text with the variables it was sent with; an unknown one stays as written."""
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), str(text or ""))


def _header(component: dict, given: dict, bits: dict) -> dict:
    if component.get("format", "TEXT").upper() == "TEXT":
        return {"format": "text", "text": _fill(component.get("text"), given)}
    media_id = given.get("media_id") or component.get("media_id")
    named = component.get("format", "").lower()
    kind = named if named in ("image", "video", "document") else media_kind(
        (bits["media"].get(str(media_id)) or {}).get("mime_type") or "image/jpeg")
    if given.get("media_url"):
        return {"format": kind, "media_url": given["media_url"]}
    return {"format": kind, "media_id": media_id}


# Key orders as documented: a template's own buttons (legacy link-tracking example) and a carousel card's.
TEMPLATE_BUTTON_KEYS = ("type", "format", "index", "text", "url")
CARD_BUTTON_KEYS = ("type", "text", "index", "format", "url")


def _buttons(component: dict, given: dict[int, dict], order: tuple[str, ...]) -> list[dict]:
    out = []
    for position, button in enumerate(component.get("buttons") or []):
        shown = {k: v for k, v in button.items() if k != "example"}
        shown.setdefault("index", position)
        if "url" in shown:
            shown["url"] = _fill(shown["url"], given.get(shown["index"], {}))
        out.append({**{k: shown[k] for k in order if k in shown}, **shown})
    return out


def _components(components: list[dict], sent: dict, bits: dict, *, card: bool = False) -> dict:
    """header / buttons / body / carousel of a template, or header / body / buttons of a carousel
    card (the documented orders), as the webhooks show them."""
    by_type = {c.get("type"): c for c in components or []}
    button_values = {b["index"]: b for b in sent.get("buttons") or [] if isinstance(b, dict) and "index" in b}
    out: dict[str, Any] = {}
    if "HEADER" in by_type:
        out["header"] = _header(by_type["HEADER"], sent.get("header") or {}, bits)
    buttons = (_buttons(by_type["BUTTONS"], button_values, CARD_BUTTON_KEYS if card else TEMPLATE_BUTTON_KEYS)
               if "BUTTONS" in by_type else None)
    if buttons is not None and not card:
        out["buttons"] = buttons
    out["body"] = {"type": "text", "context": _fill((by_type.get("BODY") or {}).get("text"), sent.get("body") or {})}
    if buttons is not None and card:
        out["buttons"] = buttons
    if "CAROUSEL" in by_type:
        cards = by_type["CAROUSEL"].get("cards") or []
        out["carousel"] = [{"index": card.get("index", n),
                            "components": _components(card.get("components"), {}, bits, card=True)}
                           for n, card in enumerate(cards)]
    return out


def template_payload(message: dict, sent: dict, template: dict, bits: dict) -> dict:
    """The variables as sent: header and body always (API, LiveChat), only those given (campaigns); a
    campaign also lists its carousel cards' media with Meta's id for each (the campaign examples)."""
    payload: dict[str, Any] = {"header": dict(sent.get("header") or {}), "body": dict(sent.get("body") or {})}
    if sent.get("buttons"):
        payload["buttons"] = json_copy(sent["buttons"])
    if source_of(message) == "cmp":
        payload = {key: value for key, value in payload.items() if value}
        if cards := _card_media(template, bits):
            payload["carousel"] = cards
    return payload


def _card_media(template: dict, bits: dict) -> list[dict]:
    carousel: dict = next((c for c in template.get("components") or [] if c.get("type") == "CAROUSEL"), {})
    out = []
    for n, card in enumerate(carousel.get("cards") or []):
        header: dict = next((c for c in card.get("components") or [] if c.get("type") == "HEADER"), {})
        if media_id := header.get("media_id"):
            stored = bits["media"].get(str(media_id)) or {}
            out.append({"index": card.get("index", n), "components": {"header": {
                "media_id": media_id, "meta_media_id": stored.get("meta_media_id") or meta_media_id(str(media_id))}}})
    return out


# The legacy link-tracking example's category is a number (1, its template a marketing one); the
# mapping is undocumented: Meta's order of the categories, which the template API names.
LEGACY_CATEGORY_NUMBERS = {"marketing": 1, "utility": 2, "authentication": 3}


def template_context(message: dict, bits: dict, *, legacy: bool = False, link: bool = False) -> dict:
    """A template as the customer saw it. The legacy examples disagree with each other, and each is
    followed for its own event: the legacy message events (2024) say ``id`` and the category's name
    and have no template_payload; the legacy link click (2025) says ``template_id``, the category's
    number, and has the template_payload the envelope's events have."""
    sent = ((message.get("payload") or {}).get("context")) or {}
    template = bits["templates"].get(message.get("template_id")) or {}
    category = template.get("category") or message.get("category") or "marketing"
    context = {"id" if legacy and not link else "template_id": message.get("template_id") or template.get("id"),
               "name": template.get("name") or sent.get("template_name"),
               "language": template.get("language") or sent.get("language")
               or (message.get("payload") or {}).get("language") or "en",
               "category": LEGACY_CATEGORY_NUMBERS.get(category, category) if legacy and link else category}
    context.update(_components(template.get("components") or [], sent, bits))
    if link or not legacy:
        context["template_payload"] = template_payload(message, sent, template, bits)
    if not legacy:  # no legacy example has it
        context["link_tracking"] = bool(message.get("link_tracking", template.get("link_tracking", False)))
    return context


def message_data(message: dict, bits: dict, *, legacy: bool = False, link: bool = False) -> dict:
    """payload.data: what was sent (or received), a template as the customer saw it."""
    sent = message.get("payload") or {"type": message.get("type") or "text", "context": {}}
    if sent["type"] == "template":
        return {"type": "template", "context": template_context(message, bits, legacy=legacy, link=link)}
    context = json_copy(sent.get("context") or {})
    if sent["type"] == "text" and message.get("direction") == "outgoing":
        context = {"body": context.get("body", ""), "preview_url": bool(context.get("preview_url"))}
    return {"type": sent["type"], "context": context}


# --- payloads --------------------------------------------------------------------------------
def message_payload(view: dict, conversation: dict, bits: dict, *, legacy: bool) -> dict:
    """The message as message.* events carry it (the legacy payload's ``data``), without mode/source."""
    payload = {
        "id": view["id"], "message_by": view.get("message_by"), "action": view["direction"],
        "status": view["status"], "is_reply": view.get("reply_to") is not None, "reply_to": view.get("reply_to"),
        "reply_data": None, "data": message_data(view, bits, legacy=legacy),
        "metadata": {"waba_msg_id": view["waba_msg_id"], "myop_ref_id": view.get("myop_ref_id"),
                     "errors": errors_for(view, legacy)},
        "star_mark": False, "created": view["created"], "modified": view["modified"],
        "is_read": view["status"] == "read", "events": status_events(view),
        "conversation": message_conversation(conversation), "activity": None,
    }
    if not (legacy and view["status"] == "failed"):  # the legacy failed example has no phone_number_id
        payload["phone_number_id"] = view["phone_number_id"]
    return payload


def latest_click(message: dict, at: str | datetime) -> dict:
    moment = whatsapp.moment(at)
    clicks = [c for c in message.get("link_clicks") or [] if parse_iso(c["clicked_at"]) <= moment]
    if not clicks:
        raise ValueError(f"no tracked link of the message had been clicked at {iso(moment)}")
    return clicks[-1]


def link_payload(message: dict, conversation: dict, bits: dict, at: str | datetime, *, legacy: bool) -> dict:
    """message.link_tracking's flattening (the legacy payload's ``data``, or the envelope's payload)."""
    click = latest_click(message, at)
    view = at_moment(message, click["clicked_at"])
    data = message_data(view, bits, legacy=legacy, link=True)
    payload = {
        "conversation": message_conversation(conversation),
        "link_tracking": {"template_id": data["context"].get("template_id"),
                          "template_name": data["context"].get("name"), "button_info": click["button_info"],
                          "clicked_at": click["clicked_at"]},
        "activity": None, "id": view["id"], "source": source_of(view), "action": view["direction"], "data": data,
        "status": view["status"], "is_read": view["status"] == "read", "message_by": view.get("message_by"),
        "is_reply": view.get("reply_to") is not None, "reply_to": view.get("reply_to"), "reply_data": None,
        "metadata": {"waba_msg_id": view["waba_msg_id"], "myop_ref_id": view.get("myop_ref_id")},
        "events": status_events(view), "created": view["created"], "modified": view["modified"],
        "errors": errors_for(view, legacy), "conversation_id": conversation["id"],
        "phone_number_id": view["phone_number_id"],
    }
    if not legacy:
        payload["mode"] = MODE
    return payload


def _event_view(message: dict, event_type: str) -> dict:
    status = event_type.removeprefix("message.")
    if message.get("direction") != ("incoming" if status == "received" else "outgoing"):
        raise ValueError(f"an {message.get('direction')} message emits no {event_type}")
    return as_of(message, status)


# --- the envelope ----------------------------------------------------------------------------
def envelope(conversation: dict, bits: dict, event_type: str, payload: dict, *, event_id: str,
             at: str | datetime, sequence: int | None, direction: str, system_identifier: str | None) -> dict:
    return {
        "company_id": bits["company_id"], "event_id": event_id, "event_type": event_type,
        "event_sequence": sequence if sequence is not None else max(int(conversation.get("event_sequence") or 0), 1),
        "event_version": "1", "timestamp": nano_time(at), "channel": "whatsapp", "direction": direction,
        "session_id": conversation["id"], "system_identifier": system_identifier,
        "customer_identifier": customer_identifier(conversation), "payload": payload,
    }


def message_event(message: dict, conversation: dict, bits: dict, event_type: str, *, event_id: str,
                  at: str | datetime, sequence: int | None = None) -> dict:
    """message.received / sent / delivered / read / failed / link_tracking in the new envelope."""
    if event_type == "message.link_tracking":
        payload = link_payload(message, conversation, bits, at, legacy=False)
    elif event_type in MESSAGE_EVENTS:
        payload = message_payload(_event_view(message, event_type), conversation, bits, legacy=False)
        payload.update(mode=MODE, source=source_of(message))
    else:
        raise ValueError(f"unknown message event {event_type!r}")
    return envelope(conversation, bits, event_type, payload, event_id=event_id, at=at, sequence=sequence,
                    direction=message["direction"], system_identifier=message["phone_number_id"])


def conversation_event(conversation: dict, bits: dict, event_type: str, *, event_id: str, at: str | datetime,
                       sequence: int | None = None) -> dict:
    """conversation.assign / conversation.close: the conversation and the activity that moved it."""
    kinds = {"conversation.assign": "conv_assigned", "conversation.close": "conv_closed"}
    if event_type not in kinds:
        raise ValueError(f"unknown conversation event {event_type!r}")
    activity = whatsapp.latest_activity(conversation, kinds[event_type], at)
    if activity is None:
        raise ValueError(f"the conversation has no {kinds[event_type]} activity at or before "
                         f"{iso(whatsapp.moment(at))}")
    payload = {"id": conversation["id"], "customer_country_code": conversation["customer_country_code"],
               "customer_contact": conversation["customer_contact"], "customer_name": customer_name(conversation),
               "assigned_to": conversation.get("assigned_to"), "status": whatsapp.conversation_state(conversation),
               "expire_at": conversation.get("expire_at"), "created": conversation["created"],
               "modified": conversation["modified"], "activity": dict(activity), "mode": MODE, "source": "lc"}
    return envelope(conversation, bits, event_type, payload, event_id=event_id, at=at, sequence=sequence,
                    direction="", system_identifier=activity["action_by"])


# --- the legacy "type": "message" payloads ---------------------------------------------------
def legacy_message(message: dict, conversation: dict, bits: dict, event_type: str, *, at: str | datetime) -> dict:
    """The legacy payload of message.sent / delivered / read / failed / link_tracking."""
    if event_type not in LEGACY_EVENTS:
        raise ValueError(f"the legacy format has no {event_type} payload")
    if event_type == "message.link_tracking":
        data = link_payload(message, conversation, bits, at, legacy=True)
    else:
        view = _event_view(message, event_type)
        if event_type == "message.delivered":  # as documented: the message just before the delivery
            view = as_of(message, "sent")
        data = message_payload(view, conversation, bits, legacy=True)
    return {"type": "message", "source": source_of(message), "mode": MODE, "event": LEGACY_EVENTS[event_type],
            "timestamp": iso(whatsapp.moment(at)), "data": data}


def render_all(message: dict | None, conversation: dict, event_type: str, bits: dict, *, event_id: str,
               at: str | datetime, sequence: int | None = None) -> dict:
    """The ``bodies`` of a domain event: the envelope, and the legacy payload when that format has one."""
    if event_type in CONVERSATION_EVENTS:
        return {"envelope": conversation_event(conversation, bits, event_type, event_id=event_id, at=at,
                                               sequence=sequence), "legacy_whatsapp": None}
    if message is None:
        raise ValueError(f"{event_type} needs its message")
    return {"envelope": message_event(message, conversation, bits, event_type, event_id=event_id, at=at,
                                      sequence=sequence),
            "legacy_whatsapp": (legacy_message(message, conversation, bits, event_type, at=at)
                                if event_type in LEGACY_EVENTS else None)}


def domain_event(message: dict | None, conversation: dict, event_type: str, bits: dict, *, event_id: str,
                 at: str | datetime, sequence: int | None = None) -> dict:
    """The whole domain event ``ctx.webhooks.emit`` takes (channel "whatsapp", session = the conversation)."""
    return {"event_id": event_id, "event_type": event_type, "channel": "whatsapp", "session_id": conversation["id"],
            "at": iso(whatsapp.moment(at)),
            "bodies": render_all(message, conversation, event_type, bits, event_id=event_id, at=at, sequence=sequence)}

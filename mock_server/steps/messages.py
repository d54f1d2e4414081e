"""WhatsApp actions: each step moves the run's message, conversation, template or campaign through
the lifecycles of ``domain.whatsapp`` and emits the webhooks that moment produces, rendered by
``domain.whatsapp_events``.

The documents are the tenant's own (``messages``, ``conversations``, ``templates``, ``campaigns``),
the ones the public API and GET /_mock/tenants/{id}/messages read, so what the webhooks said is what
the APIs answer afterwards. As in ``call_steps``, a step first computes the new documents and
renders its events (either may refuse with ValueError, IllegalTransition included: the run fails
and nothing was stored), then stores them and emits. Each event takes its conversation's next
event_sequence (``whatsapp.take_sequence``): the conversation is the webhooks' session.

The run's state: ``message_id``, ``conversation_id`` and ``session_id`` (the conversation) for a
message or conversation run, ``template_id`` for a template review, ``campaign_id`` and its
``message_ids`` for a campaign. ``message.accept`` adopts a message the API accepted (its
``message`` argument, which the send trigger passes) or composes a template message from the
scenario's parameters, the variables filled from the template's examples. Messages a scenario
composes are not billed. Template reviews emit nothing: the docs have no template webhook.

A campaign run sends its template to each recipient and starts one lifecycle run per message (the
message rules' scenario for the recipient's number, or the failure / unread outcome its parameters
ask for), so each message plays like an API-sent one; every move of a campaign's message refreshes
the campaign's stats (``campaigns.stats_of``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from mock_server.clock import iso, parse_iso
from mock_server.domain import whatsapp, whatsapp_events, whatsapp_rules
from mock_server.domain.calls import next_state
from mock_server.engine import message_rules, runner
from mock_server.engine.steps import Step
from mock_server.phones import code_length, is_e164
from mock_server.refusals import Refusal
from mock_server.services import campaigns, messaging, phonenumbers, templates
from mock_server.services.templates import approved
from mock_server.steps.message_kinds import campaign_id_of, meta_error
from mock_server.store import TenantState
from mock_server.store.names import CAMPAIGNS, CONTACTS, CONVERSATIONS, MEDIA, MESSAGES, TEMPLATES, USERS

if TYPE_CHECKING:
    from mock_server.context import AppContext


# --- publishing -----------------------------------------------------------------------------------
def publish(ctx: AppContext, tenant: TenantState, at: datetime, conversation: dict, message: dict | None,
            event_type: str) -> dict:
    """Render the event (taking the conversation's next event_sequence), then store and emit; the
    conversation as stored. A campaign's message refreshes the campaign's stats."""
    # The collections themselves, as by-id lookups: an event reads the template and media it names, no more.
    bits = whatsapp_events.tenant_bits(tenant.company_id, tenant[TEMPLATES], tenant[MEDIA])
    conversation, sequence = whatsapp.take_sequence(conversation)
    event = whatsapp_events.domain_event(message, conversation, event_type, bits, event_id=ctx.webhooks.new_event_id(),
                                         at=at, sequence=sequence)
    tenant[CONVERSATIONS].put(conversation)
    if message is not None:
        tenant[MESSAGES].put(message)
        refresh_campaigns(tenant, message, at)
    ctx.webhooks.emit(tenant, event)
    return conversation


def refresh_campaigns(tenant: TenantState, message: dict, at: datetime) -> None:
    """The stats of the campaign a message belongs to (a customer's reply: of its conversation's campaigns)."""
    if message.get("direction") == "incoming":
        sent = tenant[MESSAGES].lookup("campaign_conversation", _campaign_conversation, message["conversation_id"])
        campaign_ids = {m["campaign_id"] for m in sent}
    else:
        campaign_ids = {message["campaign_id"]} if message.get("campaign_id") is not None else set()
    for campaign_id in sorted(campaign_ids):
        campaign = tenant[CAMPAIGNS].get(campaign_id)
        if campaign is not None and campaign.get("stats") is not None:
            stats = campaigns.stats_of(campaign, _campaign_messages(tenant, campaign_id),
                                          _incoming_of(tenant), at)
            tenant[CAMPAIGNS].put(dict(campaign, stats=stats, modified_at=stats["modified_at"]))


def _campaign_messages(tenant: TenantState, campaign_id: int) -> list[dict]:
    return tenant[MESSAGES].lookup("campaign_id", lambda m: m.get("campaign_id"), campaign_id)


def _campaign_conversation(message: dict) -> str | None:
    """The conversation of a campaign's message (None for any other: a reply reads only its campaigns')."""
    return message.get("conversation_id") if message.get("campaign_id") is not None else None


def _conversation_messages(tenant: TenantState, conversation_id: str) -> list[dict]:
    return tenant[MESSAGES].lookup("conversation_id", lambda m: m.get("conversation_id"), conversation_id)


def _incoming_of(tenant: TenantState):
    return lambda conversation_id: [m for m in _conversation_messages(tenant, conversation_id)
                                    if m.get("direction") == "incoming"]


# --- what steps and the control plane share --------------------------------------------------------
def recipient_of(number: str) -> tuple[str, str]:
    """(country code, number) of an E.164 number WhatsApp can deliver to."""
    digits = number.removeprefix("+") if isinstance(number, str) and is_e164(number) else ""
    who = whatsapp_rules.recipient(digits[:code_length(digits)], digits[code_length(digits):]) if digits else None
    if who is None:
        raise ValueError(f"WhatsApp cannot deliver to {str(number)[:20]!r} (131026 Message undeliverable)")
    return who


def receive(ctx: AppContext, tenant: TenantState, at: datetime, phone_number_id: str, who: tuple[str, str],
            text: str) -> tuple[dict, dict]:
    """A customer writes: message.received; the conversation is created or revived, its window opens."""
    return _received(ctx, tenant, at, phone_number_id, who, {"type": "text", "context": {"body": text}})


# Received media, as the live service pushes it (OBSERVED.md D.28-29): message.received at once with
# context.link null (its copy not stored yet), then again, the same payload.id, once the link is ready.
MEDIA_MIME_TYPES = {"image": "image/jpeg", "video": "video/mp4", "audio": "audio/ogg", "document": "application/pdf"}
MEDIA_LINKS = "https://myoperator-whatsapp-media.s3.ap-south-1.amazonaws.com"  # its own public copy: no token
MEDIA_EXTENSIONS = {"image": ".jpg", "video": ".mp4", "audio": ".ogg", "document": ".pdf"}


def receive_media(ctx: AppContext, tenant: TenantState, at: datetime, phone_number_id: str, who: tuple[str, str],
                  kind: str, caption: str = "") -> tuple[dict, dict]:
    """A customer sends media: the first message.received, its link not there yet."""
    context = {"link": None, "media_id": ctx.ids.digits(16), "mime_type": MEDIA_MIME_TYPES[kind]}
    if kind != "audio":
        context["caption"] = caption or None
    if kind == "document":
        context["filename"] = "document.pdf"
    return _received(ctx, tenant, at, phone_number_id, who, {"type": kind, "context": context})


def media_ready(ctx: AppContext, tenant: TenantState, at: datetime, message: dict) -> dict:
    """The received media's copy is stored: message.received again, the same message with its link."""
    kind, context = message["payload"]["type"], message["payload"]["context"]
    if context.get("link") is not None:
        raise ValueError("the message's media link is already there")
    link = f"{MEDIA_LINKS}/{tenant.company_id}/{message['id']}{MEDIA_EXTENSIONS[kind]}"
    ready = dict(message, payload={"type": kind, "context": dict(context, link=link)}, modified=iso(at))
    publish(ctx, tenant, at, tenant[CONVERSATIONS].require(message["conversation_id"]), ready, "message.received")
    return ready


def _received(ctx: AppContext, tenant: TenantState, at: datetime, phone_number_id: str, who: tuple[str, str],
              payload: dict) -> tuple[dict, dict]:
    conversation = messaging.conversation_for(ctx, tenant, at, phone_number_id, *who)
    message = messaging.new_message(ctx, conversation, at, direction="incoming", type=payload["type"],
                                    status="received", payload=payload, source="customer")
    conversation = whatsapp.customer_wrote(conversation, at)
    return message, publish(ctx, tenant, at, conversation, message, "message.received")


def assign(ctx: AppContext, tenant: TenantState, at: datetime, conversation: dict, agent_id: str, by: str) -> dict:
    moved = whatsapp.assign(conversation, at, agent_id=agent_id, by=by, activity_id=ctx.ids.uuid())
    return publish(ctx, tenant, at, moved, None, "conversation.assign")


def close(ctx: AppContext, tenant: TenantState, at: datetime, conversation: dict, by: str | None) -> dict:
    by = by or conversation.get("assigned_to")
    if by is None:
        raise whatsapp.IllegalTransition("conversation", whatsapp.conversation_state(conversation), "close",
                                         "nobody is assigned: say which agent closes it")
    moved = whatsapp.close(conversation, at, by=by, activity_id=ctx.ids.uuid())
    return publish(ctx, tenant, at, moved, None, "conversation.close")


def agent_replies(ctx: AppContext, tenant: TenantState, at: datetime, conversation: dict, agent_id: str | None,
                  text: str) -> dict:
    """An agent replies from the LiveChat panel (source "lc"): free text, so only inside the 24-hour
    window; a session message's price from the wallet, as through the API; the reply takes over a
    conversation nobody had. The accepted message is returned; its lifecycle is the caller's to start."""
    agent = agent_id or conversation.get("assigned_to")
    if agent is None:
        raise whatsapp.IllegalTransition("conversation", whatsapp.conversation_state(conversation), "reply",
                                         "nobody is assigned: say which agent replies (by)")
    expires = conversation.get("expire_at")
    if expires is None or parse_iso(expires) <= at:
        raise whatsapp.IllegalTransition("conversation", whatsapp.conversation_state(conversation), "reply",
                                         "the 24-hour window is closed: LiveChat sends free text only inside it")
    check_sender(tenant, conversation["phone_number_id"])
    cost = whatsapp_rules.price("text", "service")
    try:
        messaging.balance_after(tenant.account, cost)  # before the panel's reference takes an id
    except Refusal:
        raise ValueError("Insufficient Balance (CHAT_4001): the wallet cannot pay for a session message") from None
    message, _ = messaging.send(ctx, tenant, at, messaging.Outgoing(
        phone_number_id=conversation["phone_number_id"],
        who=(conversation["customer_country_code"], conversation["customer_contact"]), type="text",
        payload={"type": "text", "context": {"body": text, "preview_url": False}}, source="lc", message_by=agent,
        price=cost, billed=True,
        myop_ref_id=ctx.ids.uuid()))  # the panel's own reference, as the LiveChat examples carry one
    return message


def example_context(template: dict) -> dict:
    """The variables of a template message, filled from the template's examples (else their names)."""
    components = {c.get("type"): c for c in template.get("components") or [] if isinstance(c, dict)}

    def values(names: list[str], example) -> dict:
        example = example if isinstance(example, dict) else {}
        return {n: str(example[n]) if example.get(n) not in (None, "") else n for n in names}

    context: dict = {}
    header = components.get("HEADER")
    if header and str(header.get("format", "TEXT")).upper() in whatsapp_rules.MEDIA_HEADER_FORMATS:
        if not header.get("media_id"):
            raise ValueError(f"template {template.get('name')!r} has a media header without sample media")
        context["header"] = {"media_id": header["media_id"]}
    elif header and whatsapp_rules.variables(header.get("text")):
        context["header"] = values(whatsapp_rules.variables(header.get("text")), header.get("example"))
    body = components.get("BODY") or {}
    context["body"] = values(whatsapp_rules.variables(body.get("text")), body.get("example"))
    buttons = []
    for button in (components.get("BUTTONS") or {}).get("buttons") or []:
        if button.get("type") == "OTP":
            buttons.append({"index": button["index"], "otp": context["body"].get("otp", "123456")})
        elif button.get("type") == "URL" and whatsapp_rules.variables(button.get("url")):
            names = whatsapp_rules.variables(button["url"])
            buttons.append({"index": button["index"], **values(names, button.get("example"))})
    if buttons:
        context["buttons"] = buttons
    return context


def check_sender(tenant: TenantState, phone_number_id: str) -> None:
    """ValueError when the company may not send from this number now (as POST /chat/messages refuses)."""
    try:
        phonenumbers.sender_waba(tenant, phone_number_id)
    except Refusal as refusal:
        raise ValueError(f"{phone_number_id} may not send: {refusal.code} {refusal.message}") from None


@dataclass(frozen=True)
class TemplateMessage:
    """A template message a scenario composes: from which number to whom, filled with ``context``."""
    phone_number_id: str
    who: tuple[str, str]
    template: dict
    context: dict
    source: str
    message_by: str | None
    link_tracking: bool = False
    campaign_id: int | None = None


def send_template(ctx: AppContext, tenant: TenantState, at: datetime, out: TemplateMessage) -> dict:
    """An accepted outgoing template message (its conversation written, priced, not billed); nothing is
    emitted yet."""
    template = out.template
    check_sender(tenant, out.phone_number_id)
    if not approved(template):
        raise ValueError(f"template {template['name']!r} is not approved")
    if errors := whatsapp_rules.template_errors(template, out.context):
        raise ValueError(f"template {template['name']!r} cannot be filled: {errors}")
    if out.link_tracking and not whatsapp.tracked_buttons(template):
        raise ValueError(f"template {template['name']!r} has no URL button to track")
    category = template.get("category") or "marketing"
    message, _ = messaging.send(ctx, tenant, at, messaging.Outgoing(
        phone_number_id=out.phone_number_id, who=out.who, type="template", template_id=template["id"],
        category=category, payload={"type": "template", "context": {
            "template_name": template["name"], "language": template.get("language") or "en", **out.context}},
        price=whatsapp_rules.price("template", category), billed=False, source=out.source,
        message_by=out.message_by, link_tracking=out.link_tracking, campaign_id=out.campaign_id,
        myop_ref_id="" if out.source == "cmp" else None))  # a campaign's messages carry "", as its examples show
    return message


# --- the run's documents ------------------------------------------------------------------------------
def _message(step: Step) -> dict:
    return step.stored(MESSAGES, "message_id", "its first step must be message.accept or message.receive")


def _conversation(step: Step) -> dict:
    return step.stored(CONVERSATIONS, "conversation_id", "a message step must come first")


def _user(tenant: TenantState, user_id) -> str:
    user = tenant[USERS].get(user_id) if isinstance(user_id, str) else None
    if user is None:
        raise ValueError(f"no user {user_id!r} in this company")
    return user["id"]


def _remember(step: Step, message: dict) -> None:
    step.state.update(message_id=message["id"], conversation_id=message["conversation_id"],
                      session_id=message["conversation_id"])


def _move(step: Step, moved: dict, event_type: str) -> None:
    publish(step.ctx, step.tenant, step.at, _conversation(step), moved, event_type)


# --- message and conversation actions --------------------------------------------------------------
def accept(step: Step) -> None:
    args, tenant = step.args, step.tenant
    if "message_id" in step.state:
        raise ValueError("the run already has its message")
    if args.get("message"):
        message = tenant[MESSAGES].get(args["message"])
        if message is None or message.get("direction") != "outgoing":
            raise ValueError(f"no outgoing message {args['message']!r} in this company")
        if whatsapp.message_state(message) != "accepted":
            raise ValueError(f"message {message['id']} is already {message['status']}: a lifecycle starts at accepted")
    else:
        if not args.get("phone_number") or not args.get("customer"):
            raise ValueError("a new message needs its phone_number and customer")
        template = (templates.find(tenant, args["template"]) if args.get("template")
                    else tenant[TEMPLATES].find(approved))
        if template is None:
            raise ValueError(f"no template {args.get('template')!r} to send" if args.get("template")
                             else "the company has no approved template to send")
        message_by = _user(tenant, args["agent"]) if args.get("agent") else messaging.api_user(tenant)
        message = send_template(step.ctx, tenant, step.at, TemplateMessage(
            phone_number_id=args["phone_number"], who=recipient_of(args["customer"]), template=template,
            context=example_context(template), source=args.get("source", "api"), message_by=message_by,
            link_tracking=bool(args.get("link_tracking"))))
    _remember(step, message)


def send(step: Step) -> None:
    _move(step, whatsapp.mark_sent(_message(step), step.at), "message.sent")


def deliver(step: Step) -> None:
    _move(step, whatsapp.mark_delivered(_message(step), step.at), "message.delivered")


def read(step: Step) -> None:
    _move(step, whatsapp.mark_read(_message(step), step.at), "message.read")


def fail(step: Step) -> None:
    errors = meta_error(step.tenant, step.args["errors"], {})  # a literal default arrives as its code
    _move(step, whatsapp.mark_failed(_message(step), step.at, errors), "message.failed")


def click(step: Step) -> None:
    message = _message(step)
    template = step.tenant[TEMPLATES].get(message.get("template_id")) or {}
    tracked = whatsapp.tracked_buttons(template)
    button = step.args.get("button") or (tracked[0] if tracked else None)
    if button is None or (template and button not in tracked):
        raise ValueError(f"the message's template has no URL button {button!r} "
                         f"(tracked: {', '.join(tracked) or 'none'})")
    _move(step, whatsapp.click_link(message, step.at, button), "message.link_tracking")


def _writer(step: Step) -> tuple[str, tuple[str, str]]:
    """The company's number a customer writes to, and who they are (country code, number)."""
    if phonenumbers.phone_number(step.tenant, step.args["phone_number"]) is None:
        raise ValueError(f"no WhatsApp number {step.args['phone_number']!r} in this company")
    return step.args["phone_number"], recipient_of(step.args["customer"])


def customer_writes(step: Step) -> None:
    message, _ = receive(step.ctx, step.tenant, step.at, *_writer(step), step.args["text"])
    _remember(step, message)


def customer_sends_media(step: Step) -> None:
    message, _ = receive_media(step.ctx, step.tenant, step.at, *_writer(step), step.args["media"],
                               step.args.get("caption") or "")
    _remember(step, message)


def media_link_ready(step: Step) -> None:
    media_ready(step.ctx, step.tenant, step.at, _message(step))


def assign_step(step: Step) -> None:
    agent = _user(step.tenant, step.args["agent"])
    by = _user(step.tenant, step.args["by"]) if step.args.get("by") else agent
    assign(step.ctx, step.tenant, step.at, _conversation(step), agent, by)


def close_step(step: Step) -> None:
    by = _user(step.tenant, step.args["by"]) if step.args.get("by") else None
    close(step.ctx, step.tenant, step.at, _conversation(step), by)


# --- template reviews (no webhook: the docs have none) -------------------------------------------------
def _template(step: Step) -> dict:
    template = templates.find(step.tenant, step.args["template"])
    if template is None:
        raise ValueError(f"no template {step.args['template']!r} in this company")
    return template


def submit(step: Step) -> None:
    """The template is (back) in review and this run decides it: the review rules' job is cancelled."""
    template = _template(step)
    templates.cancel_review(step.ctx, step.tenant, template)
    held = {k: v for k, v in template.items() if k != "review_job_id"}
    if held["waba_template_status"] != "pending":
        status = next_state(whatsapp.REVIEW_TABLE, "template review", held["waba_template_status"], "submit")
        held.update(waba_template_status=status, failure_reason=None, modified=iso(step.at))
    step.tenant[TEMPLATES].put(held)
    step.state["template_id"] = held["id"]


def review(step: Step) -> None:
    template, outcome = _template(step), step.args["outcome"]
    if template["waba_template_status"] != "pending":
        raise ValueError(f"template {template['name']!r} is not in review (it is {template['waba_template_status']})")
    reason = (step.args.get("reason") or "NONE") if outcome == "rejected" else None
    templates.cancel_review(step.ctx, step.tenant, template)
    templates.decide(step.ctx, step.tenant, template, outcome, reason)
    step.state["template_id"] = template["id"]


# --- campaigns -----------------------------------------------------------------------------------------
def _campaign(step: Step, status: str) -> dict:
    campaign_id = campaign_id_of(step.args.get("campaign", step.state.get("campaign_id")))
    campaign = step.tenant[CAMPAIGNS].get(campaign_id) if campaign_id is not None else None
    if campaign is None:
        raise ValueError(f"no campaign {campaign_id!r} in this company")
    if campaign.get("status") != status:
        raise ValueError(f"campaign {campaign['id']} is {campaign.get('status')}, not {status}")
    return campaign


def _outcomes(step: Step, recipients: list[tuple[dict, tuple[str, str]]]) -> list[tuple[str, dict, str]]:
    """(scenario, params, chosen_by) per recipient: the last ``failed`` fail, the ``unread`` before them
    are never read, the others follow the message rules of their number."""
    n, failed, unread = len(recipients), step.args.get("failed", 0), step.args.get("unread", 0)
    chosen = []
    for index, (_, who) in enumerate(recipients):
        if index >= n - failed:
            chosen.append(("whatsapp-failed", {"error": step.args.get("error") or "131026"}, "campaign:failed"))
        elif index >= n - failed - unread:
            chosen.append(("whatsapp-delivered", {}, "campaign:unread"))
        else:
            outcome = message_rules.outcome_of(f"+{who[0]}{who[1]}")
            chosen.append((outcome.scenario, dict(outcome.params), f"rule:{outcome.name}"))
    return chosen


def start_campaign(step: Step) -> None:
    """The campaign runs: its template goes to each recipient (source "cmp"), each message on its lifecycle."""
    ctx, tenant = step.ctx, step.tenant
    campaign = _campaign(step, "scheduled")
    template = tenant[TEMPLATES].get(campaign.get("template_id"))
    if template is None or not approved(template):
        raise ValueError(f"campaign {campaign['id']}'s template is {'gone' if template is None else 'not approved'}")
    recipients = campaigns.audience(campaign, tenant[CONTACTS], step.args.get("recipients"))
    if not recipients:
        raise ValueError("the company has no contacts WhatsApp can deliver to: the campaign has no audience")
    outcomes = _outcomes(step, recipients)
    check_sender(tenant, campaign["phone_number_id"])  # refusals before anything is written
    for scenario in {s for s, _, _ in outcomes}:
        runner.find(ctx, scenario)  # UnknownScenario is a ValueError too
    sender = campaigns.sender_of(campaign) or messaging.api_user(tenant)
    tenant[CAMPAIGNS].put(dict(campaign, status="running", modified_at=iso(step.at),
                               stats=campaigns.stats_of(campaign, [], lambda _: [], step.at, started=True)))
    message_ids = []
    for (contact, who), (scenario, extra, chosen_by) in zip(recipients, outcomes, strict=True):
        message = send_template(ctx, tenant, step.at, TemplateMessage(
            phone_number_id=campaign["phone_number_id"], who=who, template=template,
            context=campaigns.context_for(campaign, contact, example_context(template)), source="cmp",
            message_by=sender, campaign_id=campaign["id"]))
        message_ids.append(message["id"])
        params = {**message_rules.fitted(ctx, scenario, message_rules.message_params(message)), **extra}
        trigger = {"kind": "campaign", "campaign_id": campaign["id"], "run_id": step.run["id"], "chosen_by": chosen_by}
        runner.start_run(ctx, tenant, scenario, params, trigger=trigger, at=step.at)
    refresh_campaigns(tenant, tenant[MESSAGES].require(message_ids[0]), step.at)
    step.state.update(campaign_id=campaign["id"], message_ids=message_ids)


def finish_campaign(step: Step) -> None:
    """Every message has been handed to Meta: the campaign is completed (receipts still update its stats)."""
    campaign = _campaign(step, "running")
    messages = _campaign_messages(step.tenant, campaign["id"])
    waiting = [m["id"] for m in messages if whatsapp.message_state(m) == "accepted"]
    if waiting:
        raise ValueError(f"{len(waiting)} of the campaign's messages are not sent yet: finish it later")
    stats = campaigns.stats_of(campaign, messages, _incoming_of(step.tenant), step.at, finished=True)
    step.tenant[CAMPAIGNS].put(dict(campaign, status="completed", stats=stats, modified_at=stats["modified_at"]))

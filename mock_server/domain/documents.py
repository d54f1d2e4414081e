"""The shapes of the stored documents that pass through most of the code, field by field.

Documents are plain dicts (they are JSON on disk, in dumps and in fixtures), so these TypedDicts name
their fields rather than wrap them: read one to learn what a session or a message holds without
following the code that builds it. ``tests/domain/test_documents.py`` plays every shipped scenario and
checks every stored document against its shape, so a field added or dropped in the code must be added
or dropped here too.
"""

# No ``from __future__ import annotations``: TypedDict reads NotRequired only from evaluated annotations.
from typing import Any, NotRequired, TypedDict


class Customer(TypedDict):
    number: str  # E.164
    country_code: str
    name: str


class Leg(TypedDict):
    """One party of a call (``domain.calls.start_leg``): an agent, the customer, a transfer target."""

    leg_index: int  # from 1, in the order dialled
    type: str  # PARTY_TYPES
    user_id: str | None
    name: str
    phone: str
    pickup_device: str
    department_id: str | None
    inbound: bool
    state: str  # LegState
    result: str
    dial_status: str | None
    started_at: str
    ringing_at: str | None
    answered_at: str | None
    ended_at: str | None
    ring_duration: int | None
    talk_duration: int | None
    transferred_from: int | None
    transferred_to: int | None


class Session(TypedDict):
    """A call or SMS log (``domain.calls.new_session``), the one call model every surface renders."""

    id: str
    uid: str  # the webhooks' session_id
    company_id: str
    category: str  # CATEGORIES
    direction: str
    type: str  # "call" / "sms"
    source: str
    state: str  # SessionState
    status: str | None
    bridged: bool
    customer: Customer
    did: str
    department: dict[str, Any] | None
    ivr_id: str | None
    ivr_started_at: NotRequired[str | None]  # once the IVR has answered
    notification: str | None
    dialer: str | None
    extension_dial: bool
    location: str
    legs: list[Leg]
    started_at: str
    answered_at: str | None
    bridged_at: str | None
    voicemail_at: str | None
    ended_at: str | None
    logged_at: str | None
    duration: int | None
    recording: str | None
    comments: list[dict[str, Any]]
    dispositions: list[dict[str, Any]]
    ref_id: str
    client_ref_id: str
    obd_campaign: dict[str, Any] | None
    custom: dict[str, Any]
    starred: bool
    archived: bool
    billable: bool
    view_type: int
    event_sequence: int  # the last webhook's sequence
    last_event_at: str


class Message(TypedDict):
    """A WhatsApp message sent or received (``services.messaging``)."""

    id: str
    conversation_id: str
    phone_number_id: str
    customer_country_code: str
    customer_number: str
    direction: str  # "outgoing" / "incoming"
    source: str  # lc / cmp / api / customer
    type: str
    category: str | None
    template_id: str | None
    campaign_id: str | None
    payload: dict[str, Any]
    trail: Any
    reply_to: str | None
    message_by: str | None
    myop_ref_id: str | None
    waba_msg_id: str
    status: str  # MessageStatus
    status_history: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    is_read: bool
    price: Any
    link_tracking: Any
    link_clicks: NotRequired[list[dict[str, Any]]]  # once a tracked link is clicked
    sent_at: str | None
    delivered_at: str | None
    read_at: str | None
    failed_at: str | None
    created: str
    modified: str


class Conversation(TypedDict):
    """A customer's conversation with one WhatsApp number, and its 24-hour window."""

    id: str
    phone_number_id: str
    customer_country_code: str
    customer_contact: str
    customer_name: str
    status: str  # ConversationStatus
    assigned_to: str | None
    unread_count: int
    last_message_at: str | None
    last_incoming_at: str | None
    expire_at: str | None  # the window's end
    activities: NotRequired[list[dict[str, Any]]]  # assignments and closings, once there are any
    event_sequence: int
    created: str
    modified: str


# Functional form: a step's arguments are stored under "with", a Python keyword.
RunStep = TypedDict("RunStep", {
    "index": int, "do": str, "with": dict[str, Any], "offset": float, "due_at": str,
    "status": str,  # pending / done / failed / skipped
    "done_at": str | None, "job_id": str | None,  # the timed job of a step due later
})


class Run(TypedDict):
    """A scenario run (``engine.runner.start_run``)."""

    id: str
    scenario: str
    channel: str
    company_id: str
    params: dict[str, Any]
    state: dict[str, Any]  # what the steps tell each other (message_id, session_id, ...)
    trigger: Any  # "api", or what started it
    status: str  # running / completed / failed
    error: str | None
    started_at: str
    finished_at: str | None
    steps: list[RunStep]


class Delivery(TypedDict):
    """One event's delivery to one subscription (``webhooks.dispatcher``), with its attempts."""

    id: str
    company_id: str
    event_id: str
    event_type: str
    session_id: str
    channel: str
    subscription_id: str
    url: str
    format: str
    content_type: str
    headers: dict[str, str]
    body: Any
    status: str  # pending / delivered / failed
    attempts: list[dict[str, Any]]
    redelivering: bool
    created_at: str
    next_attempt_at: str | None
    delivered_at: str | None

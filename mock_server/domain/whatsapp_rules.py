"""WhatsApp's business rules as pure functions, shared by the API, the scenario steps and the documents:
who may send, to whom, inside which window, at what price, and whether a request fills a template.

Field errors are DRF-style ``{field: [message]}`` dicts keyed by the request path ("data.context.body").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from mock_server.clock import parse_iso
from mock_server.refusals import Refusal

Doc = dict[str, Any]
FieldErrors = dict[str, list[str]]

# A template's categories, and the states of Meta's review of it.
CATEGORIES = ("marketing", "utility", "authentication")
REVIEW_STATUSES = ("pending", "approved", "rejected")

# The customer service window: free-form messages are allowed for 24 hours after the
# customer's most recent message (help centre, "24-hour window").
WINDOW = timedelta(hours=24)

# {{name}} (lowercase, digits, underscores; not starting with a digit) or {{1}} (positional).
PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
VARIABLE = re.compile(r"[a-z_][a-z0-9_]*|[1-9][0-9]*")

# INR per message (inferred: the docs give no rates). Templates are billed by category, the
# way Meta bills per delivered template since July 2025; every session (non-template) message
# pays a platform fee, because the documented "Insufficient Balance" example is a text message.
TEMPLATE_PRICES = {"marketing": 0.88, "utility": 0.125, "authentication": 0.125}
SESSION_PRICE = 0.05

MEDIA_HEADER_FORMATS = ("MEDIA", "IMAGE", "VIDEO", "DOCUMENT")
COUNTRY_CODE = re.compile(r"\+?([0-9]{1,4})")
SUBSCRIBER = re.compile(r"[0-9]{6,14}")

# Meta error codes reported by CHAT_3001 (the webhook's "errors" format: WABA_<code>: title).
RE_ENGAGEMENT = {"WABA_131047": "Re-engagement message: more than 24 hours have passed since the customer last replied"}
UNDELIVERABLE = {"WABA_131026": "Message undeliverable"}

# The documented (code, message) of each sender refusal, in the order they are checked.
PHONE_NOT_FOUND = ("CHAT_0306", "Phone Number does not exist")
SERVICE_INACTIVE = ("CHAT_0004", "Service Inactive")
WABA_NOT_APPROVED = ("CHAT_0301", "Waba is not approved by Meta")
WABA_DISABLED = ("CHAT_0302", "Waba is Disabled")
PHONE_DISABLED = ("CHAT_0303", "Phone Number is Disabled")
PHONE_NOT_CONNECTED = ("CHAT_0304", "Phone Number is not connected")
PHONE_NOT_ONBOARDED = ("CHAT_0305", "Phone Number is not onboarded yet")

# phone_number_status values of a number whose onboarding has not finished (OTP stage).
ONBOARDING_PHONE_STATES = ("otp_verified", "pending")


# --- sender ----------------------------------------------------------------------------------
def sender_refusal(phone: Doc | None, waba: Doc | None, account: Doc) -> Refusal | None:
    """Which documented refusal stops this company sending from ``phone`` (None: it may): for the caller to
    raise, or only to ask.

    A number still at the OTP stage is "not onboarded yet" (CHAT_0305); a number that had been
    onboarded and then lost its link to Meta is "not connected" (CHAT_0304, as the documented
    example answers). A disconnected number that is also not onboarded reports CHAT_0304 first.
    """
    if phone is None:
        return Refusal(*PHONE_NOT_FOUND)
    if not account.get("service_active", False):
        return Refusal(*SERVICE_INACTIVE)
    if waba is None or waba.get("waba_review_status") != "approved":
        return Refusal(*WABA_NOT_APPROVED)
    if waba.get("status") == "disabled":
        return Refusal(*WABA_DISABLED)
    if phone.get("status") == "disabled":
        return Refusal(*PHONE_DISABLED)
    state = phone.get("phone_number_status")
    if state not in ("connected", *ONBOARDING_PHONE_STATES):
        return Refusal(*PHONE_NOT_CONNECTED)
    if phone.get("onboarding_status") != "success" or state in ONBOARDING_PHONE_STATES:
        return Refusal(*PHONE_NOT_ONBOARDED)
    return None


# --- recipient, window, price ----------------------------------------------------------------
def recipient(country_code: str, number: str) -> tuple[str, str] | None:
    """(country code, subscriber number) as digits, or None when WhatsApp could not deliver to it."""
    cc = COUNTRY_CODE.fullmatch(country_code.strip())
    sub = SUBSCRIBER.fullmatch(number.strip())
    if not cc or not sub or len(cc.group(1)) + len(sub.group(0)) > 15:
        return None
    return cc.group(1), sub.group(0)


def window_expires_at(conversation: Doc | None) -> datetime | None:
    """When the customer service window closes (None: the customer never wrote)."""
    last = (conversation or {}).get("last_incoming_at")
    return parse_iso(last) + WINDOW if last else None


def window_open(conversation: Doc | None, now: datetime) -> bool:
    """Open while now < the customer's last message + 24 hours."""
    expires = window_expires_at(conversation)
    return expires is not None and now < expires


def price(message_type: str, category: str | None) -> float:
    if message_type == "template":
        return TEMPLATE_PRICES.get(category or "", TEMPLATE_PRICES["marketing"])
    return SESSION_PRICE


# --- templates -------------------------------------------------------------------------------
def placeholders(text: str) -> list[str]:
    """The variable names in ``text``, in order of appearance (well-formed ones only)."""
    return [m.group(1) for m in PLACEHOLDER.finditer(text) if VARIABLE.fullmatch(m.group(1))]


def variables(text: Any) -> list[str]:
    """Placeholder names in order of first appearance: "Hi {{name}}" -> ["name"]."""
    return list(dict.fromkeys(placeholders(text if isinstance(text, str) else "")))


def find_template(templates: Iterable[Doc], name: str, language: str, sender_waba_id: str | None) -> Doc | None:
    """The company's template of that name and language; the sender's own WABA's first."""
    matches = [t for t in templates if t.get("name") == name and t.get("language") == language]
    matches.sort(key=lambda t: (t.get("waba_id") != sender_waba_id, t.get("waba_template_status") != "approved"))
    return matches[0] if matches else None


def template_approved(template: Doc) -> bool:
    return template.get("waba_template_status") == "approved"


def add_error(errors: FieldErrors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def template_errors(template: Doc, context: Doc) -> FieldErrors:
    """Does the request fill exactly the template's placeholders?"""
    errors: FieldErrors = {}
    components = {c.get("type"): c for c in template.get("components", []) if isinstance(c, dict)}
    header, body = components.get("HEADER"), components.get("BODY")
    given_header = context.get("header") or {}
    if header is not None and header.get("format") in MEDIA_HEADER_FORMATS:
        _media_header(errors, given_header)
    else:
        expected = variables(header.get("text")) if header is not None else []
        _match(errors, "data.context.header", expected, given_header)
    _match(errors, "data.context.body", variables((body or {}).get("text")), context.get("body") or {})
    _buttons(errors, (components.get("BUTTONS") or {}).get("buttons") or [], context.get("buttons") or [])
    return errors


def _media_header(errors: FieldErrors, given: Doc) -> None:
    field = "data.context.header"
    sources = [k for k in ("media_id", "media_url") if given.get(k) not in (None, "")]
    unknown = sorted(set(given) - {"media_id", "media_url"})
    if unknown:
        add_error(errors, field, f"Unknown variable(s): {', '.join(unknown)}")
    if len(sources) != 1:
        add_error(errors, field, "This template has a media header: give exactly one of media_id or media_url.")
    url = given.get("media_url")
    if url not in (None, "") and not re.fullmatch(r"https?://\S+", str(url)):
        add_error(errors, "data.context.header.media_url", "Enter a valid URL.")


def _match(errors: FieldErrors, field: str, expected: list[str], given: Doc, prefix: str = "") -> None:
    missing = [name for name in expected if name not in given]
    unknown = sorted(name for name in given if name not in expected)
    blank = [name for name in expected if isinstance(given.get(name), str) and not given[name].strip()]
    if missing:
        add_error(errors, field, f"{prefix}Missing variable(s): {', '.join(missing)}")
    if unknown:
        add_error(errors, field, f"{prefix}Unknown variable(s): {', '.join(unknown)}")
    if blank:
        add_error(errors, field, f"{prefix}Variable(s) may not be blank: {', '.join(blank)}")


def _buttons(errors: FieldErrors, template_buttons: list, given: list[Doc]) -> None:
    """Dynamic URL buttons take their URL variable, OTP buttons the code, at the button's index."""
    field = "data.context.buttons"
    expected: dict[int, list[str]] = {}
    for button in template_buttons:
        if not isinstance(button, dict) or not isinstance(button.get("index"), int):
            continue
        if button.get("type") == "OTP":
            expected[button["index"]] = ["otp"]
        elif button.get("type") == "URL" and variables(button.get("url")):
            expected[button["index"]] = variables(button.get("url"))
    by_index: dict[int, Doc] = {}
    for entry in given:
        index = entry["index"]
        if index in by_index:
            add_error(errors, field, f"Button index {index} is given more than once.")
        elif index not in expected:
            add_error(errors, field, f"Button index {index} of this template takes no parameters.")
        by_index[index] = {k: v for k, v in entry.items() if k != "index"}
    for index, names in sorted(expected.items()):
        _match(errors, field, names, by_index.get(index, {}), prefix=f"Button index {index}: ")

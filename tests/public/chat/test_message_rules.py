"""Send Message's pure rules: sender states, recipient numbers, the window, prices, variables."""

from datetime import timedelta

import pytest

from mock_server.clock import iso, parse_iso
from mock_server.fixtures import REFERENCE_TIME
from mock_server.domain import whatsapp_rules
from mock_server.public.chat import rules

ACCOUNT = {"service_active": True}
APPROVED_WABA = {"waba_review_status": "approved", "status": "active"}
GOOD_PHONE = {"phone_number_status": "connected", "onboarding_status": "success", "status": "active"}


@pytest.mark.parametrize("phone, waba, account, expected", [
    (None, APPROVED_WABA, ACCOUNT, "CHAT_0306"),
    (None, APPROVED_WABA, {"service_active": False}, "CHAT_0306"),  # an unknown number is reported first
    (GOOD_PHONE, APPROVED_WABA, {"service_active": False}, "CHAT_0004"),
    (GOOD_PHONE, APPROVED_WABA, {}, "CHAT_0004"),
    (GOOD_PHONE, {"waba_review_status": "pending", "status": "active"}, ACCOUNT, "CHAT_0301"),
    (GOOD_PHONE, {"waba_review_status": "rejected", "status": "disabled"}, ACCOUNT, "CHAT_0301"),
    (GOOD_PHONE, None, ACCOUNT, "CHAT_0301"),
    (GOOD_PHONE, {"waba_review_status": "approved", "status": "disabled"}, ACCOUNT, "CHAT_0302"),
    (dict(GOOD_PHONE, status="disabled"), {"waba_review_status": "approved", "status": "disabled"}, ACCOUNT, "CHAT_0302"),
    (dict(GOOD_PHONE, status="disabled"), APPROVED_WABA, ACCOUNT, "CHAT_0303"),
    (dict(GOOD_PHONE, status="disabled", phone_number_status="disconnected"), APPROVED_WABA, ACCOUNT, "CHAT_0303"),
    (dict(GOOD_PHONE, phone_number_status="disconnected"), APPROVED_WABA, ACCOUNT, "CHAT_0304"),
    # disconnected and not onboarded: the first failing check (not connected) is reported
    (dict(GOOD_PHONE, phone_number_status="disconnected", onboarding_status="pending"), APPROVED_WABA, ACCOUNT, "CHAT_0304"),
    (dict(GOOD_PHONE, phone_number_status="otp_verified", onboarding_status="pending"), APPROVED_WABA, ACCOUNT, "CHAT_0305"),
    (dict(GOOD_PHONE, phone_number_status="pending", onboarding_status="pending"), APPROVED_WABA, ACCOUNT, "CHAT_0305"),
    (dict(GOOD_PHONE, onboarding_status="pending"), APPROVED_WABA, ACCOUNT, "CHAT_0305"),
    (dict(GOOD_PHONE, onboarding_status="failed"), APPROVED_WABA, ACCOUNT, "CHAT_0305"),
    (GOOD_PHONE, APPROVED_WABA, ACCOUNT, None),
])
def test_sender_refusals_in_documented_order(phone, waba, account, expected):
    refusal = whatsapp_rules.sender_refusal(phone, waba, account)
    assert (refusal.code if refusal else None) == expected


def test_refusal_messages_match_the_documented_examples():
    assert whatsapp_rules.PHONE_NOT_CONNECTED == ("CHAT_0304", "Phone Number is not connected")
    assert whatsapp_rules.WABA_DISABLED == ("CHAT_0302", "Waba is Disabled")
    assert whatsapp_rules.PHONE_DISABLED == ("CHAT_0303", "Phone Number is Disabled")


@pytest.mark.parametrize("cc, number, expected", [
    ("91", "9876543210", ("91", "9876543210")),
    ("+91", " 9876543210 ", ("91", "9876543210")),
    ("1", "415555", ("1", "415555")),
    ("9999", "12345678901", ("9999", "12345678901")),  # 15 digits in all
    ("9999", "123456789012", None),  # 16 digits
    ("91", "12345", None),  # too short
    ("91", "123456789012345", None),  # 15-digit subscriber part
    ("12345", "9876543210", None),
    ("", "9876543210", None),
    ("91", "9876543XXX", None),
    ("91", "98765-43210", None),
    ("९१", "9876543210", None),  # non-ASCII digits are not dialable
])
def test_recipient_numbers(cc, number, expected):
    assert whatsapp_rules.recipient(cc, number) == expected


def test_window_is_open_for_24_hours_after_the_last_incoming_message():
    conversation = {"last_incoming_at": iso(REFERENCE_TIME)}
    assert whatsapp_rules.window_open(conversation, REFERENCE_TIME)
    assert whatsapp_rules.window_open(conversation, REFERENCE_TIME + timedelta(hours=23, minutes=59, seconds=59))
    assert not whatsapp_rules.window_open(conversation, REFERENCE_TIME + timedelta(hours=24))
    assert not whatsapp_rules.window_open({"last_incoming_at": None}, REFERENCE_TIME)
    assert not whatsapp_rules.window_open(None, REFERENCE_TIME)
    assert whatsapp_rules.window_expires_at(conversation) == parse_iso(iso(REFERENCE_TIME)) + timedelta(hours=24)


@pytest.mark.parametrize("kind, category, expected", [
    ("template", "marketing", 0.88), ("template", "utility", 0.125), ("template", "authentication", 0.125),
    ("text", "service", 0.05), ("interactive", "service", 0.05), ("image", "service", 0.05),
])
def test_prices(kind, category, expected):
    assert whatsapp_rules.price(kind, category) == expected


def test_variables_in_order_of_first_appearance():
    assert whatsapp_rules.variables("Hi {{name}}, {{order}} for {{name}} {{1}}") == ["name", "order", "1"]
    # one grammar with template creation, which refuses "{{ spaced }}": it is no placeholder
    assert whatsapp_rules.variables("{{ spaced }} {{Name}}") == []
    assert whatsapp_rules.variables("no placeholders") == []
    assert whatsapp_rules.variables(None) == []


SALE = {"id": "t1", "components": [
    {"type": "HEADER", "format": "TEXT", "text": "{{sale_month}} Sale Offer"},
    {"type": "BODY", "text": "Hi {{customer_name}}, shop now."}]}
MEDIA = {"id": "t2", "components": [
    {"type": "HEADER", "format": "MEDIA", "media_id": "m"}, {"type": "BODY", "text": "Hi {{customer_name}}"}]}
DYNAMIC = {"id": "t3", "components": [
    {"type": "BODY", "text": "Sale"},
    {"type": "BUTTONS", "buttons": [
        {"type": "URL", "format": "DYNAMIC", "index": 0, "url": "https://x.example/{{var1}}"},
        {"type": "QUICK_REPLY", "index": 1, "text": "Stop"}]}]}
AUTH = {"id": "t4", "components": [
    {"type": "BODY", "text": "*{{otp}}* is your code"},
    {"type": "BUTTONS", "buttons": [{"type": "OTP", "index": 0, "otp_type": "copy_code"}]}]}


@pytest.mark.parametrize("template, context, expected", [
    (SALE, {"header": {"sale_month": "June"}, "body": {"customer_name": "Asha"}}, {}),
    (SALE, {"body": {"customer_name": "Asha"}}, {"data.context.header": ["Missing variable(s): sale_month"]}),
    (SALE, {"header": {"sale_month": "June"}, "body": {"customer_name": "Asha", "x": "1"}},
     {"data.context.body": ["Unknown variable(s): x"]}),
    (SALE, {"header": {"sale_month": " "}, "body": {"customer_name": 7}},
     {"data.context.header": ["Variable(s) may not be blank: sale_month"]}),
    (MEDIA, {"header": {"media_id": "m1"}, "body": {"customer_name": "Asha"}}, {}),
    (MEDIA, {"header": {"media_url": "https://x.example/a.jpg"}, "body": {"customer_name": "Asha"}}, {}),
    (MEDIA, {"body": {"customer_name": "Asha"}},
     {"data.context.header": ["This template has a media header: give exactly one of media_id or media_url."]}),
    (MEDIA, {"header": {"media_url": "ftp://nope"}, "body": {"customer_name": "Asha"}},
     {"data.context.header.media_url": ["Enter a valid URL."]}),
    (DYNAMIC, {"buttons": [{"index": 0, "var1": "usa"}]}, {}),
    (DYNAMIC, {}, {"data.context.buttons": ["Button index 0: Missing variable(s): var1"]}),
    (DYNAMIC, {"buttons": [{"index": 0, "var1": "usa"}, {"index": 1, "x": "y"}]},
     {"data.context.buttons": ["Button index 1 of this template takes no parameters."]}),
    (DYNAMIC, {"buttons": [{"index": 0, "var1": "usa"}, {"index": 0, "var1": "usa"}]},
     {"data.context.buttons": ["Button index 0 is given more than once."]}),
    (AUTH, {"body": {"otp": "123456"}, "buttons": [{"index": 0, "otp": "123456"}]}, {}),
    (AUTH, {"body": {"otp": "123456"}}, {"data.context.buttons": ["Button index 0: Missing variable(s): otp"]}),
])
def test_template_variables_must_match_the_placeholders(template, context, expected):
    assert whatsapp_rules.template_errors(template, context) == expected


def test_find_template_prefers_the_senders_waba_and_matches_language():
    templates = [{"id": "a", "name": "n", "language": "en", "waba_id": "other", "waba_template_status": "approved"},
                 {"id": "b", "name": "n", "language": "en", "waba_id": "mine", "waba_template_status": "approved"},
                 {"id": "c", "name": "n", "language": "hi", "waba_id": "mine", "waba_template_status": "approved"}]
    assert whatsapp_rules.find_template(templates, "n", "en", "mine")["id"] == "b"
    assert whatsapp_rules.find_template(templates, "n", "en", "none")["id"] == "a"
    assert whatsapp_rules.find_template(templates, "n", "hi", "x")["id"] == "c"
    assert whatsapp_rules.find_template(templates, "n", "en_US", "mine") is None
    assert whatsapp_rules.find_template(templates, "N", "en", "mine") is None


def test_template_language_defaults_to_en():
    assert rules.template_language({"type": "template", "context": {}}) == "en"
    assert rules.template_language({"type": "template", "language": "hi", "context": {}}) == "hi"
    assert rules.template_language({"type": "template", "language": "hi", "context": {"language": "en_US"}}) == "en_US"


def test_shape_errors():
    media = {"type": "image", "context": {"link": "https://x.example/a.jpg", "media_id": "m"}}
    assert rules.shape_errors(media) == {"data.context": ["Give exactly one of link or media_id (got link, media_id)."]}
    assert rules.shape_errors({"type": "video", "context": {}}) == {"data.context": ["Give exactly one of link or media_id."]}
    rows = [{"id": f"r{i}", "title": "t"} for i in range(6)]
    listing = {"type": "interactive", "context": {"interactive_type": "list", "body": {"text": "b"}, "action": {
        "button": "Pick", "sections": [{"title": "a", "rows": rows}, {"rows": rows[:5]}]}}}
    assert rules.shape_errors(listing) == {"data.context.action.sections": [
        "A list may have at most 10 rows in all sections together (got 11).",
        "Every section needs a title when there are several.",
        "Each row id must be unique (repeated: r0, r1, r2, r3, r4)."]}
    buttons = {"type": "interactive", "context": {"interactive_type": "button", "body": {"text": "b"},
                                                  "header": {"type": "image"},
                                                  "action": {"buttons": [{"type": "reply", "reply": {"id": "a", "title": "A"}},
                                                                         {"type": "reply", "reply": {"id": "a", "title": "B"}}]}}}
    assert rules.shape_errors(buttons) == {
        "data.context.header": ["Give exactly one of media_id or link or media_url."],
        "data.context.action.buttons": ["Each reply id must be unique (repeated: a)."]}


def test_media_errors_check_ownership_and_kind():
    media = {"img": {"id": "img", "mime_type": "image/png"}, "pdf": {"id": "pdf", "mime_type": "application/pdf"}}
    assert rules.media_errors({"type": "image", "context": {"media_id": "img"}}, media) == {}
    assert rules.media_errors({"type": "document", "context": {"media_id": "pdf"}}, media) == {}
    assert rules.media_errors({"type": "image", "context": {"media_id": "pdf"}}, media) == {
        "data.context.media_id": ["Media pdf is application/pdf, not an image."]}
    assert "data.context.media_id" in rules.media_errors({"type": "audio", "context": {"media_id": "zzz"}}, media)
    header = {"type": "interactive", "context": {"interactive_type": "button", "header": {"type": "video", "media_id": "img"}}}
    assert list(rules.media_errors(header, media)) == ["data.context.header.media_id"]
    template = {"type": "template", "context": {"template_name": "t", "header": {"media_id": "nope"}}}
    assert list(rules.media_errors(template, media)) == ["data.context.header.media_id"]
    assert rules.media_errors({"type": "template", "context": {"template_name": "t", "header": {"media_id": "pdf"}}}, media) == {}

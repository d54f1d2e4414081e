"""template_rules: the create-time rules on buttons and on authentication templates, each with a passing
and a failing case (exact messages)."""

import pytest

from tests.public.chat.template_bodies import OTP, PHONE, QR, URL_STATIC, body, buttons, check, text_body


# --- buttons ---------------------------------------------------------------------------------
def with_buttons(*items, category="marketing"):
    return body(category, text_body("Body text here"), buttons(*items))


def test_url_buttons():
    dynamic = {"type": "URL", "format": "DYNAMIC", "text": "Go", "url": "https://example.com/{{slug}}",
               "example": {"slug": "shop"}}
    assert check(with_buttons(URL_STATIC, dynamic)) == {}
    assert check(with_buttons(dict(URL_STATIC, url="https://example.com/{{slug}}"))) == {
        "components.1.buttons.0.url": ["A STATIC URL can't contain variables; use format DYNAMIC."]}
    assert check(with_buttons(dict(dynamic, url="https://example.com/shop"))) == {
        "components.1.buttons.0.url": ["A DYNAMIC URL must contain exactly one variable."]}
    assert check(with_buttons(dict(dynamic, url="https://example.com/{{a}}/{{slug}}",
                                   example={"a": "x", "slug": "y"}))) == {
        "components.1.buttons.0.url": ["A DYNAMIC URL must contain exactly one variable."]}
    assert check(with_buttons(dict(dynamic, url="https://example.com/{{slug}}/page"))) == {
        "components.1.buttons.0.url": ["The variable of a DYNAMIC URL must be at its end."]}
    assert check(with_buttons(dict(dynamic, example={}))) == {
        "components.1.buttons.0.example": ["Example value missing for variable(s): slug."]}
    assert check(with_buttons(dict(URL_STATIC, url="ftp://example.com/x"))) == {
        "components.1.buttons.0.url": ["Enter a valid URL."]}


def test_phone_number_button():
    assert check(with_buttons(PHONE)) == {}
    assert check(with_buttons(dict(PHONE, phone_number="+911234567890"))) == {}
    assert check(with_buttons(dict(PHONE, phone_number="91 12345"))) == {
        "components.1.buttons.0.phone_number": ["Enter the phone number with its country code, digits only "
                                               "(e.g. 911234567890)."]}


def test_quick_replies_are_grouped():
    assert check(with_buttons(QR, dict(QR, text="Later"), URL_STATIC)) == {}
    assert check(with_buttons(URL_STATIC, PHONE, QR)) == {}
    assert check(with_buttons(QR, URL_STATIC, dict(QR, text="Later"))) == {
        "components.1.buttons": ["QUICK_REPLY buttons must be grouped together, before or after the URL and "
                                 "PHONE_NUMBER buttons."]}


def test_button_counts():
    assert check(with_buttons(*[dict(QR, text=f"Reply {n}") for n in range(10)])) == {}
    assert check(with_buttons(*[dict(QR, text=f"Reply {n}") for n in range(11)])) == {
        "components.1.buttons": ["A template can have at most 10 buttons."]}
    assert check(with_buttons(URL_STATIC, URL_STATIC, URL_STATIC)) == {
        "components.1.buttons": ["A template can have at most 2 URL buttons."]}
    assert check(with_buttons(PHONE, PHONE)) == {
        "components.1.buttons": ["A template can have at most 1 PHONE_NUMBER button."]}


def test_button_text_length():
    assert check(with_buttons(dict(QR, text="x" * 25))) == {}
    assert check(with_buttons(dict(QR, text="x" * 26))) == {
        "components.1.buttons.0.text": ["Ensure this field has no more than 25 characters."]}


def test_otp_buttons_only_in_authentication():
    assert check(with_buttons(OTP)) == {
        "components.1.buttons.0.type": ["OTP buttons are only allowed in authentication templates."]}


# --- authentication --------------------------------------------------------------------------
def auth(*components):
    return body("authentication", *(components or (
        text_body("*{{otp}}* is your verification code.", {"otp": "123456"}),
        {"type": "FOOTER", "text": "This code expires in 5 minutes.", "code_expiration_minutes": 5},
        buttons(OTP))))


def test_authentication_template():
    assert check(auth()) == {}
    code = text_body("*{{otp}}* is your code.", {"otp": "1"})
    assert check(auth(code, buttons(OTP))) == {}
    assert check(auth({"type": "HEADER", "format": "TEXT", "text": "Code"}, code, buttons(OTP))) == {
        "components": ["Authentication templates can't have a HEADER component."]}
    need_otp = {"components": ["Authentication templates need exactly one button, of type OTP."]}
    assert check(auth(code)) == need_otp
    assert check(auth(code, buttons(OTP, QR))) == need_otp
    assert check(auth(code, buttons(QR))) == need_otp


@pytest.mark.parametrize("minutes,message", [
    (1, None), (90, None),
    (0, "Ensure this value is greater than or equal to 1."),
    (91, "Ensure this value is less than or equal to 90."),
])
def test_code_expiration_minutes(minutes, message):
    footer = {"type": "FOOTER", "text": "Expires soon.", "code_expiration_minutes": minutes}
    result = check(auth(text_body("*{{otp}}* is your code.", {"otp": "1"}), footer, buttons(OTP)))
    assert result == ({} if message is None else {"components.1.code_expiration_minutes": [message]})


def test_code_expiration_only_in_authentication():
    footer = {"type": "FOOTER", "text": "Expires soon.", "code_expiration_minutes": 5}
    assert check(body("marketing", text_body("Body text here"), footer)) == {
        "components.1.code_expiration_minutes": ["code_expiration_minutes is only allowed in authentication "
                                                 "templates."]}

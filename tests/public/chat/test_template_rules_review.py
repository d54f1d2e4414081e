"""template_rules: name and language uniqueness, what is stored, and the review rules that decide
approved / rejected."""

import copy

import pytest

from mock_server.public.chat import rules
from mock_server.services import templates
from tests.public.chat.template_bodies import URL_STATIC, WABA, buttons, text_body


# --- uniqueness and storage ------------------------------------------------------------------
def test_name_and_language_unique_per_waba():
    existing = [{"waba_id": WABA, "name": "spring_sale", "language": "en"}]
    assert rules.duplicate(existing, WABA, "spring_sale", "en") == {
        "name": ['A template named "spring_sale" already exists in language "en" in this WABA.']}
    assert rules.duplicate(existing, WABA, "spring_sale", "hi") == {}
    assert rules.duplicate(existing, "999", "spring_sale", "en") == {}


def test_normalise_keeps_known_keys_names_the_url_format_and_numbers_the_buttons():
    stored = rules.normalise([
        {"type": "BODY", "text": "Hi", "colour": "red"},
        buttons({"type": "URL", "text": "Go", "url": "https://x.com/{{a}}", "example": {"a": "b"}, "junk": 1},
                {"type": "QUICK_REPLY", "text": "Stop", "index": 5})])
    assert stored == [{"type": "BODY", "text": "Hi"},
                      {"type": "BUTTONS", "buttons": [{"index": 0, "type": "URL", "format": "DYNAMIC", "text": "Go",
                                                       "url": "https://x.com/{{a}}", "example": {"a": "b"}},
                                                      {"index": 5, "type": "QUICK_REPLY", "text": "Stop"}]}]


# --- review ----------------------------------------------------------------------------------
def template(text, category="marketing", language="en", extra=()):
    return {"category": category, "language": language, "components": [text_body(text), *extra]}


@pytest.mark.parametrize("text", ["Hi {{name}}, welcome aboard.", "Your order {{1}} has shipped, thanks!"])
def test_review_approves_clean_templates(text):
    assert templates.review(template(text)) == ("approved", None)


@pytest.mark.parametrize("text", ["{{name}}, welcome aboard.", "Welcome aboard {{name}}", "  {{1}} hello  "])
def test_review_rejects_a_variable_at_the_start_or_end(text):
    assert templates.review(template(text)) == ("rejected", "INVALID_FORMAT")


def test_review_start_rule_does_not_apply_to_authentication():
    assert templates.review(template("{{otp}} is your code.", "authentication")) == ("approved", None)


def test_review_rejects_adjacent_variables():
    assert templates.review(template("Hi {{first}} {{last}}, welcome.")) == ("rejected", "INVALID_FORMAT")
    assert templates.review(template("Hi {{first}}{{last}}, welcome.")) == ("rejected", "INVALID_FORMAT")
    assert templates.review(template("Hi {{first}} and {{last}}, welcome.")) == ("approved", None)


def test_review_rejects_shortened_urls():
    assert templates.review(template("Track it at https://bit.ly/3xyz today.")) == ("rejected", "INVALID_FORMAT")
    assert templates.review(template("Track it at tinyurl.com/abc today.")) == ("rejected", "INVALID_FORMAT")
    url_button = buttons(dict(URL_STATIC, url="https://bit.ly/shop"))
    assert templates.review(template("Tap below to track it.", extra=[url_button])) == ("rejected", "INVALID_FORMAT")
    assert templates.review(template("Track it at https://example.com/track today.")) == ("approved", None)
    assert templates.review(template("Track it at https://habit.ly/x today.")) == ("approved", None)


def test_review_rejects_promotional_wording_outside_marketing():
    promo = "Your order has shipped. Get 20% off your next purchase!"
    assert templates.review(template(promo, "utility")) == ("rejected", "INCORRECT_CATEGORY")
    assert templates.review(template("Big sale this week on shoes.", "utility")) == ("rejected", "INCORRECT_CATEGORY")
    assert templates.review(template(promo, "marketing")) == ("approved", None)
    assert templates.review(template("Your wholesale order has shipped.", "utility")) == ("approved", None)


def test_review_rejects_content_not_in_the_templates_language():
    hindi = "नमस्ते, आपका ऑर्डर भेज दिया गया है।"
    assert templates.review(template(hindi, language="en")) == ("rejected", "TAG_CONTENT_MISMATCH")
    assert templates.review(template(hindi, language="hi")) == ("approved", None)
    assert templates.review(template("Hello 🎉 your order is on the way", language="en_US")) == ("approved", None)


def test_fixture_rejected_template_matches_the_rules():
    # winter_promo is seeded as rejected INVALID_FORMAT: its body starts with a variable.
    seeded = {"category": "marketing", "language": "en",
              "components": [text_body("{{name}} grab the winter deal", {"name": "Ravi"})]}
    assert templates.review(copy.deepcopy(seeded)) == ("rejected", "INVALID_FORMAT")

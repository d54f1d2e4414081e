"""template_rules: each create-time rule with a passing and a failing case (exact messages), and the
review rules that decide approved / rejected."""

import copy

import pytest

from mock_server import schemas
from mock_server.public.chat import template_rules as rules

WABA = "411139881166676"
MEDIA = {"img-1": "image/jpeg", "img-2": "image/png", "vid-1": "video/mp4", "vid-2": "video/mp4",
         "doc-1": "application/pdf", "aud-1": "audio/mpeg"}


def body(category="marketing", *components, **fields):
    doc = {"name": "spring_sale", "language": "en", "category": category, "waba_id": WABA,
           "components": list(components) or [{"type": "BODY", "text": "Hello there, thanks for shopping."}]}
    doc.update(fields)
    return doc


def check(doc):
    assert schemas.field_errors("public/template.create.request", doc) == {}, "the case must be schema-valid"
    return rules.validate(doc, [WABA, "999"], MEDIA)


def text_body(text, example=None):
    return {"type": "BODY", "text": text, **({"example": example} if example is not None else {})}


def buttons(*items):
    return {"type": "BUTTONS", "buttons": list(items)}


QR = {"type": "QUICK_REPLY", "text": "Stop"}
URL_STATIC = {"type": "URL", "format": "STATIC", "text": "Shop", "url": "https://example.com/shop"}
PHONE = {"type": "PHONE_NUMBER", "text": "Call us", "phone_number": "911234567890"}
OTP = {"type": "OTP", "text": "Copy Code", "otp_type": "copy_code"}


def card(media_id="img-1", *extra, text="Roses for everyone here"):
    return {"components": [{"type": "HEADER", "format": "MEDIA", "media_id": media_id},
                           {"type": "BODY", "text": text}, *extra]}


def carousel(*cards):
    return {"type": "CAROUSEL", "cards": list(cards)}


# --- fields ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["order_update_2", "a", "x" * 512, "123"])
def test_name_accepts_lowercase_digits_underscores(name):
    assert check(body(name=name)) == {}


@pytest.mark.parametrize("name,message", [
    ("order update", "Template name can only contain lowercase letters, digits and underscores "
                     "(no spaces or special characters)."),
    ("Order_update", "Template name can only contain lowercase letters, digits and underscores "
                     "(no spaces or special characters)."),
    ("order-update", "Template name can only contain lowercase letters, digits and underscores "
                     "(no spaces or special characters)."),
    ("", "This field may not be blank."),
    ("x" * 513, "Ensure this field has no more than 512 characters."),
])
def test_name_rejections(name, message):
    assert check(body(name=name)) == {"name": [message]}


def test_language_table_is_the_documented_one():
    assert len(rules.LANGUAGES) == 71 and rules.LANGUAGES[:3] == ("en", "en_US", "en_GB")
    assert {"fil", "ky_KG", "rw_RW", "pt_BR", "es_MX", "zh_TW", "zu"} <= set(rules.LANGUAGES)
    for code in ("hi", "en_GB", "ky_KG"):
        assert check(body(language=code)) == {}
    assert check(body(language="english")) == {"language": ['"english" is not a valid choice.']}
    assert check(body(language="EN")) == {"language": ['"EN" is not a valid choice.']}


def test_values_quoted_back_are_cut_short():
    assert check(body(language="x" * 5000)) == {"language": ['"' + "x" * 37 + '..." is not a valid choice.']}


def test_category_choices():
    assert check(body("utility")) == {}
    assert check(body("promotional")) == {"category": ['"promotional" is not a valid choice.']}


def test_waba_must_be_the_companys():
    assert check(body(waba_id=999)) == {}  # an integer id is read as its digits
    assert check(body(waba_id="123")) == {"waba_id": ["Object with waba_id=123 does not exist."]}


# --- component structure ---------------------------------------------------------------------
def test_exactly_one_body():
    header = {"type": "HEADER", "format": "TEXT", "text": "Hello"}
    assert check(body("marketing", header, text_body("One body only"))) == {}
    assert check(body("marketing", header)) == {"components": ["A template must have exactly one BODY component."]}
    assert check(body("marketing", text_body("a b"), text_body("c d"))) == {
        "components": ["A template must have exactly one BODY component."]}


def test_at_most_one_header_footer_buttons():
    header = {"type": "HEADER", "format": "TEXT", "text": "Hello"}
    assert check(body("marketing", header, header, text_body("Body text here"))) == {
        "components": ["A template can have at most one HEADER component."]}
    footer = {"type": "FOOTER", "text": "Bye"}
    assert check(body("marketing", text_body("Body text here"), footer, footer)) == {
        "components": ["A template can have at most one FOOTER component."]}


def test_header_text_length_and_single_variable():
    ok = {"type": "HEADER", "format": "TEXT", "text": "{{month}} " + "x" * 50, "example": {"month": "June"}}
    assert check(body("marketing", ok, text_body("Body text here"))) == {}
    long = {"type": "HEADER", "format": "TEXT", "text": "x" * 61}
    assert check(body("marketing", long, text_body("Body text here"))) == {
        "components.0.text": ["Ensure this field has no more than 60 characters."]}
    two = {"type": "HEADER", "format": "TEXT", "text": "{{a}} and {{b}}", "example": {"a": "1", "b": "2"}}
    assert check(body("marketing", two, text_body("Body text here"))) == {
        "components.0.text": ["Header text can contain at most one variable."]}


def test_media_header_needs_this_companys_media():
    for media_id in ("img-1", "vid-1", "doc-1"):
        assert check(body("marketing", {"type": "HEADER", "format": "MEDIA", "media_id": media_id},
                          text_body("Body text here"))) == {}
    assert check(body("marketing", {"type": "HEADER", "format": "MEDIA", "media_id": "nope"},
                      text_body("Body text here"))) == {
        "components.0.media_id": ["Object with media_id=nope does not exist."]}
    assert check(body("marketing", {"type": "HEADER", "format": "MEDIA", "media_id": "aud-1"},
                      text_body("Body text here"))) == {
        "components.0.media_id": ["Audio can't be a template header; use an image, a video or a document."]}


def test_body_length():
    assert check(body("marketing", text_body("x" * 1024))) == {}
    assert check(body("marketing", text_body("x" * 1025))) == {
        "components.0.text": ["Ensure this field has no more than 1024 characters."]}
    assert check(body("marketing", text_body("   "))) == {"components.0.text": ["This field may not be blank."]}


def test_footer_length_and_no_variables():
    assert check(body("marketing", text_body("Body text here"), {"type": "FOOTER", "text": "x" * 60})) == {}
    assert check(body("marketing", text_body("Body text here"), {"type": "FOOTER", "text": "x" * 61})) == {
        "components.1.text": ["Ensure this field has no more than 60 characters."]}
    assert check(body("marketing", text_body("Body text here"), {"type": "FOOTER", "text": "Bye {{name}}"})) == {
        "components.1.text": ["Footer text can't contain variables."]}


# --- variables -------------------------------------------------------------------------------
def test_variable_syntax():
    assert check(body("marketing", text_body("Hi {{1}}, order {{2}} is here", {"1": "A", "2": "B"}))) == {}
    assert check(body("marketing", text_body("Hi {{first_name}} there", {"first_name": "A"}))) == {}
    message = "Variables must be written {{name}} (lowercase letters, digits, underscores) or {{1}}."
    for text in ("Hi {{ name }} there", "Hi {{Name}} there", "Hi {{}} there", "Hi {{name} there", "Hi {{0}} x"):
        assert check(body("marketing", text_body(text, {"name": "A", "Name": "A", " name ": "A"}))) == {
            "components.0.text": [message]}, text


def test_every_variable_needs_an_example():
    examples = {"name": "A", "city": "B", "x": "y"}  # an example for no variable is ignored
    assert check(body("marketing", text_body("Hi {{name}} and {{city}} ok", examples))) == {}
    assert check(body("marketing", text_body("Hi {{name}} and {{city}} ok", {"name": "A"}))) == {
        "components.0.example": ["Example value missing for variable(s): city."]}
    assert check(body("marketing", text_body("Hi {{name}} ok"))) == {
        "components.0.example": ["Example value missing for variable(s): name."]}
    assert check(body("marketing", text_body("Hi {{name}} ok", {"name": "  "}))) == {
        "components.0.example": ["Example value missing for variable(s): name."]}


def test_named_and_positional_variables_do_not_mix():
    header = {"type": "HEADER", "format": "TEXT", "text": "{{1}} sale", "example": {"1": "June"}}
    assert check(body("marketing", header, text_body("Hi {{2}} ok", {"2": "A"}))) == {}
    assert check(body("marketing", header, text_body("Hi {{name}} ok", {"name": "A"}))) == {
        "components": ["Use either named ({{name}}) or positional ({{1}}) variables in one template, not both."]}


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


# --- carousel --------------------------------------------------------------------------------
def carousel_body(*cards, category="marketing", extra=()):
    return body(category, text_body("Explore our collections"), *extra, carousel(*cards))


def test_carousel_valid():
    assert check(carousel_body(card("img-1", buttons(URL_STATIC, PHONE)),
                               card("img-2", buttons(URL_STATIC, PHONE)))) == {}
    assert check(carousel_body(*[card("vid-1") for _ in range(10)])) == {}


def test_carousel_card_count():
    message = {"components.1.cards": ["A carousel must have between 2 and 10 cards."]}
    assert check(carousel_body(card())) == message
    assert check(carousel_body(*[card() for _ in range(11)])) == message


def test_carousel_only_in_marketing_and_only_with_body():
    assert check(carousel_body(card(), card(), category="utility")) == {
        "components": ["CAROUSEL templates are only allowed in the marketing category."]}
    assert check(carousel_body(card(), card(), extra=({"type": "FOOTER", "text": "Bye"},))) == {
        "components": ["A carousel template can only have a BODY and a CAROUSEL component."]}


def test_carousel_cards_need_media_header_and_body():
    no_header = {"components": [{"type": "BODY", "text": "Only a body here"}]}
    assert check(carousel_body(card(), no_header)) == {
        "components.1.cards.1.components": ["Each card needs exactly one HEADER, with format MEDIA."]}
    text_header = {"components": [{"type": "HEADER", "format": "TEXT", "text": "Hi"}, {"type": "BODY", "text": "A b"}]}
    assert check(carousel_body(card(), text_header)) == {
        "components.1.cards.1.components": ["Each card needs exactly one HEADER, with format MEDIA."]}
    no_body = {"components": [{"type": "HEADER", "format": "MEDIA", "media_id": "img-1"}]}
    assert check(carousel_body(card(), no_body)) == {
        "components.1.cards.1.components": ["Each card needs exactly one BODY."]}
    footer = card("img-1", {"type": "FOOTER", "text": "x"})
    assert check(carousel_body(card(), footer)) == {
        "components.1.cards.1.components": ["A card can only have HEADER, BODY and BUTTONS components."]}


def test_carousel_card_limits():
    assert check(carousel_body(card("img-1", buttons(QR, dict(QR, text="b"), dict(QR, text="c"))),
                               card("img-1", buttons(QR, dict(QR, text="b"), dict(QR, text="c"))))) == {
        "components.1.cards.0.components.2.buttons": ["A card can have at most 2 buttons."],
        "components.1.cards.1.components.2.buttons": ["A card can have at most 2 buttons."]}
    assert check(carousel_body(card(text="x" * 160), card())) == {}
    assert check(carousel_body(card(text="x" * 161), card())) == {
        "components.1.cards.0.components.1.text": ["Ensure this field has no more than 160 characters."]}


def test_carousel_cards_are_alike():
    assert check(carousel_body(card("img-1"), card("vid-1"))) == {
        "components.1.cards": ["All cards must have the same header format (all images or all videos)."]}
    assert check(carousel_body(card("doc-1"), card("img-1"))) == {
        "components.1.cards.0.components.0.media_id": ["A carousel card's header must be an image or a video."]}
    assert check(carousel_body(card("img-1", buttons(QR)), card("img-1", buttons(URL_STATIC)))) == {
        "components.1.cards": ["All cards must have the same number and types of buttons."]}


# --- uniqueness and storage ------------------------------------------------------------------
def test_name_and_language_unique_per_waba():
    existing = [{"waba_id": WABA, "name": "spring_sale", "language": "en"}]
    assert rules.duplicate(existing, WABA, "spring_sale", "en") == {
        "name": ['A template named "spring_sale" already exists in language "en" in this WABA.']}
    assert rules.duplicate(existing, WABA, "spring_sale", "hi") == {}
    assert rules.duplicate(existing, "999", "spring_sale", "en") == {}


def test_normalise_keeps_known_keys_and_names_the_url_format():
    stored = rules.normalise([
        {"type": "BODY", "text": "Hi", "colour": "red"},
        buttons({"type": "URL", "text": "Go", "url": "https://x.com/{{a}}", "example": {"a": "b"}, "junk": 1})])
    assert stored == [{"type": "BODY", "text": "Hi"},
                      {"type": "BUTTONS", "buttons": [{"type": "URL", "format": "DYNAMIC", "text": "Go",
                                                       "url": "https://x.com/{{a}}", "example": {"a": "b"}}]}]


# --- review ----------------------------------------------------------------------------------
def template(text, category="marketing", language="en", extra=()):
    return {"category": category, "language": language, "components": [text_body(text), *extra]}


@pytest.mark.parametrize("text", ["Hi {{name}}, welcome aboard.", "Your order {{1}} has shipped, thanks!"])
def test_review_approves_clean_templates(text):
    assert rules.review(template(text)) == ("approved", None)


@pytest.mark.parametrize("text", ["{{name}}, welcome aboard.", "Welcome aboard {{name}}", "  {{1}} hello  "])
def test_review_rejects_a_variable_at_the_start_or_end(text):
    assert rules.review(template(text)) == ("rejected", "INVALID_FORMAT")


def test_review_start_rule_does_not_apply_to_authentication():
    assert rules.review(template("{{otp}} is your code.", "authentication")) == ("approved", None)


def test_review_rejects_adjacent_variables():
    assert rules.review(template("Hi {{first}} {{last}}, welcome.")) == ("rejected", "INVALID_FORMAT")
    assert rules.review(template("Hi {{first}}{{last}}, welcome.")) == ("rejected", "INVALID_FORMAT")
    assert rules.review(template("Hi {{first}} and {{last}}, welcome.")) == ("approved", None)


def test_review_rejects_shortened_urls():
    assert rules.review(template("Track it at https://bit.ly/3xyz today.")) == ("rejected", "INVALID_FORMAT")
    assert rules.review(template("Track it at tinyurl.com/abc today.")) == ("rejected", "INVALID_FORMAT")
    url_button = buttons(dict(URL_STATIC, url="https://bit.ly/shop"))
    assert rules.review(template("Tap below to track it.", extra=[url_button])) == ("rejected", "INVALID_FORMAT")
    assert rules.review(template("Track it at https://example.com/track today.")) == ("approved", None)
    assert rules.review(template("Track it at https://habit.ly/x today.")) == ("approved", None)


def test_review_rejects_promotional_wording_outside_marketing():
    promo = "Your order has shipped. Get 20% off your next purchase!"
    assert rules.review(template(promo, "utility")) == ("rejected", "INCORRECT_CATEGORY")
    assert rules.review(template("Big sale this week on shoes.", "utility")) == ("rejected", "INCORRECT_CATEGORY")
    assert rules.review(template(promo, "marketing")) == ("approved", None)
    assert rules.review(template("Your wholesale order has shipped.", "utility")) == ("approved", None)


def test_review_rejects_content_not_in_the_templates_language():
    hindi = "नमस्ते, आपका ऑर्डर भेज दिया गया है।"
    assert rules.review(template(hindi, language="en")) == ("rejected", "TAG_CONTENT_MISMATCH")
    assert rules.review(template(hindi, language="hi")) == ("approved", None)
    assert rules.review(template("Hello 🎉 your order is on the way", language="en_US")) == ("approved", None)


def test_fixture_rejected_template_matches_the_rules():
    # winter_promo is seeded as rejected INVALID_FORMAT: its body starts with a variable.
    seeded = {"category": "marketing", "language": "en",
              "components": [text_body("{{name}} grab the winter deal", {"name": "Ravi"})]}
    assert rules.review(copy.deepcopy(seeded)) == ("rejected", "INVALID_FORMAT")

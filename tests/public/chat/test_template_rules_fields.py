"""template_rules: the create-time rules on the fields, the component structure and the variables, each
with a passing and a failing case (exact messages)."""

import pytest

from mock_server.public.chat import rules
from tests.public.chat.template_bodies import body, check, text_body


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

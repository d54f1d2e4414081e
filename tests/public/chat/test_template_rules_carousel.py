"""template_rules: the create-time rules on carousel templates and their cards, each with a passing and a
failing case (exact messages)."""

from tests.public.chat.template_bodies import (PHONE, QR, URL_STATIC, body, buttons, card, carousel, check,
                                               text_body)


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

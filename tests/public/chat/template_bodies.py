"""Helpers shared by the template_rules tests (test_template_rules_*.py): create-template request bodies,
the components they are built from, and check(), which runs the create-time rules on one."""

from mock_server import schemas
from mock_server.public.chat import rules

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

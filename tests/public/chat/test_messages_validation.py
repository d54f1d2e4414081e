"""POST /chat/messages: validation of what is sent (template variables, media, free-form and interactive
limits) as field errors, and the bodies at the limits that are accepted."""

from __future__ import annotations

import pytest

from tests.public.chat.messaging import (CTA, assert_field_error, inbound, interactive, list_action, media_id,
                                         reply_buttons, send, stored, template)


# --- templates -------------------------------------------------------------------------------
def test_unknown_template_or_language_is_not_associated(client, tenant):
    expected = {"status": "error", "code": "400", "message": "Template not associated with this company", "errors": {}}
    assert send(client, tenant, template("no_such_template"))[1] == expected
    assert send(client, tenant, template("start_chat", language="hi"))[1] == expected
    assert send(client, tenant, {"type": "template", "language": "en_US",
                                 "context": {"template_name": "start_chat"}})[1] == expected


@pytest.mark.parametrize("name", ["festive_offer_draft", "winter_promo"])
def test_pending_and_rejected_templates_are_not_approved(client, tenant, name):
    r, body = send(client, tenant, template(name, body={"name": "Ravi"}))
    assert r.status_code == 400
    assert body == {"status": "error", "code": "400", "message": "Template is not approved", "errors": {}}


def test_a_template_approved_later_can_be_sent(client, tenant):
    doc = tenant.template("festive_offer_draft")
    tenant.state["templates"].put(dict(doc, waba_template_status="approved"))
    assert send(client, tenant, template("festive_offer_draft", body={"name": "Ravi"}))[0].status_code == 200


def test_a_deleted_template_is_not_associated(client, tenant):
    tenant.state["templates"].delete(tenant.template("start_chat")["id"])
    assert send(client, tenant, template("start_chat"))[1]["message"] == "Template not associated with this company"


@pytest.mark.parametrize("data, field, fragment", [
    (template("welcome_customer"), "data.context.body", "Missing variable(s): customer_name"),
    (template("welcome_customer", body={"customer_name": "A", "city": "Pune"}), "data.context.body",
     "Unknown variable(s): city"),
    (template("welcome_customer", body={"customer_name": ""}), "data.context.body", "may not be blank"),
    (template("start_chat", body={"customer_name": "A"}), "data.context.body", "Unknown variable(s): customer_name"),
    (template("sale_announcement", body={"customer_name": "A"}), "data.context.header", "Missing variable(s): sale_month"),
    (template("sale_announcement", header={"sale_month": "June", "year": "2025"}, body={"customer_name": "A"}),
     "data.context.header", "Unknown variable(s): year"),
    (template("media_offer", body={"customer_name": "A"}), "data.context.header", "media header"),
    (template("media_offer", header={"media_id": "3584c407-0f36-44b4-8eea-5b19da63eb31"}, body={"customer_name": "A"}),
     "data.context.header.media_id", "not found"),
    (template("dynamic_url_template", body={"var_1": "June", "var_2": "V"}, buttons=[{"var1": "usa-price", "index": 0}]),
     "data.context.buttons", "Button index 1: Missing variable(s): var1"),
    (template("dynamic_url_template", body={"var_1": "June", "var_2": "V"},
              buttons=[{"var1": "a", "index": 0}, {"var1": "b", "index": 1}, {"var1": "c", "index": 2}]),
     "data.context.buttons", "Button index 2 of this template takes no parameters."),
    (template("auth_temp", body={"otp": "123456"}), "data.context.buttons", "Button index 0: Missing variable(s): otp"),
    (template("auth_temp", buttons=[{"otp": "123456", "index": 0}]), "data.context.body", "Missing variable(s): otp"),
    (template("order_update", body={"1": "Asha"}), "data.context.body", "Missing variable(s): 2"),
])
def test_template_variables_must_match(client, tenant, data, field, fragment):
    r, body = send(client, tenant, data)
    assert_field_error(r, body, field, fragment)
    assert stored(client, tenant) == []


def test_template_variables_that_match_are_sent(client, tenant):
    image = media_id(tenant, "banner.jpg")
    for data in [template("order_update", body={"1": "Asha", "2": "ORD-1042"}),
                 template("media_offer", header={"media_id": image}, body={"customer_name": "A"}),
                 template("media_offer", header={"media_url": "https://example.com/file.jpg"}, body={"customer_name": 5}),
                 template("sale_announcement", header={"sale_month": "June"}, body={"customer_name": "A"})]:
        assert send(client, tenant, data)[0].status_code == 200, data


def test_another_companys_media_cannot_be_used(client, tenant, other_tenant):
    foreign = media_id(other_tenant, "banner.jpg")
    r, body = send(client, tenant, template("media_offer", header={"media_id": foreign}, body={"customer_name": "A"}))
    assert_field_error(r, body, "data.context.header.media_id", "not found")


# --- free-form messages, media, interactive ----------------------------------------------------
def test_media_messages_need_a_known_media_of_the_right_kind(client, tenant):
    inbound(client, tenant)
    r, body = send(client, tenant, {"type": "image", "context": {"media_id": "nope"}})
    assert_field_error(r, body, "data.context.media_id", "not found")
    r, body = send(client, tenant, {"type": "image", "context": {"media_id": media_id(tenant, "promo.mp4")}})
    assert_field_error(r, body, "data.context.media_id", "is video/mp4, not an image")
    r, body = send(client, tenant, {"type": "video", "context": {"media_id": media_id(tenant, "promo.mp4")}})
    assert r.status_code == 200
    r, body = send(client, tenant, {"type": "document", "context": {"link": "https://example.com/f.pdf",
                                                                    "media_id": media_id(tenant, "brochure.pdf")}})
    assert_field_error(r, body, "data.context", "Give exactly one of link or media_id")
    r, body = send(client, tenant, {"type": "image", "context": {"link": "https://example.com/a.gif", "mime_type": "image/gif"}})
    assert_field_error(r, body, "data.context.mime_type", "is not a valid choice")


@pytest.mark.parametrize("data, field", [
    ({"type": "text", "context": {"body": "x" * 4097}}, "data.context.body"),
    ({"type": "text", "context": {"body": ""}}, "data.context.body"),
    ({"type": "text", "context": {}}, "data.context.body"),
    ({"type": "sticker", "context": {}}, "data.type"),
    ({"type": "text"}, "data.context"),
    ({"type": "template", "context": {}}, "data.context.template_name"),
    ({"type": "template", "context": {"template_name": "start_chat", "language": "xx"}}, "data.context.language"),
    ({"type": "template", "context": {"template_name": "x", "buttons": [{"var1": "a"}]}}, "data.context.buttons.0.index"),
    ({"type": "interactive", "context": {"interactive_type": "carousel", "body": {"text": "b"}, "action": {}}},
     "data.context.interactive_type"),
])
def test_invalid_data_is_a_field_error(client, tenant, data, field):
    inbound(client, tenant)
    r, body = send(client, tenant, data)
    assert_field_error(r, body, field)


def test_text_body_of_4096_characters_is_accepted(client, tenant):
    inbound(client, tenant)
    assert send(client, tenant, {"type": "text", "context": {"body": "x" * 4096}})[0].status_code == 200


@pytest.mark.parametrize("data, field, fragment", [
    (interactive("button", reply_buttons(4)), "data.context.action.buttons", "no more than 3"),
    (interactive("button", reply_buttons(0)), "data.context.action.buttons", "at least 1"),
    (interactive("button", reply_buttons(1, title="A title that is too long")), "data.context.action.buttons.0.reply.title",
     "no more than 20"),
    (interactive("button", reply_buttons(2), body="x" * 1025), "data.context.body.text", "no more than 1024"),
    (interactive("button", reply_buttons(2), footer="x" * 61), "data.context.footer.text", "no more than 60"),
    (interactive("button", reply_buttons(2), header={"type": "text", "text": "x" * 61}), "data.context.header.text",
     "no more than 60"),
    (interactive("button", reply_buttons(2), header={"type": "text"}), "data.context.header.text", "is required"),
    (interactive("button", reply_buttons(2), header={"type": "image"}), "data.context.header", "Give exactly one"),
    (interactive("button", reply_buttons(2), header={"type": "document | video | image", "media_id": "x"}),
     "data.context.header.type", "is not a valid choice"),
    (interactive("list", list_action([6, 5])), "data.context.action.sections", "at most 10 rows"),
    (interactive("list", list_action([11])), "data.context.action.sections.0.rows", "no more than 10"),
    (interactive("list", list_action([1] * 11)), "data.context.action.sections", "no more than 10"),
    (interactive("list", list_action([2], title="A list button label too long")), "data.context.action.button",
     "no more than 20"),
    (interactive("list", list_action([2]), header={"type": "image", "link": "https://example.com/a.jpg"}),
     "data.context.header.type", "Must be 'text'"),
    (interactive("list", {"button": "Pick", "sections": [{"rows": [{"id": "a", "title": "x" * 25}]}]}),
     "data.context.action.sections.0.rows.0.title", "no more than 24"),
    (interactive("cta_url", {"name": "url", "parameters": CTA["parameters"]}), "data.context.action.name", "cta_url"),
    (interactive("cta_url", {"name": "cta_url", "parameters": {"display_text": "Open", "url": "not a url"}}),
     "data.context.action.parameters.url", "invalid format"),
    (interactive("cta_url", reply_buttons(1)), "data.context.action.name", "is required"),
    (interactive("button", reply_buttons(2), header={"type": "video", "media_id": "unknown"}),
     "data.context.header.media_id", "not found"),
])
def test_interactive_limits(client, tenant, data, field, fragment):
    inbound(client, tenant)
    r, body = send(client, tenant, data)
    assert_field_error(r, body, field, fragment)


def test_interactive_messages_are_accepted(client, tenant):
    inbound(client, tenant)
    video = media_id(tenant, "promo.mp4")
    for data in [interactive("button", reply_buttons(3), header={"type": "video", "media_id": video}, footer="f" * 60),
                 interactive("list", list_action([5, 5]), header={"type": "text", "text": "h" * 60}),
                 interactive("cta_url", CTA, header={"type": "image", "media_url": "https://example.com/a.jpg"})]:
        r, body = send(client, tenant, data)
        assert r.status_code == 200 and body["message"] == "Accepted"
        assert set(body["data"]) == {"conversation_id", "message_id"}

"""Helpers shared by the POST /chat/messages tests (test_messages_*.py): sending, seeding inbound
messages, the control plane, and building message bodies."""

from __future__ import annotations

from mock_server import schemas
from tests.support import advance

CUSTOMER = {"customer_country_code": "91", "customer_number": "9876543210"}
TEXT = {"type": "text", "context": {"body": "Hi John!, How are you?", "preview_url": False}}
DAY = 24 * 3600


# --- helpers ---------------------------------------------------------------------------------
def check(response):
    """Every body Send Message answers must validate against its documented schema."""
    body = response.json()
    schema = "public/message.send.response" if response.status_code == 200 else "public/message.send.error"
    assert response.status_code in (200, 400), (response.status_code, body)
    assert schemas.field_errors(schema, body) == {}, body
    return body


def send(client, tenant, data=TEXT, phone="primary", **fields):
    phone_number_id = fields.pop("phone_number_id", None) or tenant.phone(phone)["phone_number_id"]
    body = {"phone_number_id": phone_number_id, **CUSTOMER, "data": data, "reply_to": None, "myop_ref_id": None}
    body.update(fields)
    response = client.post("/chat/messages", json=body, headers=tenant.headers)
    return response, check(response)


def inbound(client, tenant, phone="primary", number=CUSTOMER["customer_number"], text="Hello"):
    r = client.post(f"/_mock/tenants/{tenant.company_id}/inbound", json={
        "phone_number_id": tenant.phone(phone)["phone_number_id"], "customer_country_code": "91",
        "customer_number": number, "text": text})
    assert r.status_code == 201, r.json()
    assert schemas.field_errors("control/message.inbound.response", r.json()) == {}
    return r.json()


def wallet(client, tenant):
    return client.get(f"/_mock/tenants/{tenant.company_id}").json()["wallet_balance"]


def patch_tenant(client, tenant, **fields):
    assert client.patch(f"/_mock/tenants/{tenant.company_id}", json=fields).status_code == 200


def patch_phone(client, tenant, role, **fields):
    pnid = tenant.phone(role)["phone_number_id"]
    assert client.patch(f"/_mock/tenants/{tenant.company_id}/phonenumbers/{pnid}", json=fields).status_code == 200


def patch_waba(client, tenant, waba_id, **fields):
    assert client.patch(f"/_mock/tenants/{tenant.company_id}/wabas/{waba_id}", json=fields).status_code == 200


def stored(client, tenant, **query):
    r = client.get(f"/_mock/tenants/{tenant.company_id}/messages", params=query)
    assert r.status_code == 200 and schemas.field_errors("control/message.list.response", r.json()) == {}
    return r.json()["messages"]


def template(name, **context):
    return {"type": "template", "context": {"template_name": name, "language": "en", **context}}


def media_id(tenant, filename):
    return next(m["id"] for m in tenant.state["media"] if m["filename"] == filename)


def assert_refused(response, body, code, message, key="error"):
    assert response.status_code == 400
    assert (body["code"], body["message"]) == (code, message)
    assert key in body


def assert_field_error(response, body, field, fragment=""):
    assert response.status_code == 400, body
    assert (body["code"], body["message"]) == ("400", "Missing required fields or Invalid Input")
    assert field in body["error"], body["error"]
    assert any(fragment in m for m in body["error"][field]), body["error"][field]


# --- interactive message bodies --------------------------------------------------------------
def interactive(kind, action, header=None, body="Body", footer=None):
    context = {"interactive_type": kind, "body": {"text": body}, "action": action}
    if header is not None:
        context["header"] = header
    if footer is not None:
        context["footer"] = {"text": footer}
    return {"type": "interactive", "context": context}


def reply_buttons(n, title="Button"):
    return {"buttons": [{"type": "reply", "reply": {"id": f"id-{i}", "title": f"{title} {i}"}} for i in range(n)]}


def list_action(rows_per_section, title="Choose"):
    return {"button": title, "sections": [
        {"title": f"Section {s}", "rows": [{"id": f"r{s}-{i}", "title": f"Row {i}"} for i in range(n)]}
        for s, n in enumerate(rows_per_section)]}


CTA = {"name": "cta_url", "parameters": {"display_text": "Open", "url": "https://www.google.com"}}

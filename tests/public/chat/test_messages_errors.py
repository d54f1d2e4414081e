"""POST /chat/messages: every documented error arising from the sender's state (CHAT_03xx, CHAT_0004),
and the request envelope (non-JSON bodies, authentication)."""

from __future__ import annotations

import pytest

from tests.public.chat.messaging import (assert_refused, check, patch_phone, patch_tenant, patch_waba, send,
                                         stored, template)


# --- sender state ----------------------------------------------------------------------------
@pytest.mark.parametrize("role, code, message", [
    ("onboarding_pending", "CHAT_0305", "Phone Number is not onboarded yet"),
    ("disabled", "CHAT_0303", "Phone Number is Disabled"),
    ("not_connected", "CHAT_0304", "Phone Number is not connected"),
    ("waba_not_approved", "CHAT_0301", "Waba is not approved by Meta"),
    ("waba_disabled", "CHAT_0302", "Waba is Disabled"),
])
def test_each_fixture_number_state_gives_its_code(client, tenant, role, code, message):
    r, body = send(client, tenant, template("start_chat"), phone=role)
    assert_refused(r, body, code, message)
    assert body == {"status": "error", "code": code, "message": message, "error": {}}
    assert stored(client, tenant) == []


def test_the_primary_number_sends(client, tenant):
    r, body = send(client, tenant, template("start_chat"))
    assert r.status_code == 200 and body["message"] == "Accepted"  # the observed profile, the default


def test_unknown_and_foreign_numbers_do_not_exist(client, tenant, other_tenant):
    expected = {"status": "error", "code": "CHAT_0306", "message": "Phone Number does not exist", "error": {}}
    r, body = send(client, tenant, template("start_chat"), phone_number_id="000000000000000")
    assert r.status_code == 400 and body == expected
    r, body = send(client, other_tenant, template("start_chat"), phone_number_id=tenant.phone("primary")["phone_number_id"])
    assert r.status_code == 400 and body == expected


def test_service_inactive_then_active_again(client, tenant):
    patch_tenant(client, tenant, service_active=False)
    r, body = send(client, tenant, template("start_chat"))
    assert_refused(r, body, "CHAT_0004", "Service Inactive")
    r, body = send(client, tenant, template("start_chat"), phone="disabled")  # service is checked before the number
    assert body["code"] == "CHAT_0004"
    patch_tenant(client, tenant, service_active=True)
    assert send(client, tenant, template("start_chat"))[0].status_code == 200


def test_state_changes_on_the_control_plane_drive_the_codes(client, tenant):
    def code():
        return send(client, tenant, template("start_chat"))[1].get("code")

    assert code() == "200"
    patch_phone(client, tenant, "primary", status="disabled")
    assert code() == "CHAT_0303"
    patch_phone(client, tenant, "primary", status="active", phone_number_status="disconnected")
    assert code() == "CHAT_0304"
    patch_phone(client, tenant, "primary", onboarding_status="pending")
    assert code() == "CHAT_0304"  # both fail: the first check is reported
    patch_phone(client, tenant, "primary", phone_number_status="connected")
    assert code() == "CHAT_0305"
    patch_phone(client, tenant, "primary", phone_number_status="otp_verified", onboarding_status="success")
    assert code() == "CHAT_0305"
    patch_phone(client, tenant, "primary", phone_number_status="connected")
    assert code() == "200"
    patch_waba(client, tenant, tenant.waba_id(), status="disabled")
    assert code() == "CHAT_0302"
    patch_waba(client, tenant, tenant.waba_id(), waba_review_status="pending")
    assert code() == "CHAT_0301"
    patch_waba(client, tenant, tenant.waba_id(), waba_review_status="approved", status="active")
    assert code() == "200"


def test_a_fixed_number_state_lets_it_send(client, tenant):
    patch_phone(client, tenant, "onboarding_pending", phone_number_status="connected", onboarding_status="success")
    assert send(client, tenant, template("start_chat"), phone="onboarding_pending")[0].status_code == 200


# --- validation envelope ---------------------------------------------------------------------
def test_non_json_and_non_object_bodies(client, tenant):
    for content in (b"not json", b"[]", b"", b"\xff\xfe"):
        r = client.post("/chat/messages", content=content, headers=dict(tenant.headers, **{"content-type": "application/json"}))
        body = check(r)
        assert r.status_code == 400 and body["code"] == "400" and "non_field_errors" in body["error"]


def test_authentication_comes_first(client, tenant):
    r = client.post("/chat/messages", json={})
    assert r.status_code == 401

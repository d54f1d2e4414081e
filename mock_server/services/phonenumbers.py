"""The company's WhatsApp numbers: finding one, and whether it may send now."""

from __future__ import annotations

from mock_server.domain.whatsapp_rules import sender_refusal
from mock_server.store import TenantState
from mock_server.store.names import PHONE_NUMBERS, WABA_ACCOUNTS

# What GET /chat/phonenumbers?expand= may add to a number: its settings, its profile, its WABA.
EXPANSIONS = ("settings", "profile", "waba_account")


def phone_number(tenant: TenantState, phone_number_id: str) -> dict | None:
    """One of the company's numbers, by its public phone_number_id."""
    found = tenant[PHONE_NUMBERS].lookup("phone_number_id", lambda p: p.get("phone_number_id"), phone_number_id)
    return found[0] if found else None


def waba_of(tenant: TenantState, phone: dict | None) -> dict | None:
    return tenant[WABA_ACCOUNTS].get(phone.get("waba_account_id")) if phone else None


def sender_waba(tenant: TenantState, phone_number_id: str) -> dict:
    """The sending number's WABA, once the number and its company may send (else the documented
    CHAT_03xx / CHAT_0004 refusal)."""
    phone = phone_number(tenant, phone_number_id)
    waba = waba_of(tenant, phone)
    if refusal := sender_refusal(phone, waba, tenant.account):
        raise refusal
    assert waba is not None  # a number without an approved WABA was refused above
    return waba


def may_send(tenant: TenantState, phone: dict) -> bool:
    """The number itself may send (the account's service flag is checked when a message is sent)."""
    return sender_refusal(phone, waba_of(tenant, phone), {"service_active": True}) is None

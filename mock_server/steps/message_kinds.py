"""The WhatsApp parameter kinds scenarios declare: values checked against the tenant's fixtures, and
the pools ``pick: n`` draws defaults from (its WhatsApp numbers that may send, its agents, templates,
scheduled campaigns, outgoing messages), plus Meta error codes and tracked buttons.
"""

from __future__ import annotations

import json
import re

from mock_server.domain import whatsapp
from mock_server.domain.call_builders import is_anonymous_user
from mock_server.engine import message_rules
from mock_server.services import phonenumbers, templates
from mock_server.services.templates import approved
from mock_server.store import TenantState
from mock_server.store.names import CAMPAIGNS, MESSAGES, PHONE_NUMBERS, TEMPLATES, USERS

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MAX_ERRORS, MAX_ERROR_TEXT = 5, 500


def sending_numbers(tenant: TenantState) -> list[str]:
    return [p["phone_number_id"] for p in tenant[PHONE_NUMBERS] if phonenumbers.may_send(tenant, p)]


def whatsapp_number(tenant: TenantState, value, spec: dict) -> str:
    if not isinstance(value, str) or tenant is None or phonenumbers.phone_number(tenant, value) is None:
        raise ValueError("Must be the phone_number_id of one of the company's WhatsApp numbers.")
    return value


def chat_agents(tenant: TenantState) -> list[str]:
    """Agents first: the owner is who API messages come from (and a conversation's first message assigns)."""
    users = [u for u in tenant[USERS] if not is_anonymous_user(u)]
    return [u["id"] for u in sorted(users, key=lambda u: u.get("role") != "agent")]


def chat_agent(tenant: TenantState, value, spec: dict) -> str:
    user = tenant[USERS].get(value) if isinstance(value, str) and tenant is not None else None
    if user is None or is_anonymous_user(user):
        raise ValueError("Must be the id of one of the company's users (not the Anonymous User).")
    return value


def linked(template: dict) -> bool:
    return approved(template) and bool(whatsapp.tracked_buttons(template))


def template_checker(accepts, refusal: str):
    def check(tenant: TenantState, value, spec: dict) -> str:
        template = templates.find(tenant, value)
        if template is None or not accepts(template):
            raise ValueError(f"Must be the id (or name) of one of the company's {refusal}.")
        return template["id"]
    return check


def for_review(tenant: TenantState) -> list[str]:
    """A review may be of any template (a decided one goes back to review): those awaiting review come
    first, then the decided ones, so a review's default is still there after an earlier review took it."""
    pending = [x["id"] for x in tenant[TEMPLATES] if x.get("waba_template_status") == "pending"]
    return pending + [x["id"] for x in tenant[TEMPLATES] if x.get("waba_template_status") != "pending"]


def approved_templates(tenant: TenantState) -> list[str]:
    return [x["id"] for x in tenant[TEMPLATES] if approved(x)]


def link_templates(tenant: TenantState) -> list[str]:
    return [x["id"] for x in tenant[TEMPLATES] if linked(x)]


def campaign_id_of(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 18:
        return int(value.strip())
    return value if isinstance(value, int) else None


def scheduled_campaigns(tenant: TenantState) -> list[int]:
    return [c["id"] for c in tenant[CAMPAIGNS] if c.get("status") == "scheduled"]


def campaign(tenant: TenantState, value, spec: dict) -> int:
    campaign_id = campaign_id_of(value)
    campaign = tenant[CAMPAIGNS].get(campaign_id) if campaign_id is not None and tenant is not None else None
    if campaign is None:
        raise ValueError("Must be the id of one of the company's campaigns.")
    if campaign.get("status") != "scheduled":
        raise ValueError(f"Only a scheduled campaign can be run; campaign {campaign_id} is {campaign.get('status')}.")
    return campaign["id"]


def meta_error(tenant: TenantState, value, spec: dict) -> dict:
    """A known Meta error code ("131026", or 131026), or {"<code>": "<text>"} for any other."""
    if isinstance(value, str) and value.strip().startswith("{"):  # the CLI's --param error='{"1": "x"}'
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError("Not valid JSON.") from None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        code = value.strip().removeprefix("WABA_")
        if code not in message_rules.META_ERRORS:
            known = ", ".join(message_rules.META_ERRORS)
            raise ValueError(f"Unknown Meta error code {code[:20]!r}: give one of {known} "
                             "or an object {\"<code>\": \"<text>\"}.")
        return {code: message_rules.META_ERRORS[code]}
    if not isinstance(value, dict) or len(value) > MAX_ERRORS or any(
            isinstance(t, str) and len(t) > MAX_ERROR_TEXT for t in value.values()):
        raise ValueError(f"A Meta error code, or an object of at most {MAX_ERRORS} codes and their texts.")
    return whatsapp.meta_errors(value)


def button_info(tenant: TenantState, value, spec: dict) -> str:
    """A tracked button as message.link_tracking names it ("" or null: the template's first URL button)."""
    if not isinstance(value, str) or (value and not whatsapp.BUTTON_INFO.fullmatch(value)):
        raise ValueError("Must be btn-<index> or card-<index>-btn-<index> (empty: the first URL button).")
    return value


def message(tenant: TenantState, value, spec: dict) -> str:
    found = tenant[MESSAGES].get(value) if isinstance(value, str) and tenant is not None else None
    if not isinstance(value, str) or not UUID.fullmatch(value) or (tenant is not None and (
            found is None or found.get("direction") != "outgoing")):
        raise ValueError("Must be the id of one of the company's outgoing messages.")
    return value

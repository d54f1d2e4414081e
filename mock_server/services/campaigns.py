"""Campaign runs: their audience, each recipient's variables, and the stats as the messages stand.

The fixtures' audience is only a CSV's URL and count, so a run sends to the company's contacts instead:
the first ``count`` of them (or as many as it is told), in the contacts' order, skipping numbers WhatsApp
cannot deliver to. A recipient's variables follow the campaign's ``variables_mapping`` ({{contact_name}}
and other contact fields, else the mapping's default_value). Stats count the campaign's messages as they
stand: sent, delivered and read once Meta reported them (a read message was delivered), failed, replied
(recipients who wrote after it), billable = delivered (Meta bills delivered templates).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime

from mock_server.clock import iso, parse_iso
from mock_server.domain import whatsapp
from mock_server.domain.whatsapp_rules import recipient

# ordering value -> the campaign field a list sorts by
ORDERING = {"created": "created_at", "name": "name", "scheduled_at": "scheduled_at"}
CONTACT_FIELDS = {"contact_name": "name", "name": "name", "phone_number": "phone_number",
                  "contact_number": "phone_number", "email": "email_id", "email_id": "email_id"}
MAPPED = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


def audience(campaign: dict, contacts: Iterable[dict],
             recipients: int | None = None) -> list[tuple[dict, tuple[str, str]]]:
    """(contact, (country code, number)) of the first ``recipients`` (default: the audience's count)
    contacts WhatsApp can deliver to."""
    wanted = recipients if recipients is not None else int((campaign.get("audience") or {}).get("count") or 0)
    found: list[tuple[dict, tuple[str, str]]] = []
    for contact in contacts:
        if len(found) >= wanted:
            break
        who = recipient(str(contact.get("country_code") or ""), str(contact.get("phone_number") or ""))
        if who is not None:
            found.append((contact, who))
    return found


def _contact_value(contact: dict, field: str):
    if field in CONTACT_FIELDS:
        return contact.get(CONTACT_FIELDS[field])
    return (contact.get("custom_fields") or {}).get(field, contact.get(field))


def context_for(campaign: dict, contact: dict, context: dict) -> dict:
    """``context`` (every variable filled) with the campaign's mapped variables for this contact."""
    filled = {key: (dict(value) if isinstance(value, dict) else value) for key, value in context.items()}
    for mapping in campaign.get("variables_mapping") or []:
        scope = "header" if mapping.get("scope") == "header" else "body"
        name = mapping.get("var_name")
        if name not in (filled.get(scope) or {}):
            continue  # a variable the template does not have (any more)
        if mapping.get("mapping_type") == "STATIC":
            value = mapping.get("mapped_value")
        else:
            field = MAPPED.fullmatch(str(mapping.get("mapped_value") or "").strip())
            value = _contact_value(contact, field.group(1)) if field else None
        filled[scope][name] = str(value) if value not in (None, "") else str(mapping.get("default_value") or name)
    return filled


def sender_of(campaign: dict) -> str | None:
    """Who the campaign's messages are from (message_by): its creator, when that is a user's id."""
    uuid = (campaign.get("created_by") or {}).get("uuid")
    return uuid if isinstance(uuid, str) and re.fullmatch(r"[0-9a-f]{16}", uuid) else None


def stats_of(campaign: dict, messages: list[dict], incoming_of: Callable[[str], list[dict]], at: datetime, *,
             started: bool = False, finished: bool = False) -> dict:
    """The campaign's stats as its messages stand at ``at`` (``started``/``finished``: stamp that moment)."""
    before = campaign.get("stats") or {}
    moments = [whatsapp.status_moments(m) for m in messages]

    def replied(message: dict) -> bool:
        sent = parse_iso(message["created"])
        return any(parse_iso(m["created"]) > sent for m in incoming_of(message["conversation_id"]))

    delivered = sum(1 for m in moments if m["delivered"])
    return {"total": len(messages), "sent": sum(1 for m in moments if m["sent"]), "delivered": delivered,
            "read": sum(1 for m in moments if m["read"]),
            "failed": sum(1 for m in messages if whatsapp.message_state(m) == "failed"),
            "replied": sum(1 for m in messages if replied(m)), "billable": delivered,
            "started_at": iso(at) if started else before.get("started_at"),
            "finished_at": iso(at) if finished else before.get("finished_at"), "modified_at": iso(at)}

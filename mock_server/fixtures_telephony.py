"""Seed data for the telephony surfaces (OBD API, developers API): agents, departments, DIDs, IVRs.

Generated after the WhatsApp and contacts data with the same seeded generator, so adding it left
every earlier fixture value unchanged.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mock_server.clock import iso

# The OBD doc's STD code table: the DIDs a call can be routed from.
STD_CODES = {"11": "Delhi", "120": "Noida", "22": "Mumbai", "33": "Kolkata", "40": "Hyderabad", "731": "Indore",
             "80": "Bangalore", "8645": "Mangalagiri"}
ROLES = {1: "SuperAdmin", 2: "Admin", 4: "Manager", 8: "Basic"}
DEPARTMENTS = ["Sales", "Support", "Billing"]
# (role, label): agents of every role; "anonymous" is MyOperator's built-in user behind anonymous calls.
USERS = [(1, "owner"), (2, "admin"), (4, "manager"), (8, "agent"), (8, "agent"), (8, "agent"), (8, "agent"),
         (8, "no_calls"), (8, "anonymous")]
# IVRs / OBD campaigns in the states the OBD API's documented errors depend on.
IVRS: list[tuple[str, dict[str, Any]]] = [
    ("main", {"anonymous_enabled": True}),
    ("no_anonymous", {"anonymous_enabled": False}),
    ("ip_locked", {"anonymous_enabled": True, "whitelisted_ips": ["203.0.113.10"]}),
    ("expired", {"anonymous_enabled": True, "billing_expired": True}),
    ("over_threshold", {"anonymous_enabled": True, "usage_threshold": 0}),
]


def telephony(g: Any, company_id: str, reference) -> tuple[dict[str, str], dict[str, list[dict]]]:
    """(credentials for the account, {kind: documents}) of one company."""
    credentials = {"developer_token": g.hex(32), "obd_api_key": g.hex(40)}
    departments = [{"id": g.hex(16), "name": name, "created": iso(g.moment(400))} for name in DEPARTMENTS]
    dids = [{"id": g.hex(16), "number": f"+91{code}{g.digits(10 - len(code), '2345678')}", "std_code": code,
             "region": region} for code, region in STD_CODES.items()]
    users = [_user(g, company_id, n, role, label, departments) for n, (role, label) in enumerate(USERS)]
    ivrs = [_ivr(g, label, fields, dids, departments, reference) for label, fields in IVRS]
    return credentials, {"departments": departments, "dids": dids, "users": users, "ivrs": ivrs}


def _user(g: Any, company_id: str, n: int, role: int, label: str, departments: list[dict]) -> dict:
    anonymous = label == "anonymous"
    name = "Anonymous User" if anonymous else g.fake.name()
    created = g.moment(300)
    return {
        "id": g.hex(16), "user_id": g.digits(12), "company_id": company_id, "role": label, "name": name,
        "email": None if anonymous else f"{name.split()[0].lower()}.{n}@example.com",
        "country_code": "91", "contact_number": "" if anonymous else g.digits(10, "6789"),
        "contact_type": None if anonymous else "mobile",  # null for the anonymous user, as Get Users' example shows
        "extension": 0 if anonymous else 11 + n, "alternate_cc": None, "alternate_number": None,
        "alternate_contact_type": None, "role_id": role, "panel_access": 2 if anonymous else 1,
        "receive_calls": 2 if label in ("no_calls", "anonymous") else 1, "is_active": True, "is_enabled": True,
        "is_available": not anonymous, "department_ids": [] if anonymous else [departments[n % 3]["id"]],
        "created": iso(created), "modified": iso(created + timedelta(days=1)),
    }


def _ivr(g: Any, label: str, fields: dict, dids: list[dict], departments: list[dict], reference) -> dict:
    doc = {
        "id": g.hex(24), "label": label, "name": f"{label.replace('_', ' ').title()} campaign",
        "secret_token": g.hex(32), "dialers": {"user": True, "anonymous": False, "ivr": True},
        "whitelisted_ips": [], "usage_threshold": 10_000, "usage_count": 0,
        "billing_expires_at": iso(reference + timedelta(days=365 * 20)),  # far ahead of a real clock too
        "did_ids": [d["id"] for d in dids], "department_id": departments[0]["id"],
    }
    doc["dialers"]["anonymous"] = fields.get("anonymous_enabled", False)
    if fields.get("whitelisted_ips"):
        doc["whitelisted_ips"] = fields["whitelisted_ips"]
    if fields.get("billing_expired"):
        doc["billing_expires_at"] = iso(reference - timedelta(days=2))
    if "usage_threshold" in fields:
        doc["usage_threshold"] = fields["usage_threshold"]
    return doc

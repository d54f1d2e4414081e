"""The developers API's documents in their wire shapes (key order included): users and the bodies of its writes."""

from __future__ import annotations

from typing import Any


def flag(value: Any) -> str:
    return "1" if value else "0"


def user(doc: dict) -> dict:
    """One user as Get Users documents it: extension, role_id and the flags as text, is_available an int."""
    return {
        "user_id": doc["user_id"], "uuid": doc["id"], "company_id": doc["company_id"], "name": doc["name"],
        "email": doc.get("email"), "extension": str(doc["extension"]),
        "contact_number": doc.get("contact_number"), "contact_type": doc.get("contact_type"),
        "alternate_number": doc.get("alternate_number"), "alternate_contact_type": doc.get("alternate_contact_type"),
        "role_id": str(doc["role_id"]), "is_active": flag(doc.get("is_active")),
        "is_enabled": flag(doc.get("is_enabled")), "is_available": 1 if doc.get("is_available") else 0,
    }


def users_page(shown: list[dict], size: int, total: int, next_page: str, prev_page: str) -> dict:
    return {"status": "success", "page_size": size, "total_user": total, "data": [user(u) for u in shown],
            "next_page": next_page, "prev_page": prev_page, "code": 200}


def done(message: str, **extra: Any) -> dict:
    """A write's success body: ``{"status": "success", "code": 200, "message": …}`` and what it adds."""
    return {"status": "success", "code": 200, "message": message, **extra}

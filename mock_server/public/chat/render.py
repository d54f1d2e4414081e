"""The /chat surface's wire shapes of the tenant's documents: campaigns (the list and the detail render ``stats``
with different keys, count/reply/billable_count vs total/replied/billable, as the documented examples do) and
phone numbers with their expansions."""

from __future__ import annotations

FIELDS = ("id", "phone_number_status", "onboarding_status", "status", "phone_number_id", "country_code",
          "phone_number", "created", "modified")
WABA_FIELDS = ("id", "waba_name", "waba_id", "meta_business_id", "created", "modified", "waba_review_status")


def phone_number(phone: dict, waba: dict | None, expand: list[str]) -> dict:
    out = {k: phone[k] for k in FIELDS}
    if "waba_account" in expand and waba is not None:
        out["waba_account"] = {k: waba[k] for k in WABA_FIELDS}
    for key in ("profile", "settings"):
        if key in expand:
            out[key] = dict(phone[key])
    return out


def _list_stats(stats: dict | None) -> dict | None:
    if stats is None:
        return None
    return {"count": stats.get("total", 0), "sent": stats.get("sent", 0), "delivered": stats.get("delivered", 0),
            "read": stats.get("read", 0), "failed": stats.get("failed", 0), "reply": stats.get("replied", 0),
            "started_at": stats.get("started_at"), "finished_at": stats.get("finished_at"),
            "billable_count": stats.get("billable", 0), "modified_at": stats.get("modified_at")}


def _detail_stats(stats: dict) -> dict:
    return {key: stats.get(key, 0) for key in ("total", "sent", "delivered", "replied", "failed", "read", "billable")}


def campaign_item(campaign: dict, template: dict | None) -> dict:
    audience = campaign.get("audience") or {}
    return {
        "id": campaign["id"], "scheduled_at": campaign.get("scheduled_at"), "created_by": campaign.get("created_by"),
        "variables_mapping": campaign.get("variables_mapping") or [],
        "template": {"template_id": template["id"], "name": template.get("name"), "category": template.get("category"),
                     "template_body": template.get("components", [])} if template else {},
        "audience": {k: audience.get(k) for k in ("file_url", "file_headers", "count", "file_size", "filename")},
        "status": campaign["status"], "name": campaign["name"], "created_at": campaign["created_at"],
        "modified_at": campaign["modified_at"], "scheduled_type": campaign.get("scheduled_type"),
        "stats": _list_stats(campaign.get("stats")),
    }


def campaign(campaign: dict, template: dict | None) -> dict:
    audience = campaign.get("audience") or {}
    out = {
        "id": campaign["id"], "name": campaign["name"], "created_at": campaign["created_at"],
        "modified_at": campaign["modified_at"], "scheduled_at": campaign.get("scheduled_at"),
        "status": campaign["status"], "scheduled_type": campaign.get("scheduled_type"),
        "created_by": campaign.get("created_by"), "variables_mapping": campaign.get("variables_mapping") or [],
        "template": ({"template_id": template["id"], "template_body": template.get("components", [])}
                     if template else {}),
        "audience": {k: audience.get(k) for k in ("count", "file_url", "filename")},
    }
    if campaign["status"] == "failed" or campaign.get("failure_reason"):
        out["failure_reason"] = campaign.get("failure_reason")
    if campaign.get("stats") is not None:
        out["stats"] = _detail_stats(campaign["stats"])
    if campaign.get("link_stats") is not None:
        out["link_stats"] = {k: campaign["link_stats"].get(k, 0) for k in ("total", "visited")}
    return out

"""Templates: finding one, Meta's review of a submitted one (on the clock, or decided now from the
control plane or a scenario step), and its decision written.

A template document keeps two internal keys besides its wire fields: ``waba_id`` (the WABA it
belongs to) and ``review_job_id`` (its pending review on the scheduler).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from mock_server.clock import iso
from mock_server.domain.calls import next_state
from mock_server.domain.whatsapp import REVIEW_DECISIONS, REVIEW_TABLE
from mock_server.domain.whatsapp_rules import (
    PLACEHOLDER,
    find_template as best_match,
    placeholders as variables,
    template_approved,
)
from mock_server.store import TenantState
from mock_server.store.names import TEMPLATES

if TYPE_CHECKING:
    from mock_server.context import AppContext

REVIEW_ACTION = "template.review"
FIELDS = ("id", "name", "waba_template_id", "language", "category", "type", "components", "quality", "status",
          "waba_template_status", "failure_reason", "link_tracking", "created", "modified")


def view(template: dict) -> dict:
    """The template as the API shows it: its wire fields only, so internal keys never leave."""
    out = {k: template[k] for k in FIELDS if k in template}
    out.setdefault("link_tracking", False)
    return out


# --- finding ---------------------------------------------------------------------------------
def find(tenant: TenantState, value) -> dict | None:
    """A template by id, or by name (the first of that name): how a scenario names one."""
    if not isinstance(value, str) or tenant is None:
        return None
    return tenant[TEMPLATES].get(value) or tenant[TEMPLATES].find(lambda t: t.get("name") == value)


def _name_language(template: dict) -> tuple:
    return template.get("name"), template.get("language")


def named(tenant: TenantState, name: str, language: str) -> list[dict]:
    """The company's templates of this name and language, every WABA's, through an index."""
    return tenant[TEMPLATES].lookup("name_language", _name_language, (name, language))


def for_sending(tenant: TenantState, name: str, language: str, sender_waba_id: str | None) -> dict | None:
    """The template a message names (name and language), the sender's own WABA's first."""
    return best_match(named(tenant, name, language), name, language, sender_waba_id)


approved = template_approved


# --- review ----------------------------------------------------------------------------------
def cancel_review(ctx: AppContext, tenant: TenantState, template: dict) -> None:
    job_id = template.get("review_job_id")
    if job_id:
        ctx.unschedule(tenant, job_id)


def decide(ctx: AppContext, tenant: TenantState, template: dict, status: str, reason: str | None) -> dict:
    """The review's decision (``status`` approved or rejected) written, a move of ``REVIEW_TABLE``."""
    status = next_state(REVIEW_TABLE, "template review", template["waba_template_status"], REVIEW_DECISIONS[status])
    decided = {k: v for k, v in template.items() if k != "review_job_id"}
    decided.update(waba_template_status=status, failure_reason=reason, modified=iso(ctx.now()))
    return tenant[TEMPLATES].put(decided)


def schedule_review(ctx: AppContext, tenant: TenantState, template_id: str, since) -> str:
    """The job that reviews a submitted template after the configured delay."""
    return ctx.schedule(tenant, ctx.settings.template_review_seconds, REVIEW_ACTION, {"template_id": template_id},
                        since=since)


def register_actions(ctx: AppContext) -> None:
    """Name the timed review (the scheduler stores jobs as data)."""
    def review_job(company_id: str, payload: dict) -> None:
        tenant = ctx.store.tenant(company_id)
        template = tenant[TEMPLATES].get(payload.get("template_id")) if tenant is not None else None
        # A deleted (or already decided) template's review is a no-op.
        if tenant is None or template is None or template["waba_template_status"] != "pending":
            return
        decide(ctx, tenant, template, *review(template))

    ctx.scheduler.register(REVIEW_ACTION, review_job)


# Review outcomes (the rejection reasons Meta reports for a template).
INVALID_FORMAT = "INVALID_FORMAT"
INCORRECT_CATEGORY = "INCORRECT_CATEGORY"
TAG_CONTENT_MISMATCH = "TAG_CONTENT_MISMATCH"

SHORTENERS = ("bit.ly", "tinyurl.com", "goo.gl", "t.co", "ow.ly", "is.gd", "buff.ly", "rebrand.ly", "cutt.ly",
              "shorturl.at", "tiny.cc", "rb.gy", "t.ly", "s.id")
SHORT_URL = re.compile(r"(?<![\w.-])(?:https?://)?(?:www\.)?(?:" + "|".join(re.escape(s) for s in SHORTENERS)
                       + r")/", re.IGNORECASE)
PROMOTIONAL = re.compile(r"\b(?:offers?|sales?|discounts?|deals?|coupons?|promos?|promotions?|cashback|"
                         r"buy now|limited time|\d+\s?% off)\b", re.IGNORECASE)
ADJACENT = re.compile(r"\}\}\s*\{\{")


def _texts(components: list[dict]) -> Iterable[tuple[str, str]]:
    """(component type, text) of every text a reviewer reads, cards and buttons included."""
    for component in components:
        if "text" in component:
            yield component["type"], component["text"]
        for button in component.get("buttons", []):
            for key in ("text", "url"):
                if key in button:
                    yield "BUTTON", button[key]
        for card in component.get("cards", []):
            yield from _texts(card["components"])


def _mostly_non_latin(text: str) -> bool:
    letters = [ch for ch in PLACEHOLDER.sub("", text) if ch.isalpha()]
    return bool(letters) and sum(1 for ch in letters if ord(ch) > 0x24F) * 2 > len(letters)


def review(template: Mapping[str, Any]) -> tuple[str, str | None]:
    """Meta's decision on a template: ("approved", None) or ("rejected", reason).

    The first matching rule decides, in this order:
    1. TAG_CONTENT_MISMATCH: an English-language template whose body is mostly in a non-Latin script.
    2. INVALID_FORMAT: the body starts or ends with a variable (not checked for authentication templates,
       whose body Meta writes itself).
    3. INVALID_FORMAT: two variables next to each other with nothing but spaces between them.
    4. INVALID_FORMAT: a shortened URL (bit.ly, tinyurl.com, ...) anywhere in the template.
    5. INCORRECT_CATEGORY: promotional wording ("offer", "sale", "discount", ...) in a utility or
       authentication template.
    """
    components = template["components"]
    body = next((c["text"] for c in components if c["type"] == "BODY"), "")
    texts = list(_texts(components))
    if template["language"].startswith("en") and _mostly_non_latin(body):
        return "rejected", TAG_CONTENT_MISMATCH
    stripped = body.strip()
    if template["category"] != "authentication" and variables(stripped) and (
            re.match(r"\{\{[^}]*\}\}", stripped) or re.search(r"\{\{[^}]*\}\}$", stripped)):
        return "rejected", INVALID_FORMAT
    if any(ADJACENT.search(text) for _, text in texts):
        return "rejected", INVALID_FORMAT
    if any(SHORT_URL.search(text) for _, text in texts):
        return "rejected", INVALID_FORMAT
    if template["category"] in ("utility", "authentication") and any(
            PROMOTIONAL.search(PLACEHOLDER.sub(" ", text)) for kind, text in texts):
        return "rejected", INCORRECT_CATEGORY
    return "approved", None

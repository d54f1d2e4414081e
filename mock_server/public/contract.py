"""Which JSON Schema describes each public operation's request and each of its responses.

One table, read by the test suite (every response any test receives is checked against it) and by
whatever documents the API; an answer whose status is not listed is the gateway's common envelope.
"""

from __future__ import annotations

import re
from functools import lru_cache

COMMON_ERROR = "public/error.response"
TEMPLATE_400, TEMPLATE_404 = "public/template.invalid.response", "public/template.not_found.response"
CONTACT_ERROR = "public/contact.error.response"
CAMPAIGN = {200: "public/campaign.detail.response", 404: "public/campaign.not_found.response"}

OPERATIONS: dict[tuple[str, str], dict] = {
    ("POST", "/chat/templates"): {"request": "public/template.create.request",
                                  201: "public/template.create.response", 400: TEMPLATE_400},
    ("GET", "/chat/templates"): {200: "public/template.list.response", 400: TEMPLATE_400},
    ("GET", "/chat/templates/{id}"): {200: "public/template.fetch.response", 404: TEMPLATE_404},
    ("DELETE", "/chat/templates/{id}"): {200: "public/template.delete.response", 404: TEMPLATE_404},
    ("GET", "/chat/campaigns"): {200: "public/campaign.list.response"},
    ("GET", "/chat/campaigns/{campaign_id}"): CAMPAIGN,
    ("GET", "/chat/campaign/{campaign_id}"): CAMPAIGN,
    ("GET", "/chat/phonenumbers"): {200: "public/phonenumbers.list.response"},
    ("POST", "/chat/media/upload"): {201: "public/media.upload.response", 400: "public/media.invalid.response"},
    ("POST", "/chat/messages"): {"request": "public/message.send.request", 200: "public/message.send.response",
                                 400: "public/message.send.error"},
    ("GET", "/contacts"): {200: "public/contact.list.response", 400: CONTACT_ERROR},
    # Create and Search share this operation (see README); a 200 is one of their two bodies.
    ("POST", "/contacts"): {200: ("public/contact.response", "public/contact.search.response"), 400: CONTACT_ERROR},
    ("GET", "/contacts/{contact_id}"): {200: "public/contact.response", 404: CONTACT_ERROR},
    ("PATCH", "/contacts/{contact_id}"): {"request": "public/contact.update.request", 200: "public/contact.response",
                                          400: CONTACT_ERROR, 404: CONTACT_ERROR},
    ("DELETE", "/contacts/{contact_id}"): {200: "public/contact.delete.response", 404: CONTACT_ERROR},
}


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern, tuple[str, str]]]:
    return [(method, re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "$"), (method, path))
            for method, path in OPERATIONS]


def operation(method: str, path: str) -> tuple[str, str] | None:
    """The documented operation a concrete request path belongs to."""
    return next((op for m, pattern, op in _patterns() if m == method and pattern.match(path)), None)


def response_schemas(method: str, path: str, status: int) -> tuple[str, ...]:
    """The schema(s) a response must satisfy (any one of them); empty when the path is not public."""
    op = operation(method, path)
    if op is None:
        return ()
    found = OPERATIONS[op].get(status, COMMON_ERROR if status >= 400 else None)
    if found is None:
        raise LookupError(f"{method} {op[1]} has no documented {status} response")
    return found if isinstance(found, tuple) else (found,)

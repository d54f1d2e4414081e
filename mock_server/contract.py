"""Which JSON Schema describes each operation's request and each of its responses, on every surface.

One table, read by the test suite (every response any test receives is checked against it) and by
whatever documents the API; an error status an operation does not list is its surface's common
error body.
"""

from __future__ import annotations

import re
from functools import lru_cache

from mock_server.developer_paths import LIVE_PATHS, PREFIXES as DEVELOPER_PREFIXES

COMMON_ERROR = "public/error.response"
TEMPLATE_400, TEMPLATE_404 = "public/template.invalid.response", "public/template.not_found.response"
CONTACT_ERROR = "public/contact.error.response"
UNSUPPORTED = "public/unsupported_media_type.response"  # a body of a Content-Type the endpoint does not parse
CAMPAIGN = {200: "public/campaign.detail.response", 404: "public/campaign.not_found.response"}
OBD_ANSWER = "obd/call.response"
DEVELOPER_ERROR = "developers/error"
# The error body of each surface, by path prefix (longest first), for statuses an operation does not list.
SURFACE_ERRORS = (("/obd-api-v1", (OBD_ANSWER, "obd/gateway.error")),
                  *((prefix, (DEVELOPER_ERROR,)) for prefix in DEVELOPER_PREFIXES), ("/", (COMMON_ERROR,)))

OPERATIONS: dict[tuple[str, str], dict] = {
    ("POST", "/chat/templates"): {"request": "public/template.create.request",
                                  201: "public/template.create.response", 400: TEMPLATE_400, 415: UNSUPPORTED},
    ("GET", "/chat/templates"): {200: "public/template.list.response", 400: TEMPLATE_400},
    ("GET", "/chat/templates/{id}"): {200: "public/template.fetch.response", 404: TEMPLATE_404},
    ("DELETE", "/chat/templates/{id}"): {200: "public/template.delete.response", 404: TEMPLATE_404},
    ("GET", "/chat/campaigns"): {200: "public/campaign.list.response"},
    ("GET", "/chat/campaigns/{campaign_id}"): CAMPAIGN,
    ("GET", "/chat/campaign/{campaign_id}"): CAMPAIGN,
    ("GET", "/chat/phonenumbers"): {200: "public/phonenumbers.list.response"},
    ("POST", "/chat/media/upload"): {201: "public/media.upload.response", 400: "public/media.invalid.response",
                                    415: UNSUPPORTED},
    ("POST", "/chat/messages"): {"request": "public/message.send.request", 200: "public/message.send.response",
                                 400: "public/message.send.error", 415: UNSUPPORTED},
    ("GET", "/contacts"): {200: "public/contact.list.response", 400: CONTACT_ERROR},
    # Create and Search share this operation (see README); a 200 is one of their two bodies.
    ("POST", "/contacts"): {200: ("public/contact.response", "public/contact.search.response"), 400: CONTACT_ERROR,
                          415: UNSUPPORTED},
    ("GET", "/contacts/{contact_id}"): {200: "public/contact.response", 404: CONTACT_ERROR},
    ("PATCH", "/contacts/{contact_id}"): {"request": "public/contact.update.request", 200: "public/contact.response",
                                          400: CONTACT_ERROR, 404: CONTACT_ERROR, 415: UNSUPPORTED},
    ("DELETE", "/contacts/{contact_id}"): {200: "public/contact.delete.response", 404: CONTACT_ERROR},
    # The OBD API answers every request in one shape, accepted or not; its gateway has another.
    ("POST", "/obd-api-v1"): {"request": "obd/call.request", 200: OBD_ANSWER, 400: (OBD_ANSWER, "obd/gateway.error"),
                              403: (OBD_ANSWER, "obd/gateway.error"), 404: OBD_ANSWER, 500: OBD_ANSWER},
    ("GET", "/search/user"): {"request": "developers/user.list.request", 200: "developers/user.list.response",
                              400: "developers/user.error.response"},
    ("POST", "/search/user"): {"request": "developers/user.create.request", 200: "developers/user.create.response",
                               400: "developers/user.error.response"},
    ("PUT", "/search/user"): {"request": "developers/user.update.request", 200: "developers/user.update.response",
                              400: "developers/user.error.response", 404: "developers/user.error.response"},
    ("POST", "/search/search"): {"request": "developers/logs.search.request", 200: "developers/logs.response",
                                 400: "developers/logs.error.response"},
    ("GET", "/search/filters"): {"request": "developers/filters.request", 200: "developers/filters.response"},
    ("GET", "/search/recordings/link"): {"request": "developers/recordings.link.request",
                                         200: "developers/recordings.link.response",
                                         400: "developers/recordings.error.response",
                                         404: "developers/recordings.error.response"},
    ("POST", "/contactadd"): {"request": "developers/contactadd.request", 200: "developers/contactadd.response",
                              400: "developers/contactadd.error.response"},
}
# The public API's gateway answers every operation in its own bodies (public/auth.py): no Authorization header is its
# 401, an Authorization that is not "Bearer <key>" its explicit deny (403), beside the documented 403 in the envelope;
# an outage (a fault's gateway-outage preset) its 500 {"message": null}, beside the documented 500.
PUBLIC_GATEWAY = {401: "public/gateway.unauthorized.response", 403: (COMMON_ERROR, "public/gateway.denied.response"),
                  500: (COMMON_ERROR, "public/gateway.outage.response")}


def _add_public_gateway() -> None:
    for (_, path), entry in OPERATIONS.items():
        if path.startswith(("/chat/", "/contacts")):
            for status, names in PUBLIC_GATEWAY.items():
                entry.setdefault(status, names)


_add_public_gateway()

# The developers API's live bare paths (POST /search, GET|POST|PUT /user…) are their collection twins' operations.
OPERATIONS.update({(method, LIVE_PATHS[path]): entry for (method, path), entry in list(OPERATIONS.items())
                   if path in LIVE_PATHS})

# The Content-Types each public operation's body may have: JSON, but where the collection sends a form (the media
# upload), DRF's default parsers (multipart, urlencoded and JSON). Any other is the 415 (http.require_media_type).
JSON_BODY = ("application/json",)
FORM_BODY = ("multipart/form-data", "application/x-www-form-urlencoded", "application/json")
REQUEST_MEDIA_TYPES: dict[tuple[str, str], tuple[str, ...]] = {("POST", "/chat/media/upload"): FORM_BODY}

# Served, but not JSON: the recording a link points at (audio/mpeg, or a developers error body).
AUDIO = ("GET", "/search/recordings/{token}.mp3")
AUDIO_OPERATIONS = (AUDIO, ("GET", LIVE_PATHS[AUDIO[1]]))


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern, tuple[str, str]]]:
    return [(method, re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "$"), (method, path))
            for method, path in OPERATIONS]


@lru_cache(maxsize=1024)  # the table is fixed; a write's path is one of a few (/chat/messages, /contacts, ...)
def operation(method: str, path: str) -> tuple[str, str] | None:
    """The documented operation a concrete request path belongs to (repeated slashes merged, as served)."""
    path = re.sub("/{2,}", "/", path)
    return next((op for m, pattern, op in _patterns() if m == method and pattern.match(path)), None)


def surface_errors(path: str) -> tuple[str, ...]:
    return next(names for prefix, names in SURFACE_ERRORS if path.startswith(prefix))


def response_schemas(method: str, path: str, status: int) -> tuple[str, ...]:
    """The schema(s) a response must satisfy (any one of them); empty for paths outside the contract."""
    op = operation(method, path)
    if op is None:
        return ()
    found = OPERATIONS[op].get(status, surface_errors(path) if status >= 400 else None)
    if found is None:
        raise LookupError(f"{method} {op[1]} has no documented {status} response")
    return found if isinstance(found, tuple) else (found,)


def request_media_types(method: str, path: str) -> tuple[str, ...]:
    """The Content-Types a public operation's body may have (JSON for all but the media upload)."""
    op = operation(method, path)
    return REQUEST_MEDIA_TYPES.get(op, JSON_BODY) if op is not None else JSON_BODY

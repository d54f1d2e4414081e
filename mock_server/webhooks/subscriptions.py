"""Webhook subscriptions: where events go, which ones, in which format and content type, with
which headers and auth (items 32 and 37 describe the panel these mirror).

A subscription is a plain dict, stored as it is::

    {"id", "url", "events": ["*"] | ["call.*", "disposition", ...],
     "format": "envelope" | "legacy_call" | "legacy_whatsapp",
     "content_type": "application/json" | "application/x-www-form-urlencoded" | "multipart/form-data",
     "headers": {name: value}, "auth": {"type": "none"} | {"type": "basic", "username", "password"}
     | {"type": "api_key", "key", "value"}, "active": bool, "description": str}

They come from the control plane, from ``serve --webhook-url`` and from a config file; all three
go through ``parse``, so one set of rules (the JSON Schema ``control/webhook.subscription.request``
and the checks below it) decides what a subscription may say. Everything accepted can be sent:
a URL httpx can reach, headers an HTTP/1.1 client will write.
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

from mock_server import schemas
from mock_server.errors import DRF_INVALID, ApiError, quoted
from mock_server.webhooks.encode import FORMATS, JSON

SCHEMA = "control/webhook.subscription.request"

# Every event type the collection documents (items 37-53).
EVENT_TYPES = (
    "call.initiated", "call.ivr_started", "call.dial_begin", "call.answered", "call.end", "call.summary",
    "disposition",
    "message.received", "message.sent", "message.delivered", "message.read", "message.failed",
    "message.link_tracking",
    "conversation.assign", "conversation.close",
)
# "*" is every event; "<prefix>.*" every event type with that prefix.
EVENT_PATTERNS = ("*", *sorted({kind.split(".")[0] + ".*" for kind in EVENT_TYPES if "." in kind}))

DEFAULTS: dict[str, Any] = {"events": ["*"], "format": FORMATS[0], "content_type": JSON, "headers": {},
                            "auth": {"type": "none"}, "active": True, "description": ""}

# Headers a custom value would break or contradict: the HTTP client's own (hop-by-hop, RFC 7230
# section 6.1, and those framing the request) and the encoder's Content-Type.
RESERVED_HEADERS = frozenset({"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
                              "upgrade", "host", "content-length", "content-type"})
MAX_NESTING = 8  # a subscription is three levels deep; anything deeper is refused before validation


def parse(body: object, *, subscription_id: str) -> dict[str, Any]:
    """A request body as a complete subscription (defaults filled in), or DRF_INVALID's 400."""
    if not isinstance(body, dict):
        raise DRF_INVALID.field("non_field_errors", "Invalid data. Expected a JSON object.")
    problem = _not_json(body, "")
    if problem:
        raise DRF_INVALID.field(*problem)
    errors = schemas.field_errors(SCHEMA, body)
    if errors:
        raise DRF_INVALID.error(errors)
    # A copy: the defaults' and the caller's lists and dicts are not to be shared with a stored subscription.
    subscription = copy.deepcopy({"id": subscription_id, "url": body["url"], **DEFAULTS, **body})
    _check_url(subscription["url"])
    _check_headers(subscription["headers"], subscription["auth"])
    subscription["events"] = list(dict.fromkeys(subscription["events"]))  # repeats mean nothing
    return subscription


def _not_json(value: Any, path: str, depth: int = 0) -> tuple[str, str] | None:
    """(field, message) for the first value no JSON document could hold (YAML dates, lone
    surrogates, non-string keys, deep nesting), which the schema validators are not built for."""
    field = path or "non_field_errors"
    if isinstance(value, (dict, list)) and depth >= MAX_NESTING:
        return field, "Nested too deeply."
    if isinstance(value, dict):
        for key, item in value.items():
            if not (isinstance(key, str) and _is_unicode(key)):
                return field, "Keys must be strings of valid Unicode."
            problem = _not_json(item, f"{path}.{key}" if path else key, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, list):
        for index, item in enumerate(value):
            problem = _not_json(item, f"{path}.{index}", depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, str) and not _is_unicode(value):
        return field, "Contains a lone surrogate, which is not valid Unicode."
    if value is None or isinstance(value, (str, bool, int, float)):
        return None
    return field, f"Must be a JSON value, not {type(value).__name__}."


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which JSON's \u escapes can smuggle in
        return False
    return True


def _check_url(url: str) -> None:
    if any(character.isspace() or not character.isprintable() for character in url):
        raise DRF_INVALID.field("url", "Enter a valid URL: it contains whitespace or control characters.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in 0-65535
        httpx.Request("POST", url)  # what delivery will build (this also decodes an IDNA host)
    except (ValueError, httpx.InvalidURL):  # ValueError: also idna's errors
        raise DRF_INVALID.field("url", f"Enter a valid URL: {quoted(url)}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise DRF_INVALID.field("url", "Only http and https URLs can receive webhooks.")
    if not parts.hostname:
        raise DRF_INVALID.field("url", "Enter a valid URL: it has no host.")
    if parts.username is not None or parts.password is not None:
        raise DRF_INVALID.field("url", "Credentials go in auth, not in the URL.")
    if "#" in url:
        raise DRF_INVALID.field("url", "A webhook URL cannot have a fragment.")


def _check_headers(headers: dict[str, str], auth: dict[str, str]) -> None:
    seen: set[str] = set()
    for name in headers:
        if name.lower() in seen:
            raise DRF_INVALID.field("headers", f"Header {quoted(name)} is given twice (names ignore case).")
        if name.lower() in RESERVED_HEADERS:
            raise DRF_INVALID.field("headers", _reserved(name))
        seen.add(name.lower())
    if auth.get("key", "").lower() in RESERVED_HEADERS:
        raise DRF_INVALID.field("auth.key", _reserved(auth["key"]))


def _reserved(name: str) -> str:
    return f"{name} is set by the webhook request itself and cannot be configured."


def matches(subscription: dict[str, Any], event: dict[str, Any]) -> bool:
    """Whether ``event`` is delivered to ``subscription``: active, a pattern matches, and the event
    has a body in the subscription's format (the legacy formats cover only some events)."""
    event_type = event["event_type"]
    wanted = any(pattern == "*" or pattern == event_type
                 or (pattern.endswith(".*") and event_type.startswith(pattern[:-1]))
                 for pattern in subscription["events"])
    return bool(subscription["active"]) and wanted and event["bodies"].get(subscription["format"]) is not None


def request_headers(subscription: dict[str, Any]) -> dict[str, str]:
    """The custom headers with auth applied (Content-Type is the encoder's).

    As documented, auth overrides a custom header of the same name (compared ignoring case);
    the other custom headers are kept.
    """
    headers = dict(subscription["headers"])
    auth = subscription["auth"]
    if auth["type"] == "basic":
        credentials = f"{auth['username']}:{auth['password']}".encode()
        name, value = "Authorization", "Basic " + base64.b64encode(credentials).decode("ascii")
    elif auth["type"] == "api_key":
        name, value = auth["key"], auth["value"]
    else:
        return headers
    headers = {key: item for key, item in headers.items() if key.lower() != name.lower()}
    headers[name] = value
    return headers


def from_url(url: str, *, subscription_id: str) -> dict[str, Any]:
    """``serve --webhook-url URL``: every event, as the envelope, in JSON. ValueError if the URL is bad."""
    try:
        return parse({"url": url}, subscription_id=subscription_id)
    except ApiError as error:
        raise ValueError(f"webhook URL {quoted(url)!r}: {describe(error)}") from None


def load_config(path: Path) -> list[dict[str, Any]]:
    """The subscriptions of a config file (JSON, or YAML for .yaml/.yml): ``{"subscriptions": [...]}``
    with one control-plane request body each, given the ids config-1, config-2, ...

    ValueError, naming the file and the entry and field, for a file that cannot be used.
    """
    is_yaml = Path(path).suffix.lower() in (".yaml", ".yml")
    try:
        text = Path(path).read_text(encoding="utf-8")
        document = yaml.safe_load(text) if is_yaml else json.loads(text)
    except OSError as error:
        raise ValueError(f"{path}: cannot read the webhook config: {error.strerror or error}") from None
    except (ValueError, RecursionError, yaml.YAMLError) as error:  # ValueError: also UTF-8's errors
        raise ValueError(f"{path}: not valid {'YAML' if is_yaml else 'JSON'}: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("subscriptions"), list):
        raise ValueError(f'{path}: expected an object with a "subscriptions" list')
    unknown = sorted(str(key) for key in document if key != "subscriptions")
    if unknown:
        raise ValueError(f"{path}: unknown top-level key(s): {', '.join(unknown)}")
    subscriptions = []
    for number, entry in enumerate(document["subscriptions"], start=1):
        try:
            subscriptions.append(parse(entry, subscription_id=f"config-{number}"))
        except ApiError as error:
            raise ValueError(f"{path}: subscription {number} (id config-{number}): {describe(error)}") from None
    return subscriptions


def describe(error: ApiError) -> str:
    """A DRF-style 400 as one line: ``field: message; field: message``."""
    details = error.body.get("errors") or {}
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in details.items()) or str(error)

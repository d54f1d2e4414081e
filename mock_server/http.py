"""Request parsing and response helpers shared by every surface.

Each helper takes the endpoint's ``FieldStyle`` so that malformed input is answered in the
envelope that endpoint documents, never with a 500.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse

from mock_server import schemas
from mock_server.errors import FieldStyle, unsupported_media_type

MAX_JSON_BYTES = 1024 * 1024
# JSON nested deeper than this is refused at parsing: no documented body comes near it, and a value nested
# hundreds of levels deep inside a field the schema leaves open (Send Message's trail) would break every
# later copy of the document (deepcopy's recursion limit) long after the request was accepted.
MAX_NESTING = 64
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class Json(JSONResponse):
    """Compact UTF-8 JSON, as the real service sends (orjson: encoding is the hot path's largest cost)."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except (TypeError, orjson.JSONEncodeError):  # e.g. an integer beyond 64 bits that a client sent
            return json.dumps(content, separators=(",", ":")).encode("ascii")


def media_type(content_type: str) -> str:
    """``application/json; charset=utf-8`` -> ``application/json`` (media types are case-insensitive)."""
    return content_type.split(";", 1)[0].strip().lower()


def has_body(request: Request) -> bool:
    """Whether the request carries a body, from its headers alone (HTTP/1.1 framing), so nothing is read."""
    length = request.headers.get("content-length")
    if length is not None:
        return length.strip() != "0"
    return "transfer-encoding" in request.headers


def require_media_type(request: Request, accepted: tuple[str, ...]) -> None:
    """DRF's parser selection: a body is parsed by the parser of its Content-Type, and one that no parser of the
    endpoint takes is a 415 (a missing Content-Type included). Parameters (``; charset=utf-8``) do not matter;
    ``+json`` types are other types (DRF's JSONParser takes only ``application/json``). A request without a body,
    and methods whose handlers read none (GET, DELETE), are never refused."""
    if request.method not in BODY_METHODS or not has_body(request):
        return
    content_type = request.headers.get("content-type", "")
    if media_type(content_type) not in accepted:
        raise unsupported_media_type(content_type)


async def read_body(request: Request, limit: int, style: FieldStyle) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise style.field("non_field_errors", f"Request body is too large (limit {limit} bytes).")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise style.field("non_field_errors", f"Request body is too large (limit {limit} bytes).")
    return bytes(body)


EMPTY = object()  # what parse_json returns for an empty body (unlike the JSON value null)


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


# json.loads with these arguments builds a new decoder on every call: one is enough.
_DECODER = json.JSONDecoder(parse_float=_finite, parse_constant=_no_constants)


def parse_json(raw: bytes, style: FieldStyle) -> Any:
    """Strict JSON (no NaN/Infinity, no lone surrogates), or the style's 400; EMPTY for no body.

    The one parser every endpoint uses, so that every endpoint refuses the same hostile input.
    """
    if not raw.strip():
        return EMPTY
    try:
        text = raw.decode("utf-8")
        if text.startswith("\ufeff"):  # as json.loads refuses it, before its decoder runs
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        value = _DECODER.decode(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # ValueError: also 4300+ digit integers
        raise style.field("non_field_errors", f"JSON parse error - {str(exc)[:120]}") from None
    if b"\\ud" in raw.lower() and _has_lone_surrogate(value):
        raise style.field("non_field_errors", "JSON parse error - lone surrogate in a \\u escape.")
    if raw.count(b"[") + raw.count(b"{") > MAX_NESTING and _depth(value) > MAX_NESTING:  # counting is cheap
        raise style.field("non_field_errors", f"JSON parse error - nested deeper than {MAX_NESTING} levels.")
    return value


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (iteratively: no recursion limit to meet)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def require_object(body: Any, style: FieldStyle, schema: str | None = None) -> dict[str, Any]:
    """``body`` must be a JSON object, valid against ``schema`` when given."""
    if not isinstance(body, dict):
        raise style.field("non_field_errors", "Invalid data. Expected a JSON object.")
    if schema:
        errors = schemas.field_errors(schema, body)
        if errors:
            raise style.error(errors)
    return body


async def read_json(request: Request, style: FieldStyle, schema: str | None = None,
                    limit: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """The body as a JSON object, validated against ``schema`` when given."""
    return require_object(parse_json(await read_body(request, limit, style), style), style, schema)


def _has_lone_surrogate(body: Any) -> bool:
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def query_int(request: Request, name: str, default: int, style: FieldStyle,
              minimum: int = 0, maximum: int | None = None) -> int:
    """An integer query parameter; values above ``maximum`` are capped (DRF's max_limit)."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise style.field(name, "A valid integer is required.") from None
    if value < minimum:
        raise style.field(name, f"Ensure this value is greater than or equal to {minimum}.")
    return min(value, maximum) if maximum is not None else value


def query_list(request: Request, name: str) -> list[str]:
    """A comma-separated (or repeated) query parameter."""
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    return values


def base_url(request: Request) -> str:
    """Where the client reached this server: scheme, Host and root path (the links a response gives back
    point there). Without a request (a webhook's links) it is ``Settings.public_base_url``."""
    # Built from the scope directly: Starlette's URL objects cost more than the rest of a list.
    scope = request.scope
    host = request.headers.get("host") or "{}:{}".format(*scope.get("server") or ("localhost", 80))
    return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}"


def page(request: Request, items: Sequence, limit: int, offset: int) -> dict[str, Any]:
    """DRF's LimitOffsetPagination: count, next and previous URLs, and the page's results (``items``: a list,
    or an ordered index's view, of which only the page is read)."""
    count = len(items)
    here = f"{base_url(request)}{request.scope['path']}"
    # Every other query parameter, repeated ones included, so that the link pages the same list.
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")])
    kept = f"{kept}&" if kept else ""

    def link(new_offset: int) -> str:
        return f"{here}?{kept}limit={limit}" + (f"&offset={new_offset}" if new_offset > 0 else "")

    return {
        "count": count,
        "next": link(offset + limit) if offset + limit < count else None,
        "previous": link(max(offset - limit, 0)) if offset > 0 and limit > 0 else None,
        "results": items[offset: offset + limit],
    }

"""The developers API's parameters: the query string and the body together, as its clients send them.

The body may be JSON (an object, its values strings or JSON types: the live poller sends
``{"token": "…", "log_from": "0", …}``), a urlencoded form, or multipart/form-data (PHP's curl
with an array CURLOPT_POSTFIELDS). A body of another or no Content-Type is read as JSON when it
starts like JSON, else as a urlencoded form. Field names of forms and of the query string follow
PHP's bracket notation (``params.php_fields``). Where the query and the body both give a
parameter, the body's wins, as PHP's ``$_REQUEST`` (request_order "GP": POST over GET). File
parts of a multipart body are not parameters (PHP keeps them out of ``$_POST``) and are skipped.
A malformed body is the developers API's 400; bodies over MAX_JSON_BYTES are refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from mock_server.developers.params import NestingError, php_fields
from mock_server.errors import FieldStyle
from mock_server.forms import FIELD_LIMIT, FormStream
from mock_server.http import EMPTY, MAX_JSON_BYTES, parse_json, read_body

MULTIPART = "multipart/form-data"


async def read_params(request: Request, style: FieldStyle) -> dict[str, Any]:
    """Query string and body parameters together (the body's win)."""
    params = _fields(request.query_params.multi_items(), style)
    raw = await read_body(request, MAX_JSON_BYTES, style)
    if raw.strip():
        params.update(body_params(request.headers.get("content-type", ""), raw, style))
    return params


def body_params(content_type: str, raw: bytes, style: FieldStyle) -> dict[str, Any]:
    mime, options = parse_options_header(content_type)
    kind = mime.decode("latin-1").strip().lower()
    if kind == MULTIPART:
        return _fields(_multipart(raw, options.get(b"boundary"), style), style)
    if kind == "application/json" or raw.lstrip()[:1] in (b"{", b"["):
        body = parse_json(raw, style)
        if body is not EMPTY and not isinstance(body, dict):
            raise style.field("body", "Invalid data. Expected a JSON object.")
        return body if isinstance(body, dict) else {}
    try:
        return _fields(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False), style)
    except UnicodeDecodeError:
        raise style.field("body", "The body is neither JSON nor a UTF-8 form.") from None


def _fields(pairs: Iterable[tuple[str, str]], style: FieldStyle) -> dict[str, Any]:
    try:
        return php_fields(pairs)
    except NestingError as error:
        raise style.field("body", str(error)) from None


def _multipart(raw: bytes, boundary: bytes | None, style: FieldStyle) -> list[tuple[str, str]]:
    """The text fields of a multipart body, in order."""
    if not boundary:
        raise style.field("body", "Multipart form parse error - the Content-Type gives no boundary.")
    form = FormStream(boundary)
    try:
        form.write(raw)
        form.finalize()
    except FormParserError as exc:
        raise style.field("body", f"Multipart form parse error - {str(exc)[:120]}") from None
    if not form.ended:
        raise style.field("body", "Multipart form parse error - the body ended before the closing boundary.")
    if form.too_large_field:
        raise style.field("body", f"Multipart form parse error - a field is larger than {FIELD_LIMIT // 1024} KB.")
    try:
        return [(part.name, part.data.decode("utf-8")) for part in form.parts
                if part.name is not None and part.filename is None]
    except UnicodeDecodeError:
        raise style.field("body", "Multipart form parse error - a field is not UTF-8 text.") from None

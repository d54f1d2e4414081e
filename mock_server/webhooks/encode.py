"""The bytes a webhook puts on the wire, for each documented content type and format.

application/json sends the body as it is (UTF-8, non-ASCII kept). The two form content types, which
the docs describe only as "nested objects serialised appropriately", name nested fields the way a
browser, PHP or Rails form does (bracket notation): ``payload[legs][0][leg_index]=1``, top-level
fields by their own name. The deprecated call-log webhooks document their own form rendering
instead: a single field ``myoperator=<the call log's JSON>``.

A form value is text, so scalars are rendered (inferred): strings as they are, numbers and booleans
in their JSON text (``1``, ``0.4``, ``true``), and null, an empty list and an empty object all as an
empty value. The empty value keeps the field visible, and every form parser reads it as empty, where
PHP's http_build_query and Rails' to_query would drop the field altogether.

``decode_form`` is the inverse, for tests and the receiver in ``mock_server.testing``: it rebuilds
nested objects from bracket names, with every value a string. Bracket notation cannot tell some
shapes apart, so these read back differently: an object whose keys are exactly "0", "1", … "n-1"
comes back as a list, and keys containing ``[`` or ``]`` are not recovered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import Message
from itertools import count
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
CONTENT_TYPES = (JSON, FORM, MULTIPART)
FORMATS = ("envelope", "legacy_call", "legacy_whatsapp")

# The documented form rendering of the AfterCall and Disposition logs: myoperator={...}.
LEGACY_CALL_FIELD = "myoperator"
# Deeper bracket names than any payload has are refused when decoding (hostile input).
MAX_DEPTH = 32

_BRACKETED_NAME = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
# How browsers escape a multipart field name (WHATWG HTML, "multipart/form-data encoding algorithm").
_NAME_ESCAPES = {'"': "%22", "\r": "%0D", "\n": "%0A"}
_ESCAPED_NAME_CHARACTER = re.compile("%(22|0D|0A)")
_DISPOSITION_NAME = re.compile(r'(?:^|;)\s*name="([^"]*)"')


def encode(body: dict[str, Any], content_type: str, fmt: str) -> tuple[bytes, str]:
    """The request body for ``body`` in ``fmt`` sent as ``content_type``, and its Content-Type header."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown webhook format {fmt!r}")
    if content_type == JSON:
        return orjson.dumps(body), JSON
    if fmt == "legacy_call":
        fields = [(LEGACY_CALL_FIELD, orjson.dumps(body).decode("utf-8"))]
    else:
        fields = list(form_fields(body))
    if content_type == FORM:
        return urlencode(fields).encode("ascii"), FORM
    if content_type == MULTIPART:
        return _multipart(fields)
    raise ValueError(f"unknown webhook content type {content_type!r}")


def form_fields(body: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """``body`` flattened to (bracket name, text value) pairs, in the body's order."""
    for key, value in body.items():
        yield from _fields(key, value)


def _fields(name: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _fields(f"{name}[{key}]", item)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _fields(f"{name}[{index}]", item)
    else:
        yield name, form_text(value)


def form_text(value: Any) -> str:
    """A scalar (or an empty list or object) as a form value."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, (list, dict)):
        return ""
    return orjson.dumps(value).decode("ascii")  # true/false, and numbers as the JSON body writes them


def _multipart(fields: list[tuple[str, str]]) -> tuple[bytes, str]:
    names = [_escape_name(name).encode("utf-8") for name, _ in fields]
    values = [value.encode("utf-8") for _, value in fields]
    boundary = _boundary(names + values)
    delimiter = b"--" + boundary.encode("ascii")
    body = bytearray()
    for name, value in zip(names, values, strict=True):
        body += delimiter + b'\r\nContent-Disposition: form-data; name="' + name + b'"\r\n\r\n' + value + b"\r\n"
    body += delimiter + b"--\r\n"
    return bytes(body), f"{MULTIPART}; boundary={boundary}"


def _boundary(contents: list[bytes]) -> str:
    """The first of a fixed series of boundaries that occurs nowhere in the content (deterministic)."""
    candidates = (f"myoperator-mock-{number:04d}" for number in count())
    return next(c for c in candidates if not any(c.encode("ascii") in content for content in contents))


def _escape_name(name: str) -> str:
    return "".join(_NAME_ESCAPES.get(character, character) for character in name)


def decode_form(body: bytes, content_type: str) -> dict[str, Any]:
    """A urlencoded or multipart body back to nested objects and lists of strings.

    Raises ValueError for anything else, or for a body that is not a well-formed form.
    """
    header = Message()
    header["Content-Type"] = content_type
    media_type = header.get_content_type()
    if media_type == FORM:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, errors="strict")
    elif media_type == MULTIPART:
        pairs = _multipart_pairs(body, header.get_boundary())
    else:
        raise ValueError(f"not a form content type: {content_type[:80]!r}")
    return _nest(pairs)


def _multipart_pairs(body: bytes, boundary: str | None) -> list[tuple[str, str]]:
    if not boundary:
        raise ValueError("multipart Content-Type without a boundary")
    # Every delimiter but the first follows a CRLF; prefixing one lets a single split find them all.
    chunks = (b"\r\n" + body).split(b"\r\n--" + boundary.encode("utf-8"))
    if len(chunks) < 2 or not chunks[-1].startswith(b"--"):
        raise ValueError("multipart body without its closing boundary")
    pairs = []
    for chunk in chunks[1:-1]:
        head, separator, value = chunk.partition(b"\r\n\r\n")
        name = _part_name(head.split(b"\r\n")[1:]) if separator else None
        if name is None:
            raise ValueError("multipart part without a form-data name")
        pairs.append((name, value.decode("utf-8")))
    return pairs


def _part_name(header_lines: list[bytes]) -> str | None:
    for line in header_lines:
        field, _, params = line.decode("utf-8").partition(":")
        match = _DISPOSITION_NAME.search(params) if field.strip().lower() == "content-disposition" else None
        if match:
            return _ESCAPED_NAME_CHARACTER.sub(lambda m: bytes.fromhex(m.group(1)).decode("ascii"), match.group(1))
    return None


def _nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for name, value in pairs:
        *parents, last = _keys(name)
        node = root
        for key in parents:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise ValueError(f"form field {name[:80]!r} conflicts with another field")
        if last in node:
            raise ValueError(f"form field {name[:80]!r} is given twice or conflicts with another field")
        node[last] = value
    return {key: _lists(value) for key, value in root.items()}


def _keys(name: str) -> list[str]:
    """``a[b][0]`` -> ["a", "b", "0"]; a name that is not bracket notation is one key."""
    match = _BRACKETED_NAME.fullmatch(name)
    if match is None:
        return [name]
    keys = [match.group(1), *_BRACKET.findall(match.group(2))]
    if len(keys) > MAX_DEPTH:
        raise ValueError(f"form field {name[:80]!r} is nested more than {MAX_DEPTH} deep")
    return keys


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    children = {key: _lists(value) for key, value in node.items()}
    if children and list(children) == [str(index) for index in range(len(children))]:
        return list(children.values())
    return children

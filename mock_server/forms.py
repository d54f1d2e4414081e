"""A streaming multipart/form-data reader: text fields are kept, file bytes only counted, so a body is
checked as it arrives and never buffered whole (the media upload and the developers API read forms with it)."""

from __future__ import annotations

import re
from urllib.parse import unquote

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

FIELD_LIMIT = 64 * 1024  # a text field (application) is a word; more is refused
MAX_PARTS = 20
EXTENDED_FILENAME = re.compile(r"filename\*\s*=\s*([A-Za-z0-9_-]*)'[^']*'([^;\s]+)", re.IGNORECASE)


class Part:
    def __init__(self):
        self.headers: dict[str, str] = {}
        self.name: str | None = None
        self.filename: str | None = None
        self.data = bytearray()  # text fields only
        self.size = 0
        self.data_offset: int | None = None  # where the part's content starts in the body


class FormStream:
    """Feeds python-multipart chunk by chunk; keeps text fields, counts (never keeps) file bytes."""

    def __init__(self, boundary: bytes):
        self.parts: list[Part] = []
        self.ended = False
        self.too_large_field = False
        self._offset = 0
        self._header, self._value = b"", b""
        self._parser = MultipartParser(boundary, {
            "on_part_begin": self._begin, "on_part_data": self._data, "on_header_field": self._field,
            "on_header_value": self._val, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_done, "on_end": self._end})

    def write(self, chunk: bytes) -> None:
        self._parser.write(chunk)
        self._offset += len(chunk)

    def finalize(self) -> None:
        self._parser.finalize()

    def _begin(self):
        if len(self.parts) >= MAX_PARTS:
            raise FormParserError(f"Too many parts. Maximum number of parts is {MAX_PARTS}.")
        self.parts.append(Part())

    def _field(self, data, start, end):
        self._header += data[start:end]

    def _val(self, data, start, end):
        self._value += data[start:end]

    def _header_end(self):
        # Latin-1 maps each byte to one character and back: parse_options_header re-encodes the value
        # to Latin-1, and the name and filename are then decoded as the UTF-8 clients send.
        self.parts[-1].headers[self._header.decode("latin-1").lower()] = self._value.decode("latin-1")
        self._header, self._value = b"", b""

    def _headers_done(self):
        part = self.parts[-1]
        _, options = parse_options_header(part.headers.get("content-disposition", ""))
        part.name = options[b"name"].decode("utf-8", "replace") if b"name" in options else None
        if b"filename" in options:
            part.filename = options[b"filename"].decode("utf-8", "replace")
        extended = EXTENDED_FILENAME.search(part.headers.get("content-disposition", ""))
        if extended:  # RFC 5987's filename*=utf-8''…, which clients send for non-ASCII names; it wins
            charset = extended.group(1) or "utf-8"
            try:
                part.filename = unquote(extended.group(2), encoding=charset, errors="replace")
            except LookupError:  # an unknown charset name
                part.filename = unquote(extended.group(2), errors="replace")

    def _data(self, data, start, end):
        part = self.parts[-1]
        if part.data_offset is None:
            part.data_offset = self._offset + start
        part.size += end - start
        if part.filename is None:
            if len(part.data) + end - start > FIELD_LIMIT:
                self.too_large_field = True
            else:
                part.data.extend(data[start:end])

    def _end(self):
        self.ended = True

    def last(self, name: str) -> Part | None:
        return next((p for p in reversed(self.parts) if p.name == name), None)

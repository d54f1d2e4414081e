"""Search Contacts' filter language and its cursor pagination.

A filter is ``{"and": {"<field>__<operation>": value, ...}}``. ``parse`` turns it into a
``Filter`` of typed ``Condition``s, checking each field, each operation against the field's type
(the documented support table) and each value's type; ``Filter.matches(doc)`` evaluates it.
Negated operations (is_not, not_contains, not_range) are the negation of their positive form, so
a contact without the field matches them, as a MongoDB ``$ne``/``$not`` does.

Results are ordered oldest first by (created, id); a pagination token is base64 of the JSON
``[id, created epoch ms]`` of one result, as the documented tokens are.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field as dataclass_field
from datetime import UTC, date, datetime
from typing import Any

from mock_server.clock import parse_iso
from mock_server.errors import quoted
from mock_server.services.contacts import (
    SOURCES,
    invalid,
    parse_date,
    parse_date_time,
    parse_number,
    phone_with_cc,
    text_of,
)
from mock_server.store import Collection
from mock_server.store.ordered import Ordered

ALL_TYPES = frozenset({"text", "text_area", "number", "single_select", "multi_select", "date", "date_time", "switch"})
# The documented "Supported Operations" table.
OPERATIONS: dict[str, frozenset[str]] = {
    "is": frozenset({"text", "single_select", "multi_select", "switch", "date", "number"}),
    "is_not": frozenset({"text", "single_select", "multi_select", "date", "number"}),
    "contains": frozenset({"text", "single_select", "multi_select", "text_area"}),
    "not_contains": frozenset({"text", "single_select", "multi_select", "text_area"}),
    "is_set": ALL_TYPES,
    "is_not_set": ALL_TYPES,
    "gt": frozenset({"number", "date"}),
    "gte": frozenset({"number", "date"}),
    "lt": frozenset({"number", "date"}),
    "lte": frozenset({"number", "date"}),
    "range": frozenset({"date"}),
    "not_range": frozenset({"date"}),
}
NEGATIONS = {"is_not": "is", "not_contains": "contains", "not_range": "range", "is_not_set": "is_set"}
CUSTOM_PREFIX = "custom_fields."
DATE_HINT = "Expected a date as \"YYYY-MM-DD\" (or a date-time as \"YYYY-MM-DDTHH:MM:SSZ\")."


class _Bad(Exception):
    """One condition's problem; ``parse`` gathers them into the one refusal of the filter."""


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    options: tuple[str, ...] = ()
    read: Callable[[dict], Any] = lambda doc: None
    aliases: tuple[tuple[Any, str], ...] = ()  # accepted stand-ins for options, e.g. status 1 -> active


def _standard(name: str, type_: str, options: tuple[str, ...] = (), read=None, aliases=()) -> Field:
    return Field(name, type_, options, read or (lambda doc: doc.get(name)), aliases)


STANDARD: dict[str, Field] = {f.name: f for f in (
    _standard("name", "text"),
    _standard("country_code", "text"),
    _standard("phone_number", "text"),
    _standard("phone_number_with_cc", "text", read=phone_with_cc),
    _standard("email_id", "text"),
    _standard("marketing_opt_in", "switch"),
    _standard("status", "single_select", ("active", "inactive"), aliases=((1, "active"), (0, "inactive"))),
    _standard("source", "single_select", SOURCES),
    _standard("created", "date"),
    _standard("modified", "date"),
)}


def custom_field(definition: dict) -> Field:
    field_id = str(definition["id"])
    return Field(CUSTOM_PREFIX + field_id, definition.get("type", ""), tuple(definition.get("options") or ()),
                 lambda doc: (doc.get("custom_fields") or {}).get(field_id))


# --- typed values ---------------------------------------------------------------------------
def _moment(value: Any) -> date | datetime:
    """A date compares by calendar day, a date-time by instant."""
    day = parse_date(value)
    if day is not None:
        return day
    instant = parse_date_time(value)
    if instant is None:
        raise _Bad(DATE_HINT)
    return instant


def _field_instant(value: Any) -> datetime | None:
    day = parse_date(value)
    if day is not None:
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    return parse_date_time(value)


def _compare(instant: datetime, moment: date | datetime) -> int:
    left: date  # a datetime is a date too: both sides are datetimes, or both days
    right: date
    if isinstance(moment, datetime):
        left, right = instant, moment
    else:
        left, right = instant.astimezone(UTC).date(), moment
    return (left > right) - (left < right)


def _is_set(value: Any) -> bool:
    if value is None or value == [] or value == {}:
        return False
    return not (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (list, dict)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return text_of(value)


def _values(value: Any, parse: Callable[[Any], Any], allow_list: bool = True) -> tuple:
    """One value, or (where allowed) a non-empty list meaning 'any of'."""
    items = value if isinstance(value, list) and allow_list else [value]
    if not items:
        raise _Bad("Expected at least one value.")
    return tuple(parse(v) for v in items)


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad(f"Expected a string (or a list of strings), got {_json_type(value)}.")
    return value


def _option(field: Field) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if not isinstance(value, bool):
            for alias, option in field.aliases:
                if value == alias:
                    return option
        if not isinstance(value, str) or value not in field.options:
            accepted = [*field.options, *(str(a) for a, _ in field.aliases)]
            raise _Bad(f"\"{quoted(value)}\" is not a valid choice. Choose one of: {', '.join(accepted)}.")
        return value
    return parse


def _number(value: Any) -> float:
    number = parse_number(value)
    if number is None:
        raise _Bad(f"Expected a number, got {_json_type(value)}.")
    return number


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"Expected true or false, got {_json_type(value)}.")
    return value


def _range(value: Any) -> tuple[date | datetime, date | datetime]:
    if not isinstance(value, dict) or set(value) != {"gte", "lte"}:
        raise _Bad("Expected {\"gte\": <date>, \"lte\": <date>}: range and not_range need both bounds.")
    return _moment(value["gte"]), _moment(value["lte"])


# --- conditions -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Condition:
    key: str
    field: Field
    operation: str
    operand: Any

    _match: Callable[[dict], bool] = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The test chosen once, not per contact: a search's first ask tests every contact.
        positive = NEGATIONS.get(self.operation)
        test, field, read, operand = _TESTS[positive or self.operation], self.field, self.field.read, self.operand
        if positive:
            object.__setattr__(self, "_match", lambda doc: not test(field, read(doc), operand))
        else:
            object.__setattr__(self, "_match", lambda doc: test(field, read(doc), operand))

    def matches(self, doc: dict) -> bool:
        return self._match(doc)


def _test_is(field: Field, value: Any, operand: tuple) -> bool:
    kind = field.type
    if kind == "multi_select":
        return isinstance(value, list) and set(value) == set(operand)
    if kind == "switch":
        return isinstance(value, bool) and value is operand[0]
    if kind == "number":
        number = parse_number(value)
        return number is not None and number in operand
    if kind == "date":
        instant = _field_instant(value)
        return instant is not None and any(_compare(instant, m) == 0 for m in operand)
    text = _text(value)
    return text is not None and text in operand


def _test_contains(field: Field, value: Any, operand: tuple) -> bool:
    if field.type == "multi_select":
        present = set(value) if isinstance(value, list) else {value} if isinstance(value, str) else set()
        return bool(present & set(operand))
    text = _text(value)
    return text is not None and any(part.casefold() in text.casefold() for part in operand)


def _ordering(accept: Callable[[int], bool]) -> Callable[[Field, Any, Any], bool]:
    def test(field: Field, value: Any, operand: Any) -> bool:
        if field.type == "number":
            number = parse_number(value)
            return number is not None and accept((number > operand) - (number < operand))
        instant = _field_instant(value)
        return instant is not None and accept(_compare(instant, operand))
    return test


def _test_range(field: Field, value: Any, operand: tuple) -> bool:
    instant = _field_instant(value)
    return instant is not None and _compare(instant, operand[0]) >= 0 and _compare(instant, operand[1]) <= 0


def _test_is_set(field: Field, value: Any, operand: bool) -> bool:
    return _is_set(value) is operand


_TESTS: dict[str, Callable[[Field, Any, Any], bool]] = {
    "is": _test_is,
    "contains": _test_contains,
    "gt": _ordering(lambda c: c > 0),
    "gte": _ordering(lambda c: c >= 0),
    "lt": _ordering(lambda c: c < 0),
    "lte": _ordering(lambda c: c <= 0),
    "range": _test_range,
    "is_set": _test_is_set,
}


def _operand(field: Field, operation: str, value: Any) -> Any:
    base = NEGATIONS.get(operation, operation)
    kind = field.type
    if base == "is_set":
        return _boolean(value)
    if base == "range":
        return _range(value)
    if base in ("gt", "gte", "lt", "lte"):
        return _number(value) if kind == "number" else _moment(value)
    if base == "contains":
        return _values(value, _option(field) if kind == "multi_select" else _string)
    # is / is_not
    if kind == "multi_select":
        return _values(value, _option(field))  # the exact set of options
    if kind == "switch":
        return (_boolean(value),)
    if kind == "number":
        return _values(value, _number)
    if kind == "date":
        return _values(value, _moment)
    if kind == "single_select":
        return _values(value, _option(field))
    return _values(value, _string)


@dataclass(frozen=True)
class Filter:
    conditions: tuple[Condition, ...] = ()

    def matches(self, doc: dict) -> bool:
        return all(c.matches(doc) for c in self.conditions)

    def signature(self) -> tuple:
        """All that decides which contacts match besides the contacts themselves (a field's reader is
        named by its key), so that two filters with one signature select the same contacts."""
        return tuple((c.key, c.field.type, c.field.options, c.field.aliases, c.operation, c.operand)
                     for c in self.conditions)


def resolve_field(name: str, definitions: dict[str, dict]) -> Field | None:
    if name.startswith(CUSTOM_PREFIX):
        definition = definitions.get(name[len(CUSTOM_PREFIX):])
        return custom_field(definition) if definition else None
    return STANDARD.get(name)


def parse_condition(key: str, value: Any, definitions: dict[str, dict]) -> Condition:
    name, sep, operation = key.rpartition("__")
    if not sep or not name:
        raise _Bad("Expected a key of the form \"<field_name>__<operation>\", e.g. \"name__is\".")
    field = resolve_field(name, definitions)
    if field is None:
        if name.startswith(CUSTOM_PREFIX):
            raise _Bad(f"Unknown custom field ID \"{quoted(name[len(CUSTOM_PREFIX):])}\".")
        raise _Bad(f"Unknown field \"{quoted(name)}\". Standard fields: {', '.join(STANDARD)}; custom fields "
                   f"are referenced as \"custom_fields.<field_id>\".")
    if operation not in OPERATIONS:
        raise _Bad(f"Unknown operation \"{quoted(operation)}\". Supported operations: {', '.join(OPERATIONS)}.")
    if field.type not in OPERATIONS[operation]:
        supported = [op for op, types in OPERATIONS.items() if field.type in types]
        raise _Bad(f"Operation \"{operation}\" is not supported for {field.type} fields. "
                   f"Supported for {field.type}: {', '.join(supported)}.")
    return Condition(key, field, operation, _operand(field, operation, value))


def parse(body: Any, definitions: dict[str, dict]) -> Filter:
    """A filter from a request body; {} means 'every contact'."""
    if not isinstance(body, dict):
        raise invalid({"non_field_errors": ["Invalid data. Expected a JSON object."]})
    errors: dict[str, list[str]] = {}
    for key in body:
        if key != "and":
            errors[key] = [f"Unknown filter key \"{quoted(key)}\"; conditions are combined under \"and\"."]
    conditions = body.get("and", {})
    if not isinstance(conditions, dict):
        errors["and"] = ["Expected an object of \"<field_name>__<operation>\": value conditions."]
        conditions = {}
    parsed = []
    for key, value in conditions.items():
        try:
            parsed.append(parse_condition(key, value, definitions))
        except _Bad as exc:
            errors.setdefault(key, []).append(str(exc))
    if errors:
        raise invalid(errors)
    return Filter(tuple(parsed))


# Exact-phone conditions read these lookup indexes (the names and keys the contacts service uses).
PHONE_INDEXES: dict[str, tuple[str, Callable[[dict], str]]] = {
    "phone_number": ("phone_number", lambda doc: doc["phone_number"]),
    "phone_number_with_cc": ("phone_with_cc", phone_with_cc),
}


# --- ordering and cursors -------------------------------------------------------------------
def epoch_ms(timestamp: str) -> int:
    instant = parse_iso(timestamp)
    return calendar.timegm(instant.utctimetuple()) * 1000 + instant.microsecond // 1000


def position(doc: dict) -> tuple[int, str]:
    return epoch_ms(doc["created"]), doc["id"]


def token(doc: dict) -> str:
    raw = json.dumps([doc["id"], epoch_ms(doc["created"])], separators=(",", ":"))
    return base64.b64encode(raw.encode("utf-8")).decode("ascii")


def decode_token(text: str) -> tuple[int, str]:
    """The (created ms, id) position a token names; ValueError when it is not a token."""
    padded = text.strip() + "=" * (-len(text.strip()) % 4)
    try:
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        value = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        raise ValueError("not a pagination token") from None
    if (not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], str)
            or not isinstance(value[1], int) or isinstance(value[1], bool)):
        raise ValueError("not a pagination token")
    return value[1], value[0]


def _narrowed(contacts: Collection, query: Filter) -> list[dict] | None:
    """The few contacts an exact phone condition allows (through the phone indexes), or None when no
    condition narrows the search that way."""
    for condition in query.conditions:
        index = PHONE_INDEXES.get(condition.field.name)
        if condition.operation == "is" and index:
            name, key_of = index
            return [doc for value in dict.fromkeys(condition.operand) for doc in contacts.lookup(name, key_of, value)]
    return None


def page(contacts: Collection, query: Filter, after: tuple[int, str] | None, before: tuple[int, str] | None,
         limit: int) -> tuple[list[dict], int]:
    """One page of the matching contacts (oldest first, strictly after/before the cursors) and how many
    match in all. An empty filter reads the page of the ``search_position`` index; an exact phone
    condition only its index hits; any other filter its selection (``Collection.selection``: built by
    testing every contact once, then kept in step with writes), so paging through it, or asking it
    again, reads only the page. Nothing is sorted or re-parsed per request."""
    last_before = before is not None and after is None  # ?before= alone: the page just before the cursor
    if not query.conditions:
        return _window(contacts.ordered("search_position", position), after, before, limit, last_before)
    narrowed = _narrowed(contacts, query)
    if narrowed is None:
        chosen = contacts.selection(query.signature(), "search_position", position, query.matches)
        return _window(chosen, after, before, limit, last_before)
    candidates = sorted(((position(d), d) for d in narrowed), key=lambda pair: pair[0])
    total, hits = 0, deque[dict](maxlen=limit if last_before else None)
    for key, doc in candidates:
        if not query.matches(doc):
            continue
        total += 1
        if (after is None or key > after) and (before is None or key < before) and (last_before or len(hits) < limit):
            hits.append(doc)
    return list(hits), total


def _window(ordered: Ordered, after: tuple[int, str] | None, before: tuple[int, str] | None, limit: int,
            last_before: bool) -> tuple[list[dict], int]:
    """A page of contacts already in order, and how many there are in all."""
    window = ordered.after(after) if after is not None else ordered
    window = window.between(high=before) if before is not None else window
    return (window[-limit:] if last_before else window[:limit]), len(ordered)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


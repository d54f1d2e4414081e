"""Call-log filters: the documented list (GET /search/filters) and the expression language of Search Logs.

Search Logs takes ``filters=12 AND (5 OR 8)``: filter ids from the list, combined with AND, OR and
parentheses. The language, as this module implements it:

    expression  := disjunction END
    disjunction := conjunction ( OR conjunction )*
    conjunction := operand ( AND operand )*
    operand     := FILTER_ID | "(" disjunction ")"

- AND binds tighter than OR (``1 OR 2 AND 3`` is ``1 OR (2 AND 3)``), as in SQL and Python.
- The keywords are case-insensitive (``and``, ``Or``); any whitespace may separate tokens, and none
  is needed where the tokens cannot run together (``12 AND(5 OR 8)``).
- A filter id is a run of ASCII digits; leading zeros are ignored (``012`` is 12).
- Every id of the list may be used. A child filter (non-zero ``parent_id``) is a predicate over a
  call log; a parent (category, ``parent_id`` "0") means "any of its children": the docs' own
  example ``2 AND 4`` combines a filter with the category "Event of logs".
- At most 1000 characters and 50 levels of parentheses.

Every error is a ``FilterExpressionError`` naming the 1-based character position it was found at;
the first error from the left is the one reported.

A predicate reads a legacy call log: the short-field hashmap of the deprecated AfterCall webhook
(``_so``, ``_ev``, ``_ty``, ``_su``, ``_ns``, ``_pm``, ``_ld``). The documented example writes
some codes as strings (``"_so": "1"``, ``"_ns": "0"``, ``_pm`` values) and others as integers
(``"_ev": 1``, ``"_su": 2``, ``"_ty": 1``), and its field table gives ``_ev`` as
``incoming``/``outgoing``; each field is read in any of those forms. A missing or malformed field
matches no filter that tests it, and never raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mock_server.errors import quoted

# GET /search/filters' documented example, verbatim (the names' stray spaces included).
FILTERS: tuple[dict[str, str], ...] = tuple({"id": i, "name": n, "parent_id": p} for i, n, p in (
    ("1", "Source of logs", "0"),
    ("2", "Myoperator IVR", "1"),
    ("3", "Mobile", "1"),
    ("4", "Event of logs", "0"),
    ("5", "Incoming", "4"),
    ("6", "Outgoing", "4"),
    ("7", " Type of logs ", "0"),
    ("8", "Call", "7"),
    ("9", "SMS", "7"),
    ("11", "Status of logs", "0"),
    ("12", "Connected", "11"),
    ("13", "Missed", "11"),
    ("14", "Voicemail", "11"),
    ("15", "Tags", "0"),
    ("21", "Call property", "0"),
    ("22", "Noted", "21"),
    ("23", "Archived", "21"),
    ("24", "Star Marked", "21"),
    ("25", "Two word filters", "0"),
    ("26", "Incoming Myoperator IVR", "25"),
    ("27", "Incoming Mobile", "25"),
    ("28", "Outgoing MyOperator IVR", "25"),
    ("29", "Outgoing Mobile", "25"),
    ("30", "Incoming Call", "25"),
    ("31", "Incoming SMS", "25"),
    ("33", "Outgoing Call ", "25"),
    ("34", "Outgoing SMS", "25"),
    ("36", "Three word filters", "0"),
    ("37", "Incoming Connected Call", "36"),
    ("38", "Incoming Missed Call", "36"),
    ("39", "Unnoted", "21"),
    ("40", "ClickOcalls", "15"),
    ("41", "OBD Calls", "15"),
    ("42", "Callbacks", "15"),
))

PARENTS: tuple[str, ...] = tuple(f["id"] for f in FILTERS if f["parent_id"] == "0")
SELECTABLE: tuple[str, ...] = tuple(f["id"] for f in FILTERS if f["parent_id"] != "0")
CHILDREN: dict[str, tuple[str, ...]] = {p: tuple(f["id"] for f in FILTERS if f["parent_id"] == p) for p in PARENTS}

MAX_LENGTH = 1000
MAX_DEPTH = 50


def filters_body() -> dict[str, Any]:
    """GET /search/filters' success body (a fresh copy each time)."""
    return {"status": "success", "code": 200, "filters": [dict(f) for f in FILTERS]}


class FilterExpressionError(ValueError):
    """An expression that cannot be parsed: ``reason`` found at 1-based character ``position``."""

    def __init__(self, reason: str, position: int):
        super().__init__(f"Invalid filter expression at position {position}: {reason}")
        self.reason, self.position = reason, position


# --- tokens ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Token:
    kind: str  # "id", "and", "or", "(", ")", "end"
    text: str  # as written
    position: int  # 1-based

    def describe(self) -> str:
        if self.kind == "id":
            return f"filter id {quoted(self.text)}"
        if self.kind == "end":
            return "the end of the expression"
        return f"'{self.text}'"


KEYWORDS = ("and", "or")


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _is_letter(ch: str) -> bool:
    return "a" <= ch <= "z" or "A" <= ch <= "Z"


def _show(ch: str) -> str:
    return f"'{ch}'" if ch.isprintable() else f"U+{ord(ch):04X}"


def tokenize(text: str) -> Iterator[Token]:
    """The tokens of ``text``, lazily (so the parser reports the leftmost error), ending with "end"."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            yield Token(ch, ch, i + 1)
            i += 1
        elif _is_digit(ch) or _is_letter(ch):
            same = _is_digit if _is_digit(ch) else _is_letter
            j = i + 1
            while j < n and same(text[j]):
                j += 1
            word = text[i:j]
            if same is _is_digit:
                yield Token("id", word, i + 1)
            elif word.lower() in KEYWORDS:
                yield Token(word.lower(), word, i + 1)
            else:
                raise FilterExpressionError(f"unknown word '{quoted(word)}': the only operators are AND and OR", i + 1)
            i = j
        else:
            raise FilterExpressionError(f"unexpected character {_show(ch)}", i + 1)
    yield Token("end", "", n + 1)


# --- the syntax tree ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filter:
    id: str  # an id of FILTERS, without leading zeros


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


Node = Filter | And | Or


class _Parser:
    """Recursive descent over the lazy token stream, one token of lookahead."""

    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.previous: Token | None = None
        self.current = next(self.tokens)
        self.depth = 0

    def advance(self) -> Token:
        token, self.previous = self.current, self.current
        if token.kind != "end":
            self.current = next(self.tokens)
        return token

    def expression(self) -> Node:
        node = self.disjunction()
        if self.current.kind == ")":
            raise FilterExpressionError("')' has no matching '('", self.current.position)
        return node

    def disjunction(self) -> Node:
        operands = [self.conjunction()]
        while self.current.kind == "or":
            self.advance()
            operands.append(self.conjunction())
        if self.current.kind in ("id", "("):
            raise FilterExpressionError(f"missing AND or OR before {self.current.describe()}", self.current.position)
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def conjunction(self) -> Node:
        operands = [self.operand()]
        while self.current.kind == "and":
            self.advance()
            operands.append(self.operand())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def operand(self) -> Node:
        where = "at the start of the expression" if self.previous is None else f"after {self.previous.describe()}"
        token = self.advance()
        if token.kind == "id":
            filter_id = token.text.lstrip("0") or "0"
            if filter_id not in PREDICATES:
                reason = f"unknown filter id {quoted(token.text)} (GET /search/filters lists the filter ids)"
                raise FilterExpressionError(reason, token.position)
            return Filter(filter_id)
        if token.kind == "(":
            if self.depth == MAX_DEPTH:
                raise FilterExpressionError(f"parentheses nest deeper than {MAX_DEPTH} levels", token.position)
            self.depth += 1
            node = self.disjunction()
            if self.advance().kind != ")":
                raise FilterExpressionError("this '(' is never closed", token.position)
            self.depth -= 1
            return node
        raise FilterExpressionError(f"expected a filter id or '(' {where}, found {token.describe()}", token.position)


def parse(expression: Any) -> Node:
    """The syntax tree of a filter expression (a string; an integer is read as its digits)."""
    if isinstance(expression, int) and not isinstance(expression, bool):
        expression = str(expression)
    if not isinstance(expression, str):
        raise FilterExpressionError("the expression must be a string such as 12 AND (5 OR 8)", 1)
    if len(expression) > MAX_LENGTH:
        raise FilterExpressionError(
            f"the expression is {len(expression)} characters long; the limit is {MAX_LENGTH}", MAX_LENGTH + 1)
    if not expression.strip():
        raise FilterExpressionError(
            "the expression is empty; combine filter ids with AND, OR and parentheses, e.g. 12 AND (5 OR 8)", 1)
    return _Parser(expression).expression()


def unparse(node: Node) -> str:
    """The canonical text of a tree, which parses back to the same tree: upper-case keywords, single
    spaces, parentheses around every compound operand but a conjunction inside a disjunction."""
    if isinstance(node, Filter):
        return node.id
    keyword = " AND " if isinstance(node, And) else " OR "
    return keyword.join(unparse(o) if isinstance(o, Filter) or (isinstance(o, And) and isinstance(node, Or))
                        else f"({unparse(o)})" for o in node.operands)


# --- the predicates -------------------------------------------------------------------------------

Log = Mapping[str, Any]
Predicate = Callable[[Log], bool]

IVR, MOBILE = 1, 2  # _so
INCOMING, OUTGOING = 1, 2  # _ev
CALL, SMS = 1, 2  # _ty
CONNECTED, MISSED, VOICEMAIL = 1, 2, 3  # _su
CLICKOCALL, OBD, WEBRTC = 1, 2, 3  # _ns
NAMES = {"_ev": {"incoming": INCOMING, "outgoing": OUTGOING}}


def _code(value: Any, names: Mapping[str, int] | None = None) -> int | None:
    """A documented numeric code written as an int, a digit string, or (for _ev) its name."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text.isascii() and text.isdecimal() and len(text) <= 18:
            return int(text)
        return (names or {}).get(text)
    return None


def _field(log: Log, name: str) -> int | None:
    return _code(log.get(name), NAMES.get(name)) if isinstance(log, Mapping) else None


def _param(log: Log, key: str) -> int | None:
    """A ``_pm`` flag: the documented list of {"ky", "vl"} pairs (``_ky``/``_vl`` and a plain map also read)."""
    params = log.get("_pm") if isinstance(log, Mapping) else None
    if isinstance(params, Mapping):
        return _code(params.get(key))
    for pair in params if isinstance(params, list) else ():
        if isinstance(pair, Mapping) and pair.get("ky", pair.get("_ky")) == key:
            return _code(pair.get("vl", pair.get("_vl")))
    return None


def _has_last_caller_id(log: Log) -> bool:
    legs = log.get("_ld") if isinstance(log, Mapping) else None
    return any(isinstance(leg, Mapping) and isinstance(leg.get("_did"), str) and leg["_did"].strip()
               for leg in (legs if isinstance(legs, list) else ()))


def _is(**wanted: int) -> Predicate:
    """A conjunction of ``_field == code`` tests, e.g. ``_is(_ev=INCOMING, _ty=CALL)``."""
    items = tuple(wanted.items())
    return lambda log: all(_field(log, name) == code for name, code in items)


def _flag(key: str) -> Predicate:
    return lambda log: _param(log, key) == 1


def _callback(log: Log) -> bool:
    """An outgoing call placed back to a caller: no ClickOcall/OBD/WebRTC notification status, and its
    legs carry the last caller id ``_did``, which the field table documents as "used in callback"."""
    return (_is(_ev=OUTGOING, _ty=CALL)(log) and _field(log, "_ns") not in (CLICKOCALL, OBD, WEBRTC)
            and _has_last_caller_id(log))


CHILD_PREDICATES: dict[str, Predicate] = {
    "2": _is(_so=IVR), "3": _is(_so=MOBILE),
    "5": _is(_ev=INCOMING), "6": _is(_ev=OUTGOING),
    "8": _is(_ty=CALL), "9": _is(_ty=SMS),
    "12": _is(_su=CONNECTED), "13": _is(_su=MISSED), "14": _is(_su=VOICEMAIL),
    "22": _flag("ic"), "23": _flag("ia"), "24": _flag("is"),
    "39": lambda log: _param(log, "ic") != 1,  # Unnoted: exactly the logs Noted does not match
    "26": _is(_ev=INCOMING, _so=IVR), "27": _is(_ev=INCOMING, _so=MOBILE),
    "28": _is(_ev=OUTGOING, _so=IVR), "29": _is(_ev=OUTGOING, _so=MOBILE),
    "30": _is(_ev=INCOMING, _ty=CALL), "31": _is(_ev=INCOMING, _ty=SMS),
    "33": _is(_ev=OUTGOING, _ty=CALL), "34": _is(_ev=OUTGOING, _ty=SMS),
    "37": _is(_ev=INCOMING, _su=CONNECTED, _ty=CALL), "38": _is(_ev=INCOMING, _su=MISSED, _ty=CALL),
    "40": _is(_ns=CLICKOCALL), "41": _is(_ns=OBD), "42": _callback,
}
assert set(CHILD_PREDICATES) == set(SELECTABLE), "every selectable filter needs a predicate"


def _any_of(ids: tuple[str, ...]) -> Predicate:
    predicates = tuple(CHILD_PREDICATES[i] for i in ids)
    return lambda log: any(p(log) for p in predicates)


PREDICATES: dict[str, Predicate] = {**CHILD_PREDICATES, **{p: _any_of(CHILDREN[p]) for p in PARENTS}}


def evaluate(node: Node, log: Log) -> bool:
    """Whether the legacy call log ``log`` matches the tree."""
    if isinstance(node, Filter):
        return PREDICATES[node.id](log)
    if isinstance(node, And):
        return all(evaluate(o, log) for o in node.operands)
    if isinstance(node, Or):
        return any(evaluate(o, log) for o in node.operands)
    raise TypeError(f"not a filter expression node: {node!r}")


def compile(expression: Any) -> Predicate:
    """Parse once (raising FilterExpressionError), then match legacy call logs."""
    tree = parse(expression)
    return lambda log: evaluate(tree, log)

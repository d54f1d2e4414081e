"""Check a payload against MyOperator's contract, with errors a person can act on: the logic of
``myoperator-mock validate KIND FILE``.

KIND names what the payload is, in one of three forms:

- a schema's name, as GET /_mock/schemas lists them: ``webhooks/call.end``, ``public/contact.response``;
- a webhook event, as the ``event_type`` (``call.end``, ``message.sent``, ``disposition``) or, for
  the deprecated formats, ``legacy.call_log``, ``legacy.disposition``, ``legacy.message``,
  ``legacy.link_tracking``;
- an operation and which side of it: ``METHOD PATH request`` or ``METHOD PATH STATUS``, e.g.
  ``POST /chat/messages request``, ``GET /chat/templates 200``, ``POST /obd-api-v1 403``. PATH is the
  documented template (``/contacts/{contact_id}``) or a real path (``/contacts/67b0d1d9d407deea596aba5c``);
  an error status the operation does not list is its surface's common error body.

Where an answer may take more than one shape (POST /contacts creates or searches), the payload is
valid when it fits any one of them.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from mock_server import contract, openapi, schemas
from mock_server.control.routes import operations as control_operations

OPERATION = re.compile(r"^\s*([A-Za-z]+)\s+(/\S*)\s+(request|[1-5][0-9]{2})\s*$", re.IGNORECASE)
SNIPPET = 60


class UsageError(ValueError):
    """KIND names nothing, or the payload is not JSON: the command was misused (exit status 2)."""


@dataclass(frozen=True)
class Problem:
    path: str  # where in the payload, as $.payload.legs[0].status
    expected: str
    got: str

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected}; got {self.got}"


@dataclass(frozen=True)
class Result:
    kind: str
    problems: dict[str, list[Problem]]  # per candidate schema; valid when any has none

    @property
    def valid(self) -> bool:
        return any(not found for found in self.problems.values())

    def report(self) -> str:
        names = ", ".join(self.problems)
        if self.valid:
            return f"valid: {self.kind} ({names})"
        count = sum(len(found) for found in self.problems.values())
        lines = [f"invalid: {self.kind} ({names}): {count} problem{'s' if count != 1 else ''}"]
        for name, found in self.problems.items():
            if len(self.problems) > 1:
                lines.append(f"  against {name}:")
            indent = "    " if len(self.problems) > 1 else "  "
            lines += [indent + str(problem) for problem in found]
        return "\n".join(lines)


# --- KIND ------------------------------------------------------------------------------------
def resolve(kind: str) -> tuple[str, ...]:
    """The schema(s) KIND names; UsageError with suggestions when it names none."""
    text = kind.strip()
    match = OPERATION.match(text)
    if match:
        return _operation_schemas(match.group(1).upper(), match.group(2), match.group(3).lower())
    name = text.removesuffix(".json")
    if name in schemas.names():
        return (name,)
    if f"webhooks/{name}" in openapi.webhook_events():
        return (f"webhooks/{name}",)
    raise UsageError(f"unknown KIND {kind!r}{_suggest(name)}. KIND is a schema name (GET /_mock/schemas), a "
                     "webhook event (call.end, legacy.call_log, …) or 'METHOD PATH request|STATUS'.")


def aliases() -> list[str]:
    """The short names of the webhook events (``call.end``, ``legacy.message``, …)."""
    return [name.removeprefix("webhooks/") for name in openapi.webhook_events()]


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, schemas.names() + aliases(), n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(close)}?)" if close else ""


def _operation_schemas(method: str, path: str, side: str) -> tuple[str, ...]:
    documented = contract.operation(method, path)
    control = openapi.control_operation(method, path)
    audio = next((t for m, t in contract.AUDIO_OPERATIONS if m == method and openapi.matches(t, path)), None)
    if audio:
        if side != "request" and int(side) >= 400:
            return contract.surface_errors(path)
        raise UsageError(f"{method} {audio} answers audio/mpeg; only its errors (4xx) are JSON")
    if documented is not None:
        entry, template = contract.OPERATIONS[documented], documented[1]
    elif control is not None:
        entry, template = openapi.CONTROL_OPERATIONS[control], control[1]
    else:
        if any(m == method and openapi.matches(t, path) for m, t, _ in control_operations):
            raise UsageError(f"{method} {path} is a /_mock/ route whose bodies have no schema: nothing to check")
        known = sorted({f"{m} {p}" for m, p in list(contract.OPERATIONS) + list(openapi.CONTROL_OPERATIONS)})
        close = difflib.get_close_matches(f"{method} {path}", known, n=3, cutoff=0.5)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise UsageError(f"no documented operation {method} {path}{hint}")
    if side == "request":
        names = entry.get("request") or openapi.EXTRA_REQUESTS.get((method, template))
        if names is None:
            body = "a multipart form" if template == "/chat/media/upload" else "no JSON body"
            raise UsageError(f"{method} {template} takes {body}: there is no request schema to check")
        return names if isinstance(names, tuple) else (names,)
    status = int(side)
    try:  # an unlisted error status is the surface's error body; an unlisted success has none
        found = (contract.response_schemas(method, path, status) if documented
                 else openapi.control_response_schemas(method, path, status))
    except LookupError:
        found = ()
    if not found:
        listed = ", ".join(str(s) for s in entry if isinstance(s, int)) or "none"
        raise UsageError(f"{method} {template} documents no {status} body (statuses with a schema: {listed}; "
                         "any 4xx/5xx is the surface's error body)")
    return found


# --- the payload -----------------------------------------------------------------------------
def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def parse(text: str | bytes) -> Any:
    """The payload, strict JSON (no NaN or Infinity); UsageError when it is not JSON."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        return json.loads(text, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UsageError(f"the payload is not JSON: {str(exc)[:200]}") from None


def check(kind: str, payload: Any) -> Result:
    return Result(kind.strip(), {name: problems(name, payload) for name in resolve(kind)})


def problems(name: str, payload: Any) -> list[Problem]:
    """Every way ``payload`` breaks schema ``name``, in payload order."""
    if schemas.fast_validator(name).is_valid(payload):
        return []
    found: list[Problem] = []
    for error in sorted(schemas.validator(name).iter_errors(payload), key=lambda e: [str(p) for p in e.absolute_path]):
        for problem in _explain(error):
            if problem not in found:
                found.append(problem)
    return found


# --- explaining one error --------------------------------------------------------------------
def _explain(error: ValidationError) -> list[Problem]:
    while error.validator in ("anyOf", "oneOf", "allOf") and error.context:
        error = best_match(error.context)  # the branch that got furthest says what is wrong
    kind, value, instance = error.validator, error.validator_value, error.instance
    where = json_path(error.absolute_path)
    if kind == "not" and value == {}:  # a property forbidden where it stands (e.g. by the OBD dialer rules)
        return [Problem(where, "nothing (not allowed here)", snippet(instance))]
    if kind == "required" and isinstance(instance, dict):
        return [Problem(json_path([*error.absolute_path, key]), "a value (required)", "nothing")
                for key in value if key not in instance]
    if kind in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
        declared = error.schema.get("properties", {})
        patterns = list(error.schema.get("patternProperties", {}))
        extra = [k for k in instance if k not in declared and not any(re.search(p, k) for p in patterns)]
        return [Problem(json_path([*error.absolute_path, key]), "no such property (the schema does not allow it)",
                        snippet(instance[key])) for key in extra] or [Problem(where, error.message, snippet(instance))]
    return [Problem(where, _expected(kind, value, error), _got(kind, instance))]


def _expected(kind: str, value: Any, error: ValidationError) -> str:
    if kind == "type":
        return " or ".join(value) if isinstance(value, list) else str(value)
    if kind == "enum":
        shown = ", ".join(json.dumps(v, ensure_ascii=False) for v in value[:12])
        return f"one of {shown}" + (f" (and {len(value) - 12} more)" if len(value) > 12 else "")
    if kind == "const":
        return json.dumps(value, ensure_ascii=False)
    if kind == "pattern":
        return f"a string matching {value}"
    if kind == "format":
        return f"a {value} string"
    counts = {"minLength": ("at least", "character"), "maxLength": ("at most", "character"),
              "minItems": ("at least", "item"), "maxItems": ("at most", "item"),
              "minProperties": ("at least", "property"), "maxProperties": ("at most", "property")}
    if kind in counts:
        bound, noun = counts[kind]
        return f"{bound} {_count(value, noun)}"
    numbers = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
    if kind in numbers:
        return f"a number {numbers[kind]} {value}"
    if kind == "multipleOf":
        return f"a multiple of {value}"
    if kind == "uniqueItems":
        return "items that are all different"
    if kind == "not":
        return f"anything but {snippet(value)}"
    return error.message[:200]


def _got(kind: str, instance: Any) -> str:
    if kind == "type":
        return f"{json_type(instance)} {snippet(instance)}"
    if kind in ("minLength", "maxLength") and isinstance(instance, str):
        return f"{_count(len(instance), 'character')}: {snippet(instance)}"
    if kind in ("minItems", "maxItems") and isinstance(instance, list):
        return _count(len(instance), "item")
    if kind in ("minProperties", "maxProperties") and isinstance(instance, dict):
        return _count(len(instance), "property")
    return snippet(instance)


def _count(n: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n} {noun if n == 1 else plural}"


JSON_TYPES: dict[type, str] = {str: "string", list: "array", dict: "object"}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "integer" if isinstance(value, int) or value.is_integer() else "number"
    return JSON_TYPES.get(type(value), type(value).__name__)


def snippet(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SNIPPET else text[:SNIPPET - 1] + "…"


def json_path(parts) -> str:
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out += f".{part}"
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out

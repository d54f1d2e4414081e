"""``assert_matches_schema(payload, "call.end")``: hold a payload to MyOperator's contract, as the
simulator's own JSON Schemas (written from the docs) describe it, failing with one line per problem:
``<path>: expected <what the schema wants>; got <what is there>``.

The checking and its messages are ``myoperator-mock validate``'s (``mock_server/validate.py``), so a
test and the command line say the same thing. ``kind`` is what that command takes:

- an event type, for the new envelope webhooks: ``"call.end"``, ``"message.sent"``, ``"disposition"``;
- a deprecated webhook's name: ``"legacy.call_log"``, ``"legacy.disposition"``, ``"legacy.message"``;
- any schema's name (its path under ``mock_server/schemas``): ``"obd/call.request"``, ``"webhooks/envelope"``;
- a side of an operation: ``"POST /obd-api-v1 request"``, ``"GET /chat/templates 200"``.

and, to name a webhook by its event type in another format, ``format=``: ``("call.summary",
format="legacy_call")`` is the AfterCall log, ``("message.read", format="legacy_whatsapp")`` the
legacy WhatsApp payload.
"""

from __future__ import annotations

from typing import Any

from mock_server import schemas, validate
from mock_server.webhooks.dispatcher import schema_name
from mock_server.webhooks.encode import FORMATS


def schema_names(kind: str, format: str | None = None) -> tuple[str, ...]:
    """The schema(s) ``kind`` (in ``format``) names; ValueError, with suggestions, if none."""
    if format is None:
        return validate.resolve(kind)  # its UsageError is a ValueError
    if format not in FORMATS:
        raise ValueError(f"Unknown webhook format {format!r}; choose one of: {', '.join(FORMATS)}.")
    name = schema_name(kind, format)
    if f"webhooks/{kind}" not in schemas.names() or name not in schemas.names():
        raise ValueError(f"No {format} rendering of an event {kind!r}: "
                         "give an event type (call.summary, message.read…).")
    return (name,)


def assert_matches_schema(payload: Any, kind: str, *, format: str | None = None) -> None:
    """Fail with one line per problem unless ``payload`` is valid against the schema ``kind`` names
    (against any one of them, when an answer may take several shapes).

    ``payload`` is the parsed JSON value; bytes (a raw request body) are parsed first.
    """
    names = schema_names(kind, format)
    if isinstance(payload, (bytes, bytearray)):
        try:
            payload = validate.parse(bytes(payload))
        except validate.UsageError as exc:
            raise AssertionError(f"The payload cannot match {kind}: {exc}") from None
    result = validate.Result(kind if format is None else f"{kind} ({format})",
                             {name: validate.problems(name, payload) for name in names})
    if not result.valid:
        raise AssertionError(result.report())

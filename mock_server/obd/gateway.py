"""The OBD API gateway's request validator: the body's field types, before the application runs.

The live gateway answers a wrong type in AWS API Gateway's words, the messages of the JSON Schema
library it validates with (java json-schema-validator): ``max_call_duration`` sent as ``"300"`` was
refused with ``instance type (string) does not match … (allowed: ["integer"])`` (OBSERVED.md, B12).
Its ``$context.error.validationErrorString`` lists every problem in brackets, which is what the
body's ``message`` carries here.
"""

from __future__ import annotations

import json
from typing import Any

from mock_server import schemas
from mock_server.errors import ApiError

SCHEMA = "obd/gateway.request"
INVALID_BODY = "Invalid request body"  # API Gateway's own text where there is no JSON to validate


def primitive_type(value: Any) -> str:
    """The validator's name for a JSON value's type (an integer is not a "number" there)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}[type(value)]


def _message(error) -> str:
    if error.validator == "type":
        allowed = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return (f"instance type ({primitive_type(error.instance)}) does not match any allowed primitive type "
                f"(allowed: {json.dumps(sorted(allowed))})")
    return error.message[:200]


def problems(body: Any) -> list[str]:
    """What the gateway's validator says of a parsed JSON body; empty when it lets the body through."""
    if schemas.fast_validator(SCHEMA).is_valid(body):
        return []
    errors = sorted(schemas.validator(SCHEMA).iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
    return [_message(e) for e in errors]


def check(body: Any) -> dict:
    """``body`` when the gateway lets it through; else its 400, ``{"message": "[<problem>, …]"}``."""
    found = problems(body)
    if found:
        raise ApiError(400, {"message": "[" + ", ".join(found) + "]"})
    return body

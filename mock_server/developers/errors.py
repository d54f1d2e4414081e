"""The developers API's error body, documented only as "status = error with code and message":
``{"status": "error", "code": 400, "message": "…"}``, the code an integer as in its success bodies; field
errors joined into the one message."""

from __future__ import annotations

from mock_server.developer_paths import is_developer_path
from mock_server.errors import ApiError
from mock_server.refusals import Refusal


def developer_error(status: int, message: str) -> ApiError:
    return ApiError(status, {"status": "error", "code": status, "message": message})


def fields_message(fields: dict[str, list[str]]) -> str:
    return "; ".join(m if m.startswith(f) else f"{f}: {m}" for f, messages in fields.items() for m in messages)


def answer(refusal: Refusal, path: str) -> ApiError:
    return developer_error(refusal.status, fields_message(refusal.fields) if refusal.fields else refusal.message)


def not_routed(status: int, method: str, path: str) -> ApiError:
    return developer_error(status, f"Method \"{method}\" not allowed." if status == 405 else f"No endpoint at {path}.")


owns = is_developer_path

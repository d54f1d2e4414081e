"""The control plane's error body (``/_mock/``: ours, not MyOperator's): the public envelope's keys, the
code the HTTP status as text, so a test reading either API's errors reads the same fields."""

from __future__ import annotations

from mock_server.errors import ApiError
from mock_server.refusals import Refusal


def control_error(status: int, message: str) -> ApiError:
    return ApiError(status, {"status": "error", "code": str(status), "message": message, "errors": {}})


def answer(refusal: Refusal, path: str) -> ApiError:
    error = control_error(refusal.status, refusal.message or str(refusal.code))
    error.body["errors"] = refusal.fields or {}
    return error


def not_routed(status: int, method: str, path: str) -> ApiError:
    return control_error(status, f"Method \"{method}\" not allowed." if status == 405 else f"No endpoint at {path}.")


def owns(path: str) -> bool:
    return path.startswith("/_mock/") or path == "/_mock"
